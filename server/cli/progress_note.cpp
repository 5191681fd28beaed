#include "progress_note.h"

#include <cstdio>
#include <cstdlib>

namespace gotrace::cli {
namespace {

std::chrono::milliseconds delay() {
  if (const char* v = std::getenv("GOTRACE_PROGRESS_AFTER_MS")) return std::chrono::milliseconds(std::atoll(v));
  return std::chrono::seconds(1);
}

}  // namespace

ProgressNote::ProgressNote(std::string what) : what_(std::move(what)), start_(std::chrono::steady_clock::now()) {
  waiter_ = std::jthread([this, d = delay()] {
    std::unique_lock lock(mu_);
    if (cv_.wait_for(lock, d, [this] { return done_; })) return;
    shown_ = true;
    std::fprintf(stderr, "gotrace: %s...\n", what_.c_str());
  });
}

ProgressNote::~ProgressNote() {
  {
    std::lock_guard lock(mu_);
    done_ = true;
  }
  cv_.notify_all();
  waiter_.join();
  if (shown_) {
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::fprintf(stderr, "gotrace: %s: done in %.1f s\n", what_.c_str(), s);
  }
}

}  // namespace gotrace::cli
