// Go's stack calling convention (ABI0): every argument and result in memory,
// as Go compiled all code before the register ABI (amd64 before Go 1.17,
// arm64 before 1.18) and as assembly functions still receive them.
#pragma once

#include "gotrace/arch/abi.h"

#include <span>
#include <string_view>

namespace gotrace::arch {

// Arguments in order from the first argument slot, each at its alignment;
// results after them, starting at a pointer-aligned offset. Offsets include
// stack_args_offset() (the return address or LR slot).
FrameLayout assign_stack_frame(Machine m, std::span<const AbiType> params,
                               std::span<const AbiType> results);

// Whether a binary built by Go `go_version` ("go1.16.15", as
// .go.buildinfo says) passes arguments in registers on `m`. An unknown or
// unparsable version counts as a register-ABI release (every Go gotrace's
// runtime table knows is one).
bool uses_register_abi(Machine m, std::string_view go_version);

}  // namespace gotrace::arch
