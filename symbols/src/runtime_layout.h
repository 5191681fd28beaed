// runtime.g offsets for binaries without DWARF (stripped with -w): a table
// by Go release, built from the runtime's runtime2.go.
#pragma once

#include "gotrace/symbols/binary.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace gotrace::symbols::detail {

struct GLayout {
  uint64_t goid = 0;
  uint64_t stack_hi = 0;
  // Empty when `go_version` is in the table; otherwise the nearest layout
  // was used and this says so, for the user.
  std::string warning;
};

// `go_version` as .go.buildinfo has it ("go1.19.8", "go1.21rc2", "devel
// go1.23-abcdef ..."); "" when unknown.
GLayout g_layout_for(std::string_view go_version, Machine machine);

}  // namespace gotrace::symbols::detail
