// The functions a function calls directly (CALL rel32 on amd64, BL on
// arm64): what `--follow-calls` follows. Calls through registers (closures,
// interface methods) are not in the code and are not found.
#pragma once

#include "gotrace/arch/machine.h"
#include "gotrace/support/result.h"

#include <cstdint>
#include <span>
#include <vector>

namespace gotrace::arch {

// The targets of the direct calls in `code` (the bytes of [entry, entry +
// code.size())), in order of first appearance, each once.
Result<std::vector<uint64_t>> direct_call_targets(Machine m, std::span<const uint8_t> code,
                                                  uint64_t entry);

}  // namespace gotrace::arch
