// The ptrace tracer's threads: seizing them, stopping them all or one, and
// letting them go.
#include "ptrace_tracer.h"

#include "child_exits.h"
#include "ptrace_messages.h"

#include <dirent.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

namespace gotrace::tracer {
namespace {

std::vector<pid_t> task_ids(pid_t pid) {
  std::vector<pid_t> out;
  std::string dir = "/proc/" + std::to_string(pid) + "/task";
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d))
      if (e->d_name[0] != '.') out.push_back(static_cast<pid_t>(std::atoi(e->d_name)));
    closedir(d);
  }
  return out;
}

}  // namespace

PtraceTracer::PtraceTracer(PtraceConfig cfg, PtraceSink sink, HitCounters& counters)
    : cfg_(cfg), sink_(std::move(sink)), counters_(counters) {}

PtraceTracer::~PtraceTracer() { detach_all(); }

Result<void> PtraceTracer::seize_thread(pid_t tid, bool first) {
  long opts = PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACEEXEC;
  if (cfg_.kill_on_exit) opts |= PTRACE_O_EXITKILL;
  if (ptrace(PTRACE_SEIZE, tid, nullptr, reinterpret_cast<void*>(opts)) == 0) {
    threads_.try_emplace(tid);
    return {};
  }
  int err = errno;
  // A thread that is gone, or one we hold already (auto-attached clone).
  if (!first && (err == ESRCH || (err == EPERM && threads_.count(tid)))) return {};
  return seize_error(cfg_.pid, err);
}

Result<void> PtraceTracer::seize() {
  child_exits::claim(cfg_.pid);
  if (auto r = seize_thread(cfg_.pid, true); !r) {
    child_exits::release(cfg_.pid);
    return r;
  }
  // Held before exec: one thread, and nothing of the program mapped yet.
  if (cfg_.await_exec) return {};
  // Threads started by a thread we had not seized yet are not auto-attached:
  // list again until every thread is ours.
  for (bool grew = true; grew;) {
    grew = false;
    for (pid_t tid : task_ids(cfg_.pid))
      if (!threads_.count(tid)) {
        if (auto r = seize_thread(tid, false); !r) return r;
        grew = grew || threads_.count(tid);
      }
  }
  exec_seen_ = true;
  auto mem = TargetMemoryFile::open(cfg_.pid);
  if (!mem) {
    detach_all();
    return mem.error();
  }
  mem_ = std::move(*mem);
  return {};
}

Result<std::pair<pid_t, bool>> PtraceTracer::stop_one_thread() {
  for (auto& [tid, t] : threads_)
    if (t.stopped && !t.foreign) return std::pair{tid, false};
  hold_ = true;
  std::vector<pid_t> candidates;
  for (auto& [tid, t] : threads_)
    if (!t.foreign) candidates.push_back(tid);
  for (pid_t tid : candidates) {
    if (ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr) != 0) continue;
    if (wait_until_stopped(tid)) return std::pair{tid, true};
  }
  return make_error(Errc::not_found, "no thread of the target could be stopped");
}

bool PtraceTracer::wait_until_stopped(pid_t tid) {
  while (threads_.count(tid) && !threads_[tid].stopped) {
    int status = 0;
    pid_t w = waitpid(tid, &status, __WALL);
    if (w < 0 && errno == EINTR) continue;
    if (w != tid) break;
    on_wait_status(tid, status);
  }
  return threads_.count(tid) && threads_[tid].stopped;
}

void PtraceTracer::resume(pid_t tid) {
  auto it = threads_.find(tid);
  if (it == threads_.end() || hold_ || !it->second.stopped) return;
  int sig = std::exchange(it->second.pending_signal, 0);
  it->second.stopped = false;
  ptrace(PTRACE_CONT, tid, nullptr, reinterpret_cast<void*>(static_cast<long>(sig)));
}

void PtraceTracer::stop_all() {
  hold_ = true;
  for (auto it = threads_.begin(); it != threads_.end();) {
    // A thread that is gone already (a zombie leader whose group lives on)
    // will never report a stop.
    if (!it->second.stopped && ptrace(PTRACE_INTERRUPT, it->first, nullptr, nullptr) != 0 &&
        errno == ESRCH)
      it = threads_.erase(it);
    else
      ++it;
  }
  auto all_stopped = [&] {
    return std::all_of(threads_.begin(), threads_.end(), [](const auto& e) { return e.second.stopped; });
  };
  while (!threads_.empty() && !all_stopped()) {
    int status = 0;
    pid_t w = waitpid(-1, &status, __WALL | __WNOTHREAD);
    if (w < 0) {
      if (errno == EINTR) continue;
      threads_.clear();  // ECHILD: nothing left to wait for
      break;
    }
    // A thread born meanwhile stops on its own (auto-attach).
    on_wait_status(w, status);
  }
}

void PtraceTracer::settle_pending_traps() {
  // A thread can execute an int3 and then report our interrupt before the
  // trap: the SIGTRAP stays queued and, once detached, would kill the
  // program. Let each such thread take its trap while still traced (it is
  // dequeued before the thread runs another instruction).
  std::vector<pid_t> trapped;
  for (auto& [tid, t] : threads_)
    if (t.stopped && signal_pending(tid, SIGTRAP)) trapped.push_back(tid);
  for (pid_t tid : trapped) {
    if (ptrace(PTRACE_CONT, tid, nullptr, nullptr) != 0) continue;
    threads_[tid].stopped = false;
    wait_until_stopped(tid);
  }
}

void PtraceTracer::detach_all() {
  if (threads_.empty()) {
    if (!gone_) child_exits::release(cfg_.pid);
    return;
  }
  stop_all();
  settle_pending_traps();
  if (mem_)
    for (auto& [addr, bp] : bps_) (void)mem_->write(addr, &bp.original, 1);
  bps_.clear();
  pending_.clear();
  for (auto& [tid, t] : threads_)
    if (t.stopped)
      ptrace(PTRACE_DETACH, tid, nullptr, reinterpret_cast<void*>(static_cast<long>(t.pending_signal)));
  threads_.clear();
  hold_ = false;
  if (!gone_) child_exits::release(cfg_.pid);
}

}  // namespace gotrace::tracer
