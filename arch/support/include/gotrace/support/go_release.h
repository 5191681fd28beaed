// The Go release a version string names, for the readers whose layout or
// calling convention changed between releases (the ABI in arch, pclntab,
// runtime.g and generic shapes in symbols): one parser for all of them.
#pragma once

#include <optional>
#include <string_view>

namespace gotrace {

// The minor release of "go1.N...", wherever it appears ("go1.19.8",
// "go1.21rc2", "devel go1.23-abcdef ..."); nullopt when none does.
std::optional<int> go_minor(std::string_view version);

}  // namespace gotrace
