#include "gotrace/tracer/process.h"

#include "child_exits.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace gotrace::tracer {
namespace {

int pidfd_open(pid_t pid) { return static_cast<int>(syscall(SYS_pidfd_open, pid, 0)); }

std::string errno_text() { return std::strerror(errno); }

// The status of a process that has exited but is not reaped yet (a zombie
// keeps its wait status in /proc/PID/stat's exit_code, field 52), in
// poll_exit's form; nullopt once its parent has reaped it.
std::optional<int> zombie_exit_status(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!std::getline(f, stat)) return std::nullopt;
  size_t rp = stat.rfind(')');
  if (rp == std::string::npos) return std::nullopt;
  std::istringstream rest(stat.substr(rp + 2));
  std::string field;
  for (int i = 3; rest >> field; i++) {
    if (i == 3 && field != "Z") return std::nullopt;
    if (i == 52) {
      int status = std::stoi(field);
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return -WTERMSIG(status);
      return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace

Result<std::unique_ptr<Process>> Process::launch(const std::string& path,
                                                 const std::vector<std::string>& args,
                                                 const LaunchOptions& opts) {
  if (!opts.run_as && access(path.c_str(), X_OK) != 0)
    return make_error(errno == ENOENT ? Errc::not_found : Errc::permission,
                      "cannot execute " + path + ": " + errno_text());
  // The child blocks reading `hold` until the probes are armed; a second pipe
  // with O_CLOEXEC reports an exec failure back to us.
  int hold[2], report[2], out[2] = {-1, -1}, err[2] = {-1, -1};
  if (pipe2(hold, O_CLOEXEC) != 0 || pipe2(report, O_CLOEXEC) != 0)
    return make_error(Errc::io, "pipe: " + errno_text());
  if (opts.capture_output && (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0))
    return make_error(Errc::io, "pipe: " + errno_text());
  if (!opts.run_as && !opts.cwd.empty() && access(opts.cwd.c_str(), X_OK) != 0)
    return make_error(Errc::not_found, "cannot use working directory " + opts.cwd + ": " + errno_text());
  std::vector<std::string> argv_store{path};
  argv_store.insert(argv_store.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_store) argv.push_back(a.data());
  argv.push_back(nullptr);

  pid_t pid = fork();
  if (pid < 0) return make_error(Errc::io, "fork: " + errno_text());
  if (pid == 0) {
    close(hold[1]);
    close(report[0]);
    // The tracer blocks SIGINT/SIGTERM to read them from a signalfd; the
    // program must start with the default mask and dispositions.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    signal(SIGPIPE, SIG_DFL);
    if (opts.capture_output) {
      dup2(out[1], STDOUT_FILENO);
      dup2(err[1], STDERR_FILENO);
    }
    if (opts.run_as && !become(*opts.run_as)) {
      int e = errno;
      (void)!write(report[1], &e, sizeof e);
      _exit(127);
    }
    if (!opts.cwd.empty() && chdir(opts.cwd.c_str()) != 0) {
      int e = errno;
      (void)!write(report[1], &e, sizeof e);
      _exit(127);
    }
    if (opts.run_as) {
      // Not ours: their home and name, unless the launch sets them.
      setenv("HOME", opts.run_as->home.empty() ? "/" : opts.run_as->home.c_str(), 1);
      setenv("USER", opts.run_as->name.c_str(), 1);
      setenv("LOGNAME", opts.run_as->name.c_str(), 1);
    }
    for (const auto& [k, v] : opts.env_set) setenv(k.c_str(), v.c_str(), 1);
    for (const auto& k : opts.env_unset) unsetenv(k.c_str());
    char c;
    // EOF (parent gone) also releases the child, which then must not run
    // untraced: exit instead.
    if (read(hold[0], &c, 1) != 1) _exit(127);
    execv(path.c_str(), argv.data());
    int err = errno;
    (void)!write(report[1], &err, sizeof err);
    _exit(127);
  }
  close(hold[0]);
  close(report[1]);
  if (opts.capture_output) {
    close(out[1]);
    close(err[1]);
  }
  std::unique_ptr<Process> p(new Process());
  p->pid_ = pid;
  p->launched_ = true;
  p->held_ = true;
  p->release_fd_ = hold[1];
  p->pidfd_ = pidfd_open(pid);
  p->exe_ = std::filesystem::absolute(path).string();
  p->report_fd_ = report[0];
  p->out_fd_ = out[0];
  p->err_fd_ = err[0];
  return p;
}

Result<std::unique_ptr<Process>> Process::attach(pid_t pid) {
  if (pid <= 0) return make_error(Errc::invalid_argument, "invalid pid " + std::to_string(pid));
  if (::kill(pid, 0) != 0 && errno == ESRCH)
    return make_error(Errc::not_found, "no process with pid " + std::to_string(pid));
  std::unique_ptr<Process> p(new Process());
  p->pid_ = pid;
  p->pidfd_ = pidfd_open(pid);
  if (p->pidfd_ < 0)
    return make_error(Errc::not_found, "no process with pid " + std::to_string(pid));
  char buf[PATH_MAX];
  std::string link = "/proc/" + std::to_string(pid) + "/exe";
  ssize_t n = readlink(link.c_str(), buf, sizeof buf - 1);
  if (n < 0)
    return make_error(Errc::permission, "cannot read " + link + ": " + errno_text());
  // Through /proc/PID/exe the kernel opens the very inode the process runs,
  // even if the path was replaced or lives in another mount namespace.
  p->exe_ = link;
  return p;
}

Process::~Process() {
  kill_launched();
  if (release_fd_ >= 0) close(release_fd_);
  if (report_fd_ >= 0) close(report_fd_);
  if (out_fd_ >= 0) close(out_fd_);
  if (err_fd_ >= 0) close(err_fd_);
  if (pidfd_ >= 0) close(pidfd_);
  if (pid_ > 0) child_exits::forget(pid_);
}

std::pair<int, int> Process::take_output_fds() {
  std::pair<int, int> fds{out_fd_, err_fd_};
  out_fd_ = err_fd_ = -1;
  return fds;
}

Result<void> Process::resume() {
  if (!held_) return {};
  held_ = false;
  int report_fd = report_fd_;
  report_fd_ = -1;
  char go = 'g';
  bool ok = write(release_fd_, &go, 1) == 1;
  close(release_fd_);
  release_fd_ = -1;
  // The report pipe closes on a successful exec (O_CLOEXEC) or carries errno.
  int err = 0;
  ssize_t n = read(report_fd, &err, sizeof err);
  close(report_fd);
  if (!ok) return make_error(Errc::io, "could not release the target process");
  if (n == sizeof err)
    return make_error(Errc::io, "could not start " + exe_ + ": " + std::strerror(err));
  return {};
}

std::optional<int> Process::poll_exit() {
  if (exited_) return exit_status_;
  if (auto st = child_exits::status(pid_)) {
    exited_ = true;
    exit_status_ = *st;
    return exit_status_;
  }
  // The ptrace tracer thread alone may wait for a process it holds.
  if (child_exits::claimed(pid_)) return std::nullopt;
  if (launched_) {
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exited_ = true;
      exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
      return exit_status_;
    }
    return std::nullopt;
  }
  // Not our child: it has exited once its pidfd is readable, which it is
  // from the moment the process is a zombie. kill(pid, 0) still succeeds on
  // a zombie, so a parent slow to reap it would keep us waiting forever.
  pollfd pfd{pidfd_, POLLIN, 0};
  bool gone = pidfd_ >= 0 ? poll(&pfd, 1, 0) == 1 : ::kill(pid_, 0) != 0 && errno == ESRCH;
  if (gone) {
    exited_ = true;
    exit_status_ = zombie_exit_status(pid_).value_or(0);
    return exit_status_;
  }
  return std::nullopt;
}

void Process::kill_launched() {
  if (!launched_ || exited_ || pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  if (child_exits::claimed(pid_) || child_exits::status(pid_)) {
    // Its tracer thread reaps it.
    (void)child_exits::wait(pid_, std::chrono::seconds(5));
  } else {
    int status;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  exited_ = true;
  exit_status_ = -SIGKILL;
}

}  // namespace gotrace::tracer
