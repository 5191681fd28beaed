#include "ptrace_messages.h"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>

namespace gotrace::tracer {
namespace {

// The value of `key:` in /proc/PID/status, or "".
std::string status_field(pid_t pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.compare(0, key.size() + 1, key + ":") == 0) {
      size_t v = line.find_first_not_of(" \t", key.size() + 1);
      return v == std::string::npos ? "" : line.substr(v);
    }
  return "";
}

std::string first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

}  // namespace

bool same_thread_group(pid_t tid, pid_t pid) {
  return status_field(tid, "Tgid") == std::to_string(pid);
}

bool signal_pending(pid_t tid, int sig) {
  std::string mask = status_field(tid, "SigPnd");
  if (mask.empty()) return false;
  uint64_t bits = std::stoull(mask, nullptr, 16);
  return (bits >> (sig - 1)) & 1;
}

Error seize_error(pid_t pid, int err) {
  std::string who = "process " + std::to_string(pid);
  if (err == ESRCH) return make_error(Errc::not_found, "cannot trace " + who + ": it has exited");
  if (err == EPERM) {
    std::string tracer = status_field(pid, "TracerPid");
    if (!tracer.empty() && tracer != "0") {
      std::string comm = first_line("/proc/" + tracer + "/comm");
      return make_error(Errc::permission, "cannot trace " + who + ": it is already traced by process " +
                                              tracer + (comm.empty() ? "" : " (" + comm + ")") +
                                              "; detach that debugger first");
    }
    std::string scope = first_line("/proc/sys/kernel/yama/ptrace_scope");
    if (!scope.empty() && scope != "0")
      return make_error(Errc::permission,
                        "cannot trace " + who + ": not permitted (kernel.yama.ptrace_scope=" + scope +
                            " lets a process trace only its own descendants unless it has "
                            "CAP_SYS_PTRACE; launch the program with gotrace instead, or run as root)");
    return make_error(Errc::permission, "cannot trace " + who + ": not permitted (it belongs to "
                                        "another user, or is not dumpable)");
  }
  return make_error(Errc::io, "cannot trace " + who + ": " + std::strerror(err));
}

std::string exec_notice(pid_t pid) {
  return "gotrace: process " + std::to_string(pid) +
         " executed a new program; it is no longer traced";
}

std::string fork_notice(pid_t pid, pid_t child) {
  return "gotrace: process " + std::to_string(pid) + " forked process " + std::to_string(child) +
         ", which runs untraced";
}

}  // namespace gotrace::tracer
