// Who may wait for a traced child. A ptrace tracer thread must be the only
// waiter for its tracees: any other thread of this process calling waitpid on
// the same pid would take the tracee's ptrace stops (the kernel reports them
// to the whole thread group of its real parent) and leave it stopped forever.
// So while the ptrace backend holds a process, Process asks here for its exit
// status instead of calling waitpid, and the tracer thread, which reaps it,
// leaves the status here.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>

namespace gotrace::tracer::child_exits {

// The ptrace backend holds `pid` (until release()).
void claim(pid_t pid);
void release(pid_t pid);
bool claimed(pid_t pid);

// The tracer reaped `pid`: its exit code, or minus the killing signal.
void record(pid_t pid, int status);
// The status record() left, if any (kept until forget()).
std::optional<int> status(pid_t pid);
// Waits up to `timeout` for record(pid, ...).
std::optional<int> wait(pid_t pid, std::chrono::milliseconds timeout);
void forget(pid_t pid);

}  // namespace gotrace::tracer::child_exits
