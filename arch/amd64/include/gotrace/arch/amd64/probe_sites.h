// amd64 probe-site finder (Zydis). Internal to `arch`: reached through
// gotrace::arch::find_probe_sites, which dispatches on Machine.
#pragma once

#include "gotrace/arch/probe_sites.h"

#include <cstdint>
#include <span>

namespace gotrace::arch::amd64 {

// Same contract as gotrace::arch::find_probe_sites for Machine::amd64.
Result<ProbeSites> find_probe_sites(std::span<const uint8_t> code,
                                    uint64_t entry, uint64_t deferreturn_addr);

}  // namespace gotrace::arch::amd64
