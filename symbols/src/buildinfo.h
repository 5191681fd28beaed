// Go toolchain version from .go.buildinfo (the same data `go version` reads).
#pragma once

#include "elf_file.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>

namespace gotrace::symbols::detail {

// nullopt when the section is absent or malformed.
std::optional<std::string> read_go_version(const ElfFile& file);

// Reads `size` bytes at a link-time address; nullopt if not file-backed.
using ReadAt = std::function<std::optional<std::span<const uint8_t>>(uint64_t addr, uint64_t size)>;

// The version in the bytes of a .go.buildinfo section: the "\xff Go
// buildinf:" header at a 16-byte-aligned offset, then either (flags & 2,
// Go 1.18+) varint-length-prefixed strings inline, or (before 1.18) a
// pointer to runtime.buildVersion, a Go string header that `read` resolves.
std::optional<std::string> parse_go_version(std::span<const uint8_t> section, const ReadAt& read);

}  // namespace gotrace::symbols::detail
