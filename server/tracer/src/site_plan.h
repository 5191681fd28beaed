// Turns one function into probe sites with their capture specs: probe
// placement (arch), value locations (ABI model over DWARF types) and what to
// copy at each site (capture_plan).
#pragma once

#include "capture_plan.h"
#include "gotrace/arch/machine.h"
#include "gotrace/bpf/trace_abi.h"
#include "gotrace/symbols/binary.h"
#include "gotrace/tracer/engine.h"

#include <cstdint>
#include <vector>

namespace gotrace::tracer {

// How to decode the records of one probed address.
struct SiteInfo {
  const TracedFunction* fn = nullptr;
  bool is_return = false;
  bool is_line = false;  // a statement inside the body (Engine::add_line)
  uint64_t pc = 0;     // reported address: the function's entry for entries
  uint64_t probe = 0;  // the probed instruction
  std::vector<ValuePlan> values;
  // A function whose first instruction is its RET (an optimized leaf that
  // returns an argument unchanged) has one site for both events: values
  // before `split` are the entry's, the rest the return's.
  bool entry_and_return = false;
  size_t split = 0;
  // An entry probed past the prologue (float parameters, see plan_function):
  // SP there is this much below SP at the entry; calls pair by the entry's.
  int64_t sp_adjust = 0;
};

struct PlannedSite {
  SiteInfo info;
  gt_spec spec{};
  uint64_t file_offset = 0;
};

struct FunctionPlan {
  // No parameter types (stripped binary, assembly function): the values are
  // the argument frame's raw words.
  bool raw_values = false;
  symbols::Signature signature;
  symbols::SourceLine entry_line;
  uint64_t entry_probe = 0;
  std::vector<uint64_t> return_probes;
  std::vector<PlannedSite> sites;  // entry first
};

// The arch layer's name for a binary's machine.
arch::Machine machine_of(symbols::Machine m);

// Fails for a function that cannot be probed safely (no RET, undecodable,
// missing types); nothing is registered anywhere.
Result<FunctionPlan> plan_function(const symbols::Binary& bin, const symbols::Function& fn,
                                   const TraceOptions& opts);

}  // namespace gotrace::tracer
