#include "gotrace/protocol/rpc/types.h"

namespace gotrace::protocol::rpc {
namespace json = boost::json;

namespace {

void location_fields(ObjectReader& r, Location& v) {
  r.field("pc", v.pc).field("file", v.file).field("line", v.line).field("function", v.function);
  r.field("pcs", v.pcs).field("pcpids", v.pcpids);
}

}  // namespace

bool read_value(const json::value& j, LoadConfig& v, ReadContext& ctx) {
  ObjectReader r(j, ctx);
  r.field("FollowPointers", v.FollowPointers)
      .field("MaxVariableRecurse", v.MaxVariableRecurse)
      .field("MaxStringLen", v.MaxStringLen)
      .field("MaxArrayValues", v.MaxArrayValues)
      .field("MaxStructFields", v.MaxStructFields);
  return r.ok();
}

bool read_value(const json::value& j, Breakpoint& v, ReadContext& ctx) {
  ObjectReader r(j, ctx);
  r.field("id", v.id).field("name", v.name).field("addr", v.addr).field("addrs", v.addrs);
  r.field("addrpid", v.addrpid).field("file", v.file).field("line", v.line).field("functionName", v.functionName);
  r.field("Cond", v.Cond).field("HitCond", v.HitCond).field("HitCondPerG", v.HitCondPerG);
  r.field("continue", v.Tracepoint).field("traceReturn", v.traceReturn).field("goroutine", v.goroutine);
  r.field("stacktrace", v.stacktrace).field("variables", v.variables).field("LoadArgs", v.LoadArgs);
  r.field("LoadLocals", v.LoadLocals).field("WatchExpr", v.WatchExpr).field("WatchType", v.WatchType);
  r.field("VerboseDescr", v.VerboseDescr).field("hitCount", v.hitCount).field("totalHitCount", v.totalHitCount);
  r.field("disabled", v.disabled).field("ExprString", v.ExprString).field("RootFuncName", v.RootFuncName);
  r.field("TraceFollowCalls", v.TraceFollowCalls);
  return r.ok();
}

bool read_value(const json::value& j, Function& v, ReadContext& ctx) {
  ObjectReader r(j, ctx);
  r.field("name", v.name).field("value", v.value).field("type", v.type).field("goType", v.goType);
  r.field("optimized", v.optimized);
  return r.ok();
}

bool read_value(const json::value& j, Location& v, ReadContext& ctx) {
  ObjectReader r(j, ctx);
  location_fields(r, v);
  return r.ok();
}

bool read_value(const json::value& j, Variable& v, ReadContext& ctx) {
  ObjectReader r(j, ctx);
  r.field("name", v.name).field("addr", v.addr).field("onlyAddr", v.onlyAddr).field("type", v.type);
  r.field("realType", v.realType).field("flags", v.flags).field("kind", v.kind).field("value", v.value);
  r.field("len", v.len).field("cap", v.cap).field("children", v.children).field("base", v.base);
  r.field("unreadable", v.unreadable).field("LocationExpr", v.LocationExpr).field("DeclLine", v.DeclLine);
  return r.ok();
}

bool read_value(const json::value& j, Defer& v, ReadContext& ctx) {
  ObjectReader r(j, ctx);
  r.field("DeferredLoc", v.DeferredLoc).field("DeferLoc", v.DeferLoc).field("SP", v.SP);
  r.field("Unreadable", v.Unreadable);
  return r.ok();
}

bool read_value(const json::value& j, Stackframe& v, ReadContext& ctx) {
  ObjectReader r(j, ctx);
  location_fields(r, v.location);
  r.field("Locals", v.Locals).field("Arguments", v.Arguments).field("FrameOffset", v.FrameOffset);
  r.field("FramePointerOffset", v.FramePointerOffset).field("Defers", v.Defers).field("Bottom", v.Bottom);
  r.field("Err", v.Err);
  return r.ok();
}

bool read_value(const json::value& j, Goroutine& v, ReadContext& ctx) {
  ObjectReader r(j, ctx);
  r.field("id", v.id).field("currentLoc", v.currentLoc).field("userCurrentLoc", v.userCurrentLoc);
  r.field("goStatementLoc", v.goStatementLoc).field("startLoc", v.startLoc).field("threadID", v.threadID);
  r.field("status", v.status).field("waitSince", v.waitSince).field("waitReason", v.waitReason);
  r.field("unreadable", v.unreadable).field("labels", v.labels);
  return r.ok();
}

bool read_value(const json::value& j, BreakpointInfo& v, ReadContext& ctx) {
  ObjectReader r(j, ctx);
  r.field("stacktrace", v.stacktrace).field("goroutine", v.goroutine).field("variables", v.variables);
  r.field("arguments", v.arguments).field("locals", v.locals);
  return r.ok();
}

bool read_value(const json::value& j, Thread& v, ReadContext& ctx) {
  ObjectReader r(j, ctx);
  r.field("id", v.id).field("pc", v.pc).field("file", v.file).field("line", v.line);
  r.field("function", v.function).field("goroutineID", v.goroutineID).field("breakPoint", v.breakPoint);
  r.field("breakPointInfo", v.breakPointInfo).field("ReturnValues", v.ReturnValues);
  r.field("CallReturn", v.CallReturn).field("durationNs", v.durationNs);
  return r.ok();
}

bool read_value(const json::value& j, DebuggerState& v, ReadContext& ctx) {
  ObjectReader r(j, ctx);
  r.field("Pid", v.Pid).field("Running", v.Running).field("Recording", v.Recording);
  r.field("CoreDumping", v.CoreDumping).field("currentThread", v.currentThread);
  r.field("currentGoroutine", v.currentGoroutine).field("Threads", v.Threads);
  r.field("NextInProgress", v.NextInProgress).field("WatchOutOfScope", v.WatchOutOfScope);
  r.field("exited", v.exited).field("exitStatus", v.exitStatus).field("When", v.When);
  r.field("TargetCommandLine", v.TargetCommandLine).field("stopReason", v.stopReason);
  return r.ok();
}

bool read_value(const json::value& j, TracepointResult& v, ReadContext& ctx) {
  ObjectReader r(j, ctx);
  r.field("addr", v.addr).field("file", v.file).field("line", v.line).field("is_ret", v.is_ret);
  r.field("functionName", v.functionName).field("goroutineID", v.goroutineID);
  r.field("inputParams", v.inputParams).field("returnParams", v.returnParams);
  r.field("durationNs", v.durationNs);
  return r.ok();
}

bool read_value(const json::value& j, DiscardedBreakpoint& v, ReadContext& ctx) {
  ObjectReader r(j, ctx);
  r.field("Breakpoint", v.Breakpoint).field("Reason", v.Reason);
  return r.ok();
}

bool read_value(const json::value& j, EvalScope& v, ReadContext& ctx) {
  ObjectReader r(j, ctx);
  r.field("GoroutineID", v.GoroutineID).field("Frame", v.Frame).field("DeferredCall", v.DeferredCall);
  return r.ok();
}

bool read_value(const json::value& j, DebuggerCommand& v, ReadContext& ctx) {
  ObjectReader r(j, ctx);
  r.field("name", v.name).field("threadID", v.threadID).field("goroutineID", v.goroutineID);
  r.field("ReturnInfoLoadConfig", v.ReturnInfoLoadConfig).field("expr", v.expr);
  r.field("unsafeCall", v.unsafeCall).field("WithEvents", v.WithEvents);
  return r.ok();
}

}  // namespace gotrace::protocol::rpc
