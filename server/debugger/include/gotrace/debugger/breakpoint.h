// A logical breakpoint as Delve's API models it (service/api.Breakpoint).
// In gotrace every breakpoint is a tracepoint in effect: hits are collected
// by probes while the program runs, and a client that asks to "continue"
// receives them one stop at a time.
#pragma once

#include "gotrace/values/variable.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gotrace::debugger {

struct Breakpoint {
  int id = 0;
  std::string name;
  uint64_t addr = 0;
  std::vector<uint64_t> addrs;
  std::string file;
  int line = 0;
  std::string function_name;
  std::string cond;
  std::string hit_cond;  // "> 2", "% 5", ...
  bool hit_cond_per_g = false;
  bool tracepoint = false;    // wire name "continue"
  bool trace_return = false;  // a return tracepoint (addr is a RET)
  bool goroutine = false;
  int stacktrace = 0;
  std::vector<std::string> variables;
  std::optional<values::LoadConfig> load_args;
  std::optional<values::LoadConfig> load_locals;
  std::string watch_expr;
  int watch_type = 0;
  std::map<int64_t, uint64_t> hit_count;  // by goroutine id
  uint64_t total_hit_count = 0;
  bool disabled = false;
  std::string root_func_name;  // --follow-calls, kept for the client
  int trace_follow_calls = 0;

  // Not on the wire: how it was created, to re-create it on restart.
  std::string loc_expr;
  bool ebpf = false;  // created by CreateEBPFTracepoint: hits go to the
                      // GetBufferedTracepoints buffer, not to stops
  // Who receives the hits: 0, the queue JSON-RPC clients drain with
  // continue (Debugger::take_hits); otherwise a hit sink
  // (Debugger::add_hit_sink), one per DAP session.
  int owner = 0;
  // The starts of the copies of the function the compiler inlined (also in
  // addrs): line probes whose hits are the function's entries.
  std::vector<uint64_t> inlined_pcs;
  // The kernel counter applying hit_cond, when the kernel does (then it
  // also holds the total hit count); -1 otherwise.
  int64_t kernel_counter = -1;
};

// What CreateBreakpoint asks for: a Breakpoint whose location fields say
// where (see Debugger::create_breakpoint for the order they are read in).
struct BreakpointRequest {
  Breakpoint bp;
  std::string loc_expr;
  // The caller traces the function's returns next (a DAP function
  // breakpoint): probe them with the entry, so the function gets one
  // uprobe link, not one that the returns then replace (each link costs
  // the kernel a grace period to make and one to close).
  bool with_returns = false;
};

}  // namespace gotrace::debugger
