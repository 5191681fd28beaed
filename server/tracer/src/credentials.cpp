#include "gotrace/tracer/credentials.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace gotrace::tracer {
namespace {

std::string who(const Credentials& c) {
  std::string id = "uid " + std::to_string(c.uid);
  return c.name.empty() ? id : c.name + " (" + id + ")";
}

// Runs `probe` as `c` in a child; returns its errno (0: allowed). Forking is
// what lets a root server ask the kernel on someone else's behalf: seteuid
// in our own process would change every thread's identity.
template <class Probe>
Result<int> errno_as(const Credentials& c, Probe probe) {
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) return make_error(Errc::io, std::string("pipe: ") + std::strerror(errno));
  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    close(report[0]);
    close(report[1]);
    return make_error(Errc::io, std::string("fork: ") + std::strerror(e));
  }
  if (pid == 0) {
    close(report[0]);
    int e = become(c) ? probe() : errno;
    (void)!write(report[1], &e, sizeof e);
    _exit(0);
  }
  close(report[1]);
  int e = 0;
  ssize_t n;
  do n = read(report[0], &e, sizeof e);
  while (n < 0 && errno == EINTR);
  close(report[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  if (n != static_cast<ssize_t>(sizeof e))
    return make_error(Errc::io, "could not check the permissions of " + who(c));
  return e;
}

}  // namespace

Result<Credentials> credentials_of(uid_t uid) {
  Credentials c;
  c.uid = uid;
  c.gid = static_cast<gid_t>(uid);
  long size = sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buf(size > 0 ? static_cast<size_t>(size) : 16384);
  passwd pw{};
  passwd* found = nullptr;
  if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) == 0 && found) {
    c.gid = pw.pw_gid;
    c.name = pw.pw_name;
    c.home = pw.pw_dir;
    int n = 32;
    std::vector<gid_t> groups(static_cast<size_t>(n));
    while (getgrouplist(pw.pw_name, pw.pw_gid, groups.data(), &n) < 0) groups.resize(static_cast<size_t>(n));
    groups.resize(static_cast<size_t>(n));
    c.groups = std::move(groups);
  }
  return c;
}

bool become(const Credentials& c) {
  // Groups first: after setuid we could no longer change them.
  return setgroups(c.groups.size(), c.groups.data()) == 0 && setgid(c.gid) == 0 && setuid(c.uid) == 0;
}

Result<void> check_access_as(const Credentials& c, const std::string& path, int mode) {
  auto e = errno_as(c, [&] { return access(path.c_str(), mode) == 0 ? 0 : errno; });
  if (!e) return e.error();
  if (*e != 0)
    return make_error(*e == ENOENT ? Errc::not_found : Errc::permission,
                      who(c) + " may not " + (mode & X_OK ? "run " : "read ") + path + ": " + std::strerror(*e));
  return {};
}

Result<void> check_ptrace_as(const Credentials& c, pid_t pid) {
  std::string mem = "/proc/" + std::to_string(pid) + "/mem";
  auto e = errno_as(c, [&] {
    int fd = open(mem.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    close(fd);
    return 0;
  });
  if (!e) return e.error();
  if (*e == ENOENT) return make_error(Errc::not_found, "no process with pid " + std::to_string(pid));
  if (*e != 0)
    return make_error(Errc::permission,
                      who(c) + " may not trace process " + std::to_string(pid) + ": " + std::strerror(*e));
  return {};
}

}  // namespace gotrace::tracer
