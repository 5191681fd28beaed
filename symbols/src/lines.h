// PC <-> source line through the DWARF line tables.
#pragma once

#include "dwarf_index.h"
#include "gotrace/symbols/binary.h"

#include <optional>
#include <string_view>
#include <vector>

namespace gotrace::symbols::detail {

std::optional<SourceLine> pc_to_line(DwarfIndex& index, uint64_t pc);
std::vector<uint64_t> line_to_pcs(DwarfIndex& index, std::string_view file, int line);
std::vector<std::string> source_files(DwarfIndex& index);
std::optional<uint64_t> prologue_end(DwarfIndex& index, uint64_t entry, uint64_t end);
// "prog.go" and "b/prog.go" match "/a/b/prog.go"; "rog.go" does not.
bool path_suffix_match(std::string_view path, std::string_view suffix);

}  // namespace gotrace::symbols::detail
