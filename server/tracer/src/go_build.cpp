#include "gotrace/tracer/go_build.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace gotrace::tracer {

namespace {

// The child's exit statuses for what failed before the go tool ran.
constexpr int kCannotEnter = 126;
constexpr int kNoGoTool = 127;

}  // namespace

Result<void> go_build_for_debug(const GoBuild& b, const std::string& output, std::string* log) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (b.as) {
    if (auto r = check_access_as(*b.as, b.package, R_OK); !r) return r.error();
  } else if (!fs::exists(b.package, ec)) {
    return make_error(Errc::not_found, "package directory " + b.package + " does not exist");
  }
  const bool is_dir = fs::is_directory(b.package, ec);
  const fs::path dir = is_dir ? fs::path(b.package) : fs::path(b.package).parent_path();
  std::vector<std::string> argv{"go"};
  if (b.test)
    argv.insert(argv.end(), {"test", "-c"});
  else
    argv.push_back("build");
  argv.push_back("-gcflags=all=-N -l");
  argv.insert(argv.end(), b.flags.begin(), b.flags.end());
  argv.insert(argv.end(), {"-o", fs::absolute(output, ec).string()});
  if (!b.test && !is_dir) argv.push_back(fs::path(b.package).filename().string());
  std::vector<char*> av;
  for (auto& a : argv) av.push_back(a.data());
  av.push_back(nullptr);
  // Prepared before fork: the child only calls async-signal-safe functions.
  const std::string home = b.as ? (b.as->home.empty() ? "/" : b.as->home) : "";
  const std::string where = dir.empty() ? "." : dir.string();

  int pipefd[2] = {-1, -1};
  if (log && pipe2(pipefd, O_CLOEXEC) != 0) return make_error(Errc::io, std::string("pipe: ") + std::strerror(errno));
  pid_t pid = fork();
  if (pid < 0) {
    int err = errno;
    if (log) {
      close(pipefd[0]);
      close(pipefd[1]);
    }
    return make_error(Errc::io, std::string("fork: ") + std::strerror(err));
  }
  if (pid == 0) {
    if (b.as && (!become(*b.as) || setenv("HOME", home.c_str(), 1) != 0)) _exit(kCannotEnter);
    if (chdir(where.c_str()) != 0) _exit(kCannotEnter);
    // Without a log, the build's stdout would mix with the trace on ours;
    // the compiler writes its diagnostics to stderr anyway.
    dup2(log ? pipefd[1] : STDERR_FILENO, STDOUT_FILENO);
    if (log) dup2(pipefd[1], STDERR_FILENO);
    execvp("go", av.data());
    _exit(kNoGoTool);
  }
  size_t logged = 0;
  if (log) {
    close(pipefd[1]);
    logged = log->size();
    char buf[4096];
    ssize_t n;
    while ((n = read(pipefd[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
      if (n > 0) log->append(buf, static_cast<size_t>(n));
    close(pipefd[0]);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  const bool said_nothing = !log || log->size() == logged;
  if (WIFEXITED(status) && WEXITSTATUS(status) == kNoGoTool && said_nothing)
    return make_error(Errc::not_found, "cannot run the go tool (is Go installed and on PATH?)");
  if (WIFEXITED(status) && WEXITSTATUS(status) == kCannotEnter && said_nothing)
    return make_error(Errc::permission, "build failed: cannot enter " + where);
  if (log) return make_error(Errc::invalid_argument, "build failed: " + log->substr(logged));
  return make_error(Errc::invalid_argument, "could not build the package in " + b.package);
}

}  // namespace gotrace::tracer
