#include "go_build.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

namespace gotrace::cli {

Result<void> go_build_for_debug(const std::string& pkgdir, const std::string& output) {
  std::error_code ec;
  if (!std::filesystem::is_directory(pkgdir, ec))
    return make_error(Errc::not_found, "package directory " + pkgdir + " does not exist");
  std::string out_abs = std::filesystem::absolute(output).string();
  pid_t pid = fork();
  if (pid < 0) return make_error(Errc::io, std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    if (chdir(pkgdir.c_str()) != 0) _exit(126);
    // stdout of the build would mix with trace output; the compiler writes
    // its diagnostics to stderr anyway.
    dup2(STDERR_FILENO, STDOUT_FILENO);
    execlp("go", "go", "build", "-gcflags=all=-N -l", "-o", out_abs.c_str(), ".",
           static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
    return make_error(Errc::not_found, "cannot run the go tool (is Go installed and on PATH?)");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return make_error(Errc::invalid_argument, "could not build the package in " + pkgdir);
  return {};
}

}  // namespace gotrace::cli
