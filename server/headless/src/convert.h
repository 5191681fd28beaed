// Between the debugger's model and Delve's wire types (protocol::rpc).
#pragma once

#include "gotrace/debugger/debugger.h"
#include "gotrace/protocol/rpc/types.h"
#include "gotrace/values/variable.h"

#include <optional>

namespace gotrace::headless {

namespace rpc = protocol::rpc;

rpc::LoadConfig to_rpc(const values::LoadConfig& c);
values::LoadConfig from_rpc(const rpc::LoadConfig& c);
rpc::Variable to_rpc(const values::Variable& v);
rpc::Breakpoint to_rpc(const debugger::Breakpoint& bp, const debugger::Debugger& dbg);
// Where Delve says a breakpoint is: a function's entry probe is reported
// after the prologue, where Delve puts its breakpoint.
uint64_t reported_address(const debugger::Debugger& dbg, uint64_t pc);
debugger::Breakpoint from_rpc(const rpc::Breakpoint& bp);
rpc::Function function_of(const symbols::Function& fn, bool optimized);
rpc::Location location_of(const debugger::Debugger& dbg, uint64_t pc);

// Delve's stop state for a batch of hits: every hit is a thread stopped at
// its breakpoint; the first is the current thread. `ret_cfg` loads return
// values (Command's ReturnInfoLoadConfig; none: not loaded). `durations`
// (the server's --durations): a return also carries durationNs.
rpc::DebuggerState stop_state(const debugger::Debugger& dbg,
                              const std::vector<debugger::Hit>& hits,
                              const std::optional<values::LoadConfig>& ret_cfg, bool durations);
// The minimal state Delve returns for a running target (State NonBlocking).
rpc::DebuggerState running_state();
// The state of a target that is not running and has no hit to report
// (held before its first continue, or halted).
rpc::DebuggerState idle_state(const debugger::Debugger& dbg);
rpc::DebuggerState exited_state(const debugger::Debugger& dbg);

rpc::TracepointResult tracepoint_result(const debugger::Debugger& dbg, const debugger::Hit& hit,
                                        const values::LoadConfig& cfg, bool durations);

}  // namespace gotrace::headless
