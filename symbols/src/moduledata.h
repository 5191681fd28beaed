// runtime.firstmoduledata: where Go 1.26+ binaries keep their text start.
//
// Go 1.18-1.25 wrote the text start into the pc-line table's header
// (pcHeader.textStart); Go 1.26 leaves that word zero because it needed a
// dynamic relocation (golang/go#76038, runtime/symtab.go: "Code should use
// the moduledata text field instead"), and moves moduledata into a section
// of its own, .go.module. moduledata's first words have kept one order since
// Go 1.16: pcHeader, six slices (funcnametab, cutab, filetab, pctab,
// pclntable, ftab), findfunctab, minpc, maxpc, text.
#pragma once

#include "elf_file.h"

#include <cstdint>
#include <optional>

namespace gotrace::symbols::detail {


// moduledata.text (runtime.text, where functab offsets count from) as
// recorded by the moduledata whose pcHeader points at
// `pclntab_addr`: the .go.module section (Go 1.26+), else a search of the
// data sections for that pointer (older or relinked binaries). A word the
// file holds as 0 is read from its dynamic relocation (PIE). nullopt when no
// moduledata is found or what it says is not a text range.
std::optional<uint64_t> moduledata_text(const ElfFile& file, uint64_t pclntab_addr);

}  // namespace gotrace::symbols::detail
