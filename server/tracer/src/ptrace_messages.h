// What the ptrace backend tells the user when the target is out of its reach
// or changes under it: each message names the process and what to do.
#pragma once

#include "gotrace/support/result.h"

#include <sys/types.h>

#include <string>

namespace gotrace::tracer {

// Why PTRACE_SEIZE of `pid` failed with `err`: another tracer (named by
// pid and command), Yama's ptrace_scope, or the plain system error.
Error seize_error(pid_t pid, int err);
std::string exec_notice(pid_t pid);
std::string fork_notice(pid_t pid, pid_t child);

// True if `sig` is queued for thread `tid` alone (SigPnd).
bool signal_pending(pid_t tid, int sig);

// True if `tid` is a thread of process `pid` (false if it is gone).
bool same_thread_group(pid_t tid, pid_t pid);

}  // namespace gotrace::tracer
