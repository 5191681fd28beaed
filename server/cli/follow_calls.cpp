#include "follow_calls.h"

#include "gotrace/arch/calls.h"

#include <set>

namespace gotrace::cli {

std::vector<const symbols::Function*> follow_calls(const symbols::Binary& bin,
                                                   const std::vector<const symbols::Function*>& roots,
                                                   int depth) {
  arch::Machine m = bin.machine() == symbols::Machine::arm64 ? arch::Machine::arm64 : arch::Machine::amd64;
  std::set<const symbols::Function*> seen(roots.begin(), roots.end());
  std::vector<const symbols::Function*> out, level = roots;
  for (int d = 1; d <= depth && !level.empty(); d++) {
    std::vector<const symbols::Function*> next;
    for (const symbols::Function* fn : level) {
      auto code = bin.code(*fn);
      if (!code) continue;
      auto targets = arch::direct_call_targets(m, *code, fn->entry);
      if (!targets) continue;
      for (uint64_t t : *targets) {
        const symbols::Function* callee = bin.function_at(t);
        // Every prologue calls morestack: the stack-growth path, not a call
        // of the program's.
        if (!callee || callee->entry != t || callee->name.starts_with("runtime.morestack")) continue;
        if (!seen.insert(callee).second) continue;
        out.push_back(callee);
        next.push_back(callee);
      }
    }
    level = std::move(next);
  }
  return out;
}

}  // namespace gotrace::cli
