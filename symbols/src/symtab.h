// Functions and symbol addresses from .symtab.
#pragma once

#include "elf_file.h"
#include "gotrace/symbols/binary.h"

#include <string>
#include <unordered_map>
#include <vector>

namespace gotrace::symbols::detail {

struct SymbolTable {
  std::vector<Function> functions;        // sorted by name
  std::vector<uint32_t> by_address;       // indices into functions, sorted by entry
  std::unordered_map<std::string, uint64_t> addresses;  // every named symbol
};

Result<SymbolTable> read_symtab(const ElfFile& file);

}  // namespace gotrace::symbols::detail
