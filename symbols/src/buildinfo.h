// Go toolchain version from .go.buildinfo (the same data `go version` reads).
#pragma once

#include "elf_file.h"

#include <optional>
#include <string>

namespace gotrace::symbols::detail {

// nullopt when the section is absent or malformed.
std::optional<std::string> read_go_version(const ElfFile& file);

}  // namespace gotrace::symbols::detail
