#include "gotrace/tracer/call_graph.h"

#include "gotrace/arch/calls.h"

#include <cstring>
#include <deque>
#include <map>

namespace gotrace::tracer {
namespace {

// Delve's traverse: runtime callees are the runtime's business, except the
// three through which deferred and recovering code of the program runs.
bool left_out(const symbols::Function& fn) {
  if (fn.name == "runtime.deferreturn" || fn.name == "runtime.gopanic" || fn.name == "runtime.gorecover")
    return false;
  return fn.name.starts_with("runtime.") || fn.name.starts_with("runtime/internal");
}

const symbols::Function* entry_at(const symbols::Binary& bin, uint64_t pc) {
  const symbols::Function* fn = bin.function_at(pc);
  return fn && fn->entry == pc ? fn : nullptr;
}

// A function value is either the code address itself (a closure's code,
// stored into the closure object) or a static funcval in rodata whose
// first word is the code address (`main.f·f`).
const symbols::Function* function_value(const symbols::Binary& bin, uint64_t addr) {
  if (const symbols::Function* fn = entry_at(bin, addr)) return fn;
  auto word = bin.static_data(addr, 8);
  if (!word || word->size() < 8) return nullptr;
  uint64_t pc = 0;
  std::memcpy(&pc, word->data(), 8);
  return entry_at(bin, pc);
}

}  // namespace

std::vector<FollowedFunction> follow_calls(const symbols::Binary& bin,
                                           const std::vector<const symbols::Function*>& roots,
                                           int depth) {
  arch::Machine m = bin.machine() == symbols::Machine::arm64 ? arch::Machine::arm64 : arch::Machine::amd64;
  std::map<const symbols::Function*, size_t> index;
  std::vector<FollowedFunction> out;
  auto visit = [&](const symbols::Function* fn, int d, bool by_value, std::deque<FollowedFunction>& queue) {
    auto [it, fresh] = index.try_emplace(fn, out.size());
    if (fresh) {
      out.push_back({fn, d, by_value});
    } else if (out[it->second].depth > d) {
      out[it->second].depth = d;
      out[it->second].by_value = by_value;
    } else {
      return;
    }
    queue.push_back({fn, d, by_value});
  };
  for (const symbols::Function* root : roots) {
    std::deque<FollowedFunction> queue;
    visit(root, 1, false, queue);
    while (!queue.empty()) {
      FollowedFunction parent = queue.front();
      queue.pop_front();
      if (parent.depth + 1 > depth) continue;
      auto code = bin.code(*parent.function);
      if (!code) continue;
      if (auto calls = arch::direct_call_targets(m, *code, parent.function->entry))
        for (uint64_t t : *calls)
          if (const symbols::Function* callee = entry_at(bin, t); callee && !left_out(*callee))
            visit(callee, parent.depth + 1, parent.by_value, queue);
      if (auto refs = arch::address_references(m, *code, parent.function->entry))
        for (uint64_t a : *refs)
          if (const symbols::Function* fn = function_value(bin, a); fn && !left_out(*fn))
            visit(fn, parent.depth + 1, true, queue);
    }
  }
  return out;
}

}  // namespace gotrace::tracer
