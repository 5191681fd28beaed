// Function signatures from DW_TAG_subprogram DIEs.
#pragma once

#include "dwarf_index.h"
#include "dwarf_types.h"
#include "gotrace/symbols/binary.h"

namespace gotrace::symbols::detail {

Result<Signature> read_signature(DwarfIndex& index, TypeTable& types, const Function& fn,
                                 const std::string& path);

}  // namespace gotrace::symbols::detail
