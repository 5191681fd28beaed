// Running one system call inside a stopped tracee: how the ptrace backend
// maps the page its displaced instructions run from, near the code they were
// copied from (rip-relative operands must stay in reach).
#pragma once

#include "gotrace/support/result.h"
#include "ptrace_memory.h"

#include <sys/types.h>

#include <cstdint>

namespace gotrace::tracer {

// Maps `len` bytes readable and executable at exactly `addr` in the process
// of the stopped thread `tid` (MAP_FIXED_NOREPLACE: fails rather than replace
// a mapping). The thread's registers and memory are restored; a signal that
// arrived meanwhile is returned in *pending_signal for the caller to deliver.
Result<uint64_t> inject_mmap(pid_t tid, TargetMemoryFile& mem, uint64_t addr, uint64_t len,
                             int* pending_signal);

}  // namespace gotrace::tracer
