#pragma once

#include "gotrace/support/result.h"

#include <cstdint>
#include <span>
#include <vector>

namespace gotrace::arch::arm64 {

Result<std::vector<uint64_t>> direct_call_targets(std::span<const uint8_t> code, uint64_t entry);
Result<std::vector<uint64_t>> address_references(std::span<const uint8_t> code, uint64_t entry);

}  // namespace gotrace::arch::arm64
