// Variables in scope at a PC (lexical blocks, inlined calls) with their
// DWARF locations there, and the CFA from the call frame information.
#pragma once

#include "dwarf_index.h"
#include "dwarf_types.h"
#include "gotrace/symbols/binary.h"

namespace gotrace::symbols::detail {

Result<std::vector<ScopedVariable>> read_variables_at(DwarfIndex& index, TypeTable& types,
                                                      const Function& fn, uint64_t pc,
                                                      const std::string& path);

// `sp_dwarf_reg` is the stack pointer's DWARF number (7 on amd64, 31 on arm64).
Result<int64_t> read_cfa_offset(DwarfIndex& index, uint64_t pc, int sp_dwarf_reg,
                                const std::string& path);

}  // namespace gotrace::symbols::detail
