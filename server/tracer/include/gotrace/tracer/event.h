// A decoded trace event: one call entering or returning, with its values
// loaded in Delve's variable model.
#pragma once

#include "gotrace/values/variable.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace gotrace::tracer {

struct TracedFunction;

struct TraceEvent {
  enum class Kind : uint8_t { entry, ret, line };
  Kind kind = Kind::entry;
  const TracedFunction* function = nullptr;
  uint64_t goroutine = 0;
  uint32_t pid = 0;
  uint32_t tid = 0;
  uint64_t mono_ns = 0;  // CLOCK_MONOTONIC at the hit
  uint64_t wall_ns = 0;  // CLOCK_REALTIME at the hit (for --timestamp)
  // entry: the parameters (flag Argument). ret: the results (flag
  // ReturnArgument). line: what the LineCapture asked for (arguments flagged
  // Argument, locals without a flag).
  std::vector<values::Variable> values;
  // ret only: the call's duration, when its entry was seen.
  std::optional<uint64_t> duration_ns;
  uint64_t site_pc = 0;       // the reported address, at run time (PIE: biased)
  uint64_t site_link_pc = 0;  // the same, as a link-time address
  std::vector<uint64_t> return_addresses;  // callers, innermost first
  // Set when the kernel applied a hit condition: the hit count as of this
  // hit (Engine::set_kernel_filter).
  std::optional<uint64_t> kernel_hit_count;

  // The raw hit, so the values can be loaded again under another LoadConfig
  // (Engine::load_values).
  std::shared_ptr<const std::vector<uint8_t>> record;
  uint32_t value_first = 0, value_last = 0;
  // ret only: the paired entry's hit, for the call's arguments.
  std::shared_ptr<const std::vector<uint8_t>> entry_record;
  uint32_t entry_first = 0, entry_last = 0;
};

}  // namespace gotrace::tracer
