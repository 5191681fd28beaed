// Offsets inside kernel structures, from the running kernel's BTF, for the
// few reads the BPF program makes of kernel memory. Looked up only when a
// probe needs one: parsing the kernel's BTF costs ~12 MB and ~15 ms.
#pragma once

#include "gotrace/support/result.h"

#include <cstdint>

namespace gotrace::bpf {

// offsetof(struct task_struct, thread.fsbase) on amd64 kernels: the user
// thread pointer, where Go's g is found for ABI0 and external-link code.
Result<uint64_t> task_fsbase_offset();

}  // namespace gotrace::bpf
