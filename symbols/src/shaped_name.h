// Which functions the Go compiler gives a hidden generic dictionary
// argument, told from the symbol name alone (optimized builds' DWARF does
// not list it).
#pragma once

#include <string_view>

namespace gotrace::symbols::detail {

struct ShapedName {
  bool shaped = false;  // takes a dictionary: "pkg.F[go.shape.int]", "pkg.(*T[go.shape.int]).M"
  bool method = false;  // ... as a method of a generic type
};

// Closures inside a shaped function ("pkg.F[go.shape.int].func1", go/defer
// wrappers, range-over-func bodies "-range1"), method values ("-fm") and
// the compiler's type functions ("type:.eq.pkg.T[go.shape.int]") reach the
// dictionary through their closure or not at all: not shaped.
ShapedName classify_shaped(std::string_view fn);

}  // namespace gotrace::symbols::detail
