// `--follow-calls N`: the functions the traced ones call directly, and what
// those call, N calls deep (Delve HEAD's trace --follow-calls).
#pragma once

#include "gotrace/symbols/binary.h"

#include <vector>

namespace gotrace::cli {

// Callees of `roots` at depth 1..depth, each once, not including the roots;
// the stack-growth path (runtime.morestack*) is left out.
std::vector<const symbols::Function*> follow_calls(const symbols::Binary& bin,
                                                   const std::vector<const symbols::Function*>& roots,
                                                   int depth);

}  // namespace gotrace::cli
