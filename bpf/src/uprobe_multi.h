// Raw BPF_LINK_CREATE for uprobe_multi links. Debian 12's libbpf (1.1.2) and
// its UAPI headers predate uprobe_multi (kernel 6.6, libbpf 1.3), so the
// attribute layout is spelled out here from the kernel's union bpf_attr.
#pragma once

#include "gotrace/support/result.h"

#include <sys/types.h>

#include <cstdint>
#include <span>
#include <string>

namespace gotrace::bpf {

inline constexpr uint32_t kAttachUprobeMulti = 48;  // BPF_TRACE_UPROBE_MULTI

// Creates one link for all offsets; returns its fd (owned by the caller).
Result<int> create_uprobe_multi_link(int prog_fd, const std::string& path,
                                     std::span<const uint64_t> offsets,
                                     std::span<const uint64_t> cookies,
                                     pid_t pid);

}  // namespace gotrace::bpf
