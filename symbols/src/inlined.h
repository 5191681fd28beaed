// Where the compiler inlined a function: DWARF's inlined subroutines.
#pragma once

#include "dwarf_index.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace gotrace::symbols::detail {

// Function name (of the abstract origin) -> the first pc of each inlined
// copy of it, in address order. One pass over every compile unit.
std::map<std::string, std::vector<uint64_t>, std::less<>> index_inlined_calls(DwarfIndex& index);

}  // namespace gotrace::symbols::detail
