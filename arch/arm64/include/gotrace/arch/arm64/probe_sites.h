// arm64 probe-site finder (fixed-width mask compares). Internal to `arch`:
// reached through gotrace::arch::find_probe_sites.
#pragma once

#include "gotrace/arch/probe_sites.h"

#include <cstdint>
#include <span>

namespace gotrace::arch::arm64 {

// Same contract as gotrace::arch::find_probe_sites for Machine::arm64.
Result<ProbeSites> find_probe_sites(std::span<const uint8_t> code,
                                    uint64_t entry, uint64_t deferreturn_addr);

}  // namespace gotrace::arch::arm64
