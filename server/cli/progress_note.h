// Says on stderr what gotrace is busy with when it takes more than a second
// (reading the symbols and debug information of a large binary, planning
// thousands of probes), and how long it took, so a slow start is never a
// silent one.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace gotrace::cli {

class ProgressNote {
 public:
  // The delay before the note shows is GOTRACE_PROGRESS_AFTER_MS if set
  // (tests use 0), else one second.
  explicit ProgressNote(std::string what);
  ~ProgressNote();  // ends the work: "<what>: done in 1.3 s" if the note showed
  ProgressNote(const ProgressNote&) = delete;
  ProgressNote& operator=(const ProgressNote&) = delete;

 private:
  std::string what_;
  std::chrono::steady_clock::time_point start_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  bool shown_ = false;
  std::jthread waiter_;
};

}  // namespace gotrace::cli
