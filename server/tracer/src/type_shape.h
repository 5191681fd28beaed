// Go types (from DWARF) as the ABI sees them.
#pragma once

#include "gotrace/arch/abi.h"
#include "gotrace/symbols/types.h"

namespace gotrace::tracer {

arch::AbiType abi_type_of(const symbols::Type& t);

// True for kinds held in one integer register (pointer-shaped or scalar).
bool is_float_kind(symbols::Kind k);

}  // namespace gotrace::tracer
