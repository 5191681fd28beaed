#include "convert.h"

#include <algorithm>

namespace gotrace::headless {

rpc::LoadConfig to_rpc(const values::LoadConfig& c) {
  return {c.follow_pointers, c.max_variable_recurse, c.max_string_len, c.max_array_values,
          c.max_struct_fields};
}

values::LoadConfig from_rpc(const rpc::LoadConfig& c) {
  return {c.FollowPointers, static_cast<int>(c.MaxVariableRecurse), static_cast<int>(c.MaxStringLen),
          static_cast<int>(c.MaxArrayValues), static_cast<int>(c.MaxStructFields)};
}

rpc::Variable to_rpc(const values::Variable& v) {
  rpc::Variable r;
  r.name = v.name;
  r.addr = v.addr;
  r.onlyAddr = v.only_addr;
  r.type = v.type;
  r.realType = v.real_type;
  r.flags = static_cast<uint16_t>(v.flags);
  r.kind = static_cast<uint64_t>(v.kind);
  r.value = v.value;
  r.len = v.len;
  r.cap = v.cap;
  r.base = v.base;
  r.unreadable = v.unreadable;
  for (const auto& c : v.children) r.children.push_back(to_rpc(c));
  return r;
}

uint64_t reported_address(const debugger::Debugger& dbg, uint64_t pc) {
  const symbols::Binary& bin = dbg.engine().binary();
  const symbols::Function* f = bin.function_at(pc);
  return f && f->entry == pc ? bin.after_prologue(*f) : pc;
}

rpc::Breakpoint to_rpc(const debugger::Breakpoint& bp, const debugger::Debugger& dbg) {
  rpc::Breakpoint r;
  r.id = bp.id;
  r.name = bp.name;
  r.addr = bp.trace_return ? bp.addr : reported_address(dbg, bp.addr);
  r.addrs = bp.addrs;
  if (!bp.trace_return)
    for (uint64_t& a : *r.addrs) a = reported_address(dbg, a);
  r.addrpid = std::vector<int64_t>(bp.addrs.size(), dbg.pid());
  r.file = bp.file;
  r.line = bp.line;
  r.functionName = bp.function_name;
  r.Cond = bp.cond;
  r.HitCond = bp.hit_cond;
  r.HitCondPerG = bp.hit_cond_per_g;
  r.Tracepoint = bp.tracepoint;
  r.traceReturn = bp.trace_return;
  r.goroutine = bp.goroutine;
  r.stacktrace = bp.stacktrace;
  r.variables = bp.variables;
  if (bp.load_args) r.LoadArgs = to_rpc(*bp.load_args);
  if (bp.load_locals) r.LoadLocals = to_rpc(*bp.load_locals);
  r.WatchExpr = bp.watch_expr;
  r.WatchType = bp.watch_type;
  for (const auto& [g, n] : bp.hit_count) r.hitCount[std::to_string(g)] = n;
  r.totalHitCount = bp.total_hit_count;
  r.disabled = bp.disabled;
  r.RootFuncName = bp.root_func_name;
  r.TraceFollowCalls = bp.trace_follow_calls;
  return r;
}

debugger::Breakpoint from_rpc(const rpc::Breakpoint& r) {
  debugger::Breakpoint bp;
  bp.id = static_cast<int>(r.id);
  bp.name = r.name;
  bp.addr = r.addr;
  if (r.addrs) bp.addrs = *r.addrs;
  bp.file = r.file;
  bp.line = static_cast<int>(r.line);
  bp.function_name = r.functionName;
  bp.cond = r.Cond;
  bp.hit_cond = r.HitCond;
  bp.hit_cond_per_g = r.HitCondPerG;
  bp.tracepoint = r.Tracepoint;
  bp.trace_return = r.traceReturn;
  bp.goroutine = r.goroutine;
  bp.stacktrace = static_cast<int>(r.stacktrace);
  bp.variables = r.variables;
  if (r.LoadArgs) bp.load_args = from_rpc(*r.LoadArgs);
  if (r.LoadLocals) bp.load_locals = from_rpc(*r.LoadLocals);
  bp.watch_expr = r.WatchExpr;
  bp.watch_type = static_cast<int>(r.WatchType);
  bp.disabled = r.disabled;
  bp.root_func_name = r.RootFuncName;
  bp.trace_follow_calls = static_cast<int>(std::clamp<int64_t>(r.TraceFollowCalls, 0, 64));
  return bp;
}

rpc::Function function_of(const symbols::Function& fn, bool optimized) {
  rpc::Function f;
  f.name = fn.name;
  f.value = fn.entry;
  f.optimized = optimized;
  return f;
}

rpc::Location location_of(const debugger::Debugger& dbg, uint64_t pc) {
  const symbols::Binary& bin = dbg.engine().binary();
  rpc::Location l;
  l.pc = pc;
  if (auto sl = bin.pc_to_line(pc)) {
    l.file = sl->file;
    l.line = sl->line;
  }
  if (const symbols::Function* f = bin.function_at(pc)) {
    auto sig = bin.signature(*f);
    l.function = function_of(*f, sig && sig->optimized);
  }
  return l;
}

namespace {

rpc::Goroutine goroutine_of(const debugger::Debugger& dbg, const tracer::TraceEvent& ev) {
  rpc::Goroutine g;
  g.id = static_cast<int64_t>(ev.goroutine);
  g.currentLoc = location_of(dbg, ev.kind == tracer::TraceEvent::Kind::entry
                                      ? reported_address(dbg, ev.site_link_pc)
                                      : ev.site_link_pc);
  g.userCurrentLoc = g.currentLoc;
  g.threadID = ev.tid;
  g.status = 2;  // running: it was never stopped
  return g;
}

rpc::Thread hit_thread(const debugger::Debugger& dbg, const debugger::Hit& hit,
                       const std::optional<values::LoadConfig>& ret_cfg, bool durations) {
  const tracer::TraceEvent& ev = hit.event;
  const debugger::Breakpoint* bp = dbg.breakpoint(hit.breakpoint);
  rpc::Thread t;
  t.id = ev.tid;
  t.pc = ev.kind == tracer::TraceEvent::Kind::entry ? reported_address(dbg, ev.site_pc) : ev.site_pc;
  t.file = hit.file;
  t.line = hit.line;
  t.function = function_of(*ev.function->function, ev.function->signature.optimized);
  if (!hit.inlined_function.empty()) {
    // The hit is at an inlined copy: the thread is in that function (as
    // Delve's inline-aware frames show it), which may have no entry.
    const symbols::Function* f = dbg.engine().binary().find_function(hit.inlined_function);
    t.function->name = hit.inlined_function;
    t.function->value = f ? f->entry : 0;
    t.function->optimized = true;
  }
  t.goroutineID = static_cast<int64_t>(ev.goroutine);
  if (bp) {
    t.breakPoint = to_rpc(*bp, dbg);
    t.breakPoint->hitCount.clear();
    for (const auto& [g, n] : hit.hit_count) t.breakPoint->hitCount[std::to_string(g)] = n;
    t.breakPoint->totalHitCount = hit.total_hit_count;
  }
  rpc::BreakpointInfo info;
  bool is_ret = ev.kind == tracer::TraceEvent::Kind::ret;
  if (ev.kind == tracer::TraceEvent::Kind::line) {
    // A statement inside the body: arguments and locals as captured there.
    values::LoadConfig cfg = bp && bp->load_args   ? *bp->load_args
                             : bp && bp->load_locals ? *bp->load_locals
                                                     : values::LoadConfig{};
    for (const auto& v : dbg.engine().load_values(ev, cfg)) {
      bool arg = values::is_argument(v);
      if (arg && bp && bp->load_args) info.arguments.push_back(to_rpc(v));
      if (!arg && bp && bp->load_locals) info.locals.push_back(to_rpc(v));
    }
  } else if (bp && bp->load_args) {
    // At a return, the call's arguments come from its paired entry.
    if (is_ret)
      for (const auto& v : dbg.engine().load_entry_values(ev, *bp->load_args))
        info.arguments.push_back(to_rpc(v));
    for (const auto& v : dbg.engine().load_values(ev, *bp->load_args)) info.arguments.push_back(to_rpc(v));
    if (!is_ret) {
      // Delve lists the results too (flag 16); at entry they hold nothing yet.
      for (const auto& v : values::result_placeholders(ev.function->signature.results))
        info.arguments.push_back(to_rpc(v));
    }
  }
  if (bp && bp->stacktrace > 0) {
    bool truncated = false;
    for (const tracer::Frame& f : dbg.engine().stack(ev, &truncated)) {
      rpc::Stackframe sf;
      sf.Defers = std::vector<rpc::Defer>{};
      sf.location = location_of(dbg, f.pc);
      sf.location.file = f.file;
      sf.location.line = f.line;
      info.stacktrace.push_back(std::move(sf));
    }
    if (!truncated && !info.stacktrace.empty()) info.stacktrace.back().Bottom = true;
  }
  if (bp)
    for (const std::string& expr : bp->variables) {
      auto v = dbg.evaluate(expr, ev);
      if (v) {
        info.variables.push_back(to_rpc(*v));
      } else {
        rpc::Variable bad;
        bad.name = expr;
        bad.unreadable = v.error().message;
        info.variables.push_back(std::move(bad));
      }
    }
  if (bp && bp->goroutine) {
    info.goroutine = goroutine_of(dbg, ev);
  }
  if (!info.arguments.empty() || !info.stacktrace.empty() || info.goroutine ||
      !info.variables.empty() || !info.locals.empty())
    t.breakPointInfo = info;
  if (is_ret && ret_cfg) {
    std::vector<rpc::Variable> rv;
    for (const auto& v : dbg.engine().load_values(ev, *ret_cfg)) rv.push_back(to_rpc(v));
    t.ReturnValues = std::move(rv);
  }
  if (is_ret && durations) t.durationNs = ev.duration_ns;
  return t;
}

}  // namespace

rpc::DebuggerState stop_state(const debugger::Debugger& dbg, const std::vector<debugger::Hit>& hits,
                              const std::optional<values::LoadConfig>& ret_cfg, bool durations) {
  rpc::DebuggerState s;
  s.Pid = dbg.pid();
  s.TargetCommandLine = dbg.command_line();
  s.stopReason = "breakpoint";
  s.Threads = std::vector<rpc::Thread>{};
  for (const auto& h : hits) s.Threads->push_back(hit_thread(dbg, h, ret_cfg, durations));
  if (!s.Threads->empty()) {
    // Delve's client prints the other threads first, then the current one:
    // the newest hit is current so the batch prints in the order it happened.
    s.currentThread = s.Threads->back();
    const debugger::Hit& h = hits.back();
    s.currentGoroutine = goroutine_of(dbg, h.event);
  }
  return s;
}

rpc::DebuggerState running_state() {
  rpc::DebuggerState s;
  s.Running = true;
  return s;
}

rpc::DebuggerState idle_state(const debugger::Debugger& dbg) {
  rpc::DebuggerState s;
  s.Pid = dbg.pid();
  s.TargetCommandLine = dbg.command_line();
  s.Threads = std::vector<rpc::Thread>{};
  return s;
}

rpc::DebuggerState exited_state(const debugger::Debugger& dbg) {
  rpc::DebuggerState s;
  s.Pid = dbg.pid();
  s.exited = true;
  s.exitStatus = dbg.exit_status().value_or(0);
  return s;
}

rpc::TracepointResult tracepoint_result(const debugger::Debugger& dbg, const debugger::Hit& hit,
                                        const values::LoadConfig& cfg, bool durations) {
  const tracer::TraceEvent& ev = hit.event;
  rpc::TracepointResult r;
  // Delve reports the function's entry position even for returns.
  r.file = ev.function->entry_line.file;
  r.line = ev.function->entry_line.line;
  r.is_ret = ev.kind == tracer::TraceEvent::Kind::ret;
  r.functionName = hit.inlined_function.empty() ? ev.function->function->name : hit.inlined_function;
  r.goroutineID = static_cast<int64_t>(ev.goroutine);
  if (r.is_ret)
    for (const auto& v : dbg.engine().load_entry_values(ev, cfg)) r.inputParams.push_back(to_rpc(v));
  for (const auto& v : dbg.engine().load_values(ev, cfg))
    (r.is_ret ? r.returnParams : r.inputParams).push_back(to_rpc(v));
  if (r.is_ret && durations) r.durationNs = ev.duration_ns;
  return r;
}

}  // namespace gotrace::headless
