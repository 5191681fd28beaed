// Runs build/gotrace and other programs for the integration tests, and
// normalizes the parts of their output that change from run to run.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace gotrace::itest {

struct RunResult {
  int exit_code = -1;  // -signal if killed by a signal
  std::string out;
  std::string err;
};

// Runs argv to completion (killed after `timeout_s`), capturing both streams.
RunResult run(const std::vector<std::string>& argv, int timeout_s = 120);

// A process running in the background with its stderr captured to a file.
struct Background {
  pid_t pid = -1;
  std::string err_path;
  std::string out_path;
  // Waits for exit; returns the status as run() does and fills the outputs.
  RunResult wait(int timeout_s = 60);
};
Background start(const std::vector<std::string>& argv);

std::string gotrace();
std::string fixture(const std::string& name);  // e.g. "types-N"
std::string source_dir();

// "Process 123 has exited" -> "Process PID has exited"; 0xc000012345 ->
// 0xADDR; the source tree's absolute path -> $SRC.
std::string normalize(const std::string& text);

std::vector<std::string> lines(const std::string& text);

// Fails the test at once when not root: eBPF tests must run, never skip.
void require_root();

}  // namespace gotrace::itest
