#include "child_exits.h"

#include <condition_variable>
#include <map>
#include <mutex>
#include <set>

namespace gotrace::tracer::child_exits {
namespace {

struct Registry {
  std::mutex mu;
  std::condition_variable cv;
  std::set<pid_t> claimed;
  std::map<pid_t, int> statuses;
};

Registry& registry() {
  static Registry r;
  return r;
}

}  // namespace

void claim(pid_t pid) {
  std::lock_guard lock(registry().mu);
  registry().claimed.insert(pid);
}

void release(pid_t pid) {
  std::lock_guard lock(registry().mu);
  registry().claimed.erase(pid);
}

bool claimed(pid_t pid) {
  std::lock_guard lock(registry().mu);
  return registry().claimed.count(pid) != 0;
}

void record(pid_t pid, int status) {
  Registry& r = registry();
  {
    std::lock_guard lock(r.mu);
    r.statuses[pid] = status;
  }
  r.cv.notify_all();
}

std::optional<int> status(pid_t pid) {
  std::lock_guard lock(registry().mu);
  auto it = registry().statuses.find(pid);
  if (it == registry().statuses.end()) return std::nullopt;
  return it->second;
}

std::optional<int> wait(pid_t pid, std::chrono::milliseconds timeout) {
  Registry& r = registry();
  std::unique_lock lock(r.mu);
  r.cv.wait_for(lock, timeout, [&] { return r.statuses.count(pid) != 0; });
  auto it = r.statuses.find(pid);
  if (it == r.statuses.end()) return std::nullopt;
  return it->second;
}

void forget(pid_t pid) {
  std::lock_guard lock(registry().mu);
  registry().statuses.erase(pid);
}

}  // namespace gotrace::tracer::child_exits
