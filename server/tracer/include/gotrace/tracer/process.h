// The traced process: launched by us (held before exec until the probes are
// armed, so not one call is missed) or attached by pid.
#pragma once

#include "gotrace/support/result.h"
#include "gotrace/tracer/credentials.h"

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace gotrace::tracer {

struct LaunchOptions {
  std::string cwd;                                   // empty: ours
  std::vector<std::pair<std::string, std::string>> env_set;  // added/replaced
  std::vector<std::string> env_unset;
  // Pipe the program's stdout and stderr to us (stdout_fd()/stderr_fd())
  // instead of letting it inherit ours.
  bool capture_output = false;
  // Run the program as this user instead of as ourselves (a client of
  // another uid launched it): the child takes their identity before it
  // changes directory and execs, so the kernel checks both as them.
  std::optional<Credentials> run_as;
};

class Process {
 public:
  // Forks a child that waits before exec'ing `path` with `args` (argv[1..]).
  // The child is released by resume(). Fails if `path` cannot be executed.
  static Result<std::unique_ptr<Process>> launch(const std::string& path,
                                                 const std::vector<std::string>& args,
                                                 const LaunchOptions& opts = {});
  // Refers to a running process we did not start.
  static Result<std::unique_ptr<Process>> attach(pid_t pid);
  ~Process();  // a launched process that is still held or running is killed

  pid_t pid() const { return pid_; }
  bool launched() const { return launched_; }
  // The executable as the kernel sees it (/proc/PID/exe for attached ones).
  const std::string& executable() const { return exe_; }

  Result<void> resume();
  // Non-blocking: the exit status once the process has ended: the exit code,
  // or minus the signal number if a signal killed it. For an attached process
  // (not our child) it is read while the process is a zombie; once its parent
  // has reaped it the status is unknown and reported as 0.
  std::optional<int> poll_exit();
  // fd that becomes readable when the process exits (pidfd).
  int exit_fd() const { return pidfd_; }
  // With capture_output: the read ends of the program's stdout and stderr
  // (owned by the caller after take_output_fds; -1 otherwise).
  std::pair<int, int> take_output_fds();
  // Kills a launched process (SIGKILL) and reaps it; no-op for attached ones.
  void kill_launched();

 private:
  Process() = default;
  pid_t pid_ = -1;
  bool launched_ = false;
  bool held_ = false;
  bool exited_ = false;
  int exit_status_ = 0;
  int release_fd_ = -1;  // write end of the pipe the held child waits on
  int report_fd_ = -1;   // read end of the pipe that reports a failed exec
  int pidfd_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string exe_;
};

}  // namespace gotrace::tracer
