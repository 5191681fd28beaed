// Functions and symbol addresses from .symtab or, for a stripped binary,
// from the Go pc-line table.
#pragma once

#include "elf_file.h"
#include "gotrace/symbols/binary.h"
#include "pclntab.h"

#include <string>
#include <unordered_map>
#include <vector>

namespace gotrace::symbols::detail {

struct SymbolTable {
  std::vector<Function> functions;        // sorted by name, then entry
  std::vector<uint32_t> by_address;       // indices into functions, sorted by entry
  std::unordered_map<std::string, uint64_t> addresses;  // every named symbol
};

Result<SymbolTable> read_symtab(const ElfFile& file);

// The .gopclntab section, or without section headers for it the bytes
// between the runtime.pclntab and runtime.epclntab symbols of `symbols`.
Result<PclnTable> read_pclntab(const ElfFile& file, const SymbolTable& symbols);

// Functions as read_symtab() would give them, from the pc-line table: no
// assembly (the table does not record ABIs), and of the functions sharing a
// name the first only (the ABIInternal body; the linker emits its ABI0
// wrapper after it), except generic "pkg.F[...]" instantiations.
SymbolTable symtab_from_pclntab(const PclnTable& table);

}  // namespace gotrace::symbols::detail
