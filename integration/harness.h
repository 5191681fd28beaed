// Runs build/gotrace and other programs for the integration tests, and
// normalizes the parts of their output that change from run to run.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <utility>
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
// The same with stdin read from `stdin_path` instead of /dev/null.
Background start(const std::vector<std::string>& argv, const std::string& stdin_path);

// Polls b's stdout file (bounded, no fixed sleep) until a line starting with
// `prefix` is complete; returns the rest of that line, or nullopt when the
// process exited or timeout_s passed first.
std::optional<std::string> wait_for_line(const Background& b, const std::string& prefix,
                                         int timeout_s = 30);
// Polls (bounded, no fixed sleep) until the file at `path` contains
// `needle`; false after timeout_ms.
bool wait_for_text(const std::string& path, const std::string& needle, int timeout_ms);
// The TracerPid of /proc/PID/status (0: not traced), -1 if unreadable.
int tracer_pid(pid_t pid);
// Copies of files (by path -> name) in a fresh /tmp directory that every
// user can read and run, for tests that drop to another user who may not
// reach the build tree (a checkout in a 0700 directory). Removed at the end.
class ReadableCopies {
 public:
  explicit ReadableCopies(const std::vector<std::pair<std::string, std::string>>& files);
  ~ReadableCopies();
  ReadableCopies(const ReadableCopies&) = delete;
  ReadableCopies& operator=(const ReadableCopies&) = delete;
  const std::string& dir() const { return dir_; }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }

 private:
  std::string dir_;
};

// Runs `gotrace trace --pid PID 'main\.tick$'` on a running ticker fixture
// until the first return, interrupts it, and checks the whole output:
// consecutive ticks, each entry followed by its return, then "gotrace:
// interrupted; detached from process PID", exit status 128+SIGINT.
void expect_ticker_trace_until_interrupted(pid_t pid);
// A headless server (gotrace or dlv) started in the background, with the
// port read from its "API server listening at: 127.0.0.1:PORT" line.
struct Server {
  Background proc;
  int port = -1;  // -1: the line never came
};
Server start_server(const std::vector<std::string>& argv, int timeout_s = 30);
// build/gotrace exec --headless --listen=127.0.0.1:0 --api-version=2 [extra...] BINARY
Server start_gotrace_exec(const std::string& binary, const std::vector<std::string>& extra = {});

// The children of `pid` (/proc/PID/task/*/children); polls (bounded) until
// there is at least one. Empty if none came within timeout_ms.
std::vector<pid_t> wait_children(pid_t pid, int timeout_ms = 10000);

// True while `pid` exists and is not a zombie.
bool pid_alive(pid_t pid);
// Polls (bounded) until pid is gone; true if it went.
bool wait_pid_gone(pid_t pid, int timeout_ms);
// A TCP port on 127.0.0.1 that was free a moment ago (bind to 0, close).
int free_tcp_port();
std::string slurp_file(const std::string& path);

std::string gotrace();
std::string fixture(const std::string& name);  // e.g. "types-N"
std::string source_dir();

// "Process 123 has exited" -> "Process PID has exited"; 0xc000012345 ->
// 0xADDR; a return line's duration " [1.5µs]" -> " [DUR]"; stack colour
// escapes dropped; the source tree's absolute path -> $SRC.
std::string normalize(const std::string& text);
// A return line's duration as format_duration prints it, at the line's end.
inline constexpr const char* kDurationPattern = R"( \[(?:\d+ns|\d+(?:\.\d{1,3})?(?:µs|ms)|(?:\d+h)?(?:\d+m)?\d+(?:\.\d{1,3})?s)\](\n|$))";

std::vector<std::string> lines(const std::string& text);

// Fails the test at once when not root: eBPF tests must run, never skip.
void require_root();

// The tracing backend this run of the suite exercises. build/gotrace reads
// GOTRACE_BACKEND itself (ctest registers the suite once per backend), so
// the tests pass no flag; this only tells them which output to expect.
// Unset or "auto" is eBPF: the suite runs as root, where auto picks eBPF.
enum class Backend { ebpf, ptrace };
Backend backend();
const char* backend_name(Backend b);  // "ebpf", "ptrace"

}  // namespace gotrace::itest
