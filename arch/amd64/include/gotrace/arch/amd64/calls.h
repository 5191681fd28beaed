#pragma once

#include "gotrace/support/result.h"

#include <cstdint>
#include <span>
#include <vector>

namespace gotrace::arch::amd64 {

Result<std::vector<uint64_t>> direct_call_targets(std::span<const uint8_t> code, uint64_t entry);
Result<std::vector<uint64_t>> address_references(std::span<const uint8_t> code, uint64_t entry);
// The address of every instruction in `code` up to the first one that can
// transfer control (a jump, call or return), that one included, in order.
Result<std::vector<uint64_t>> straight_line(std::span<const uint8_t> code, uint64_t entry, uint64_t skip_branch);

}  // namespace gotrace::arch::amd64
