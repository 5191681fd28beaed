// The functions a function calls directly (CALL rel32 on amd64, BL on
// arm64) and the addresses it takes (function values, closures' code):
// what `--follow-calls` follows. Where a call through a register lands
// (interface methods) is not in the code.
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

// The addresses `code` computes from the pc (LEA [rip+disp] on amd64,
// ADRP+ADD on arm64), in order of first appearance, each once.
Result<std::vector<uint64_t>> address_references(Machine m, std::span<const uint8_t> code,
                                                 uint64_t entry);

// The addresses of the instructions every call runs in order from the
// entry: up to the first one that can transfer control (a jump, branch,
// call or return; that one included), passing over the branch at
// `skip_branch` (the stack check's, which comes back to the entry).
Result<std::vector<uint64_t>> straight_line(Machine m, std::span<const uint8_t> code, uint64_t entry,
                                            uint64_t skip_branch);

}  // namespace gotrace::arch
