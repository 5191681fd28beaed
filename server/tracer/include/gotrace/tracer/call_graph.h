// `--follow-calls N`: the functions a traced root calls, and what those
// call, as Delve 1.27's debugger.traverse finds them for `dlv trace
// --follow-calls` and ListFunctions(filter, N).
#pragma once

#include "gotrace/symbols/binary.h"

#include <vector>

namespace gotrace::tracer {

struct FollowedFunction {
  const symbols::Function* function = nullptr;
  int depth = 1;          // the root is 1, what it calls 2, ...
  bool by_value = false;  // reached only through a function value taken on the way
};

// Breadth first from each root down to `depth` (a root alone at 1), each
// function once at its smallest depth, roots first. Delve leaves the
// runtime out except where the program's own code comes back through it
// (deferreturn, gopanic, gorecover); so does this. Delve finds calls
// through registers when they happen (a breakpoint at each); the code says
// where a closure, a deferred function or a function passed on comes from
// (the function that takes its address), so those are followed from there,
// one level down, and marked `by_value`. Interface method calls are not.
std::vector<FollowedFunction> follow_calls(const symbols::Binary& bin,
                                           const std::vector<const symbols::Function*>& roots,
                                           int depth);

}  // namespace gotrace::tracer
