// Key order and nil/omitempty rules follow Delve 1.20.2's service/api structs.
#include "gotrace/protocol/rpc/types.h"

#include "gotrace/protocol/rpc/json_write.h"

#include <boost/json/object.hpp>

namespace gotrace::protocol::rpc {
namespace json = boost::json;

namespace {

constexpr std::uint64_t kReflectString = 24;

template <class T>
json::value scalars(const std::vector<T>& v) {
  json::array a;
  a.reserve(v.size());
  for (const auto& e : v) a.emplace_back(e);
  return a;
}

template <class T>
json::value scalars(const std::optional<std::vector<T>>& v) {
  if (!v) return nullptr;
  return scalars(*v);
}

template <class T>
json::value ptr(const std::optional<T>& v) {
  if (!v) return nullptr;
  return to_json(*v);
}

void location_fields(json::object& o, const Location& v) {
  o["pc"] = v.pc;
  o["file"] = v.file;
  o["line"] = v.line;
  if (v.function) o["function"] = to_json(*v.function);
  if (!v.pcs.empty()) o["pcs"] = scalars(v.pcs);
  if (!v.pcpids.empty()) o["pcpids"] = scalars(v.pcpids);
}

}  // namespace

json::value to_json(const LoadConfig& v) {
  return json::object{{"FollowPointers", v.FollowPointers},
                      {"MaxVariableRecurse", v.MaxVariableRecurse},
                      {"MaxStringLen", v.MaxStringLen},
                      {"MaxArrayValues", v.MaxArrayValues},
                      {"MaxStructFields", v.MaxStructFields}};
}

json::value to_json(const Breakpoint& v) {
  json::object o;
  o["id"] = v.id;
  o["name"] = v.name;
  o["addr"] = v.addr;
  o["addrs"] = scalars(v.addrs);
  o["addrpid"] = scalars(v.addrpid);
  o["file"] = v.file;
  o["line"] = v.line;
  if (!v.functionName.empty()) o["functionName"] = v.functionName;
  o["ExprString"] = v.ExprString;
  o["Cond"] = v.Cond;
  o["HitCond"] = v.HitCond;
  o["HitCondPerG"] = v.HitCondPerG;
  o["continue"] = v.Tracepoint;
  o["traceReturn"] = v.traceReturn;
  o["goroutine"] = v.goroutine;
  o["stacktrace"] = v.stacktrace;
  if (!v.variables.empty()) o["variables"] = scalars(v.variables);
  o["LoadArgs"] = ptr(v.LoadArgs);
  o["LoadLocals"] = ptr(v.LoadLocals);
  o["WatchExpr"] = v.WatchExpr;
  o["WatchType"] = v.WatchType;
  if (!v.VerboseDescr.empty()) o["VerboseDescr"] = scalars(v.VerboseDescr);
  json::object hits;
  for (const auto& [goid, n] : v.hitCount) hits[goid] = n;  // std::map: Go's sorted map keys
  o["hitCount"] = std::move(hits);
  o["totalHitCount"] = v.totalHitCount;
  o["disabled"] = v.disabled;
  o["RootFuncName"] = v.RootFuncName;
  o["TraceFollowCalls"] = v.TraceFollowCalls;
  return o;
}

json::value to_json(const Function& v) {
  return json::object{{"name", v.name},
                      {"value", v.value},
                      {"type", v.type},
                      {"goType", v.goType},
                      {"optimized", v.optimized}};
}

json::value to_json(const Location& v) {
  json::object o;
  location_fields(o, v);
  return o;
}

json::value to_json(const Variable& v) {
  json::object o;
  o["name"] = v.name;
  o["addr"] = v.addr;
  o["onlyAddr"] = v.onlyAddr;
  o["type"] = v.type;
  o["realType"] = v.realType;
  o["flags"] = v.flags;
  o["kind"] = v.kind;
  o["value"] = v.value;
  // Delve 1.27: a string that is not UTF-8 also goes as its bytes (base64,
  // Go's []byte), the value being altered by JSON's U+FFFD.
  o["StringValueBytes"] = v.kind == kReflectString && !valid_utf8(v.value) ? json::value(base64(v.value)) : nullptr;
  o["len"] = v.len;
  o["cap"] = v.cap;
  o["children"] = to_json(v.children);
  o["base"] = v.base;
  o["unreadable"] = v.unreadable;
  o["LocationExpr"] = v.LocationExpr;
  o["DeclLine"] = v.DeclLine;
  return o;
}

json::value to_json(const Defer& v) {
  return json::object{
      {"DeferredLoc", to_json(v.DeferredLoc)}, {"DeferLoc", to_json(v.DeferLoc)}, {"SP", v.SP}, {"Unreadable", v.Unreadable}};
}

json::value to_json(const Stackframe& v) {
  json::object o;
  location_fields(o, v.location);
  o["Locals"] = to_json(v.Locals);
  o["Arguments"] = to_json(v.Arguments);
  o["FrameOffset"] = v.FrameOffset;
  o["FramePointerOffset"] = v.FramePointerOffset;
  o["Defers"] = to_json(v.Defers);
  if (v.Bottom) o["Bottom"] = true;
  o["Err"] = v.Err;
  return o;
}

json::value to_json(const Goroutine& v) {
  json::object o;
  o["id"] = v.id;
  o["currentLoc"] = to_json(v.currentLoc);
  o["userCurrentLoc"] = to_json(v.userCurrentLoc);
  o["goStatementLoc"] = to_json(v.goStatementLoc);
  o["startLoc"] = to_json(v.startLoc);
  o["threadID"] = v.threadID;
  o["status"] = v.status;
  o["waitSince"] = v.waitSince;
  o["waitReason"] = v.waitReason;
  o["unreadable"] = v.unreadable;
  if (!v.labels.empty()) {
    json::object l;
    for (const auto& [k, val] : v.labels) l[k] = val;
    o["labels"] = std::move(l);
  }
  return o;
}

json::value to_json(const BreakpointInfo& v) {
  json::object o;
  if (!v.stacktrace.empty()) o["stacktrace"] = to_json(v.stacktrace);
  if (v.goroutine) o["goroutine"] = to_json(*v.goroutine);
  if (!v.variables.empty()) o["variables"] = to_json(v.variables);
  if (!v.arguments.empty()) o["arguments"] = to_json(v.arguments);
  if (!v.locals.empty()) o["locals"] = to_json(v.locals);
  return o;
}

json::value to_json(const Thread& v) {
  json::object o;
  o["id"] = v.id;
  o["pc"] = v.pc;
  o["file"] = v.file;
  o["line"] = v.line;
  if (v.function) o["function"] = to_json(*v.function);
  o["goroutineID"] = v.goroutineID;
  if (v.breakPoint) o["breakPoint"] = to_json(*v.breakPoint);
  if (v.breakPointInfo) o["breakPointInfo"] = to_json(*v.breakPointInfo);
  o["ReturnValues"] = to_json(v.ReturnValues);
  o["CallReturn"] = v.CallReturn;
  if (v.durationNs) o["durationNs"] = *v.durationNs;
  return o;
}

json::value to_json(const DebuggerState& v) {
  json::object o;
  o["Pid"] = v.Pid;
  o["TargetCommandLine"] = v.TargetCommandLine;
  o["Running"] = v.Running;
  o["Recording"] = v.Recording;
  o["CoreDumping"] = v.CoreDumping;
  if (v.currentThread) o["currentThread"] = to_json(*v.currentThread);
  if (v.currentGoroutine) o["currentGoroutine"] = to_json(*v.currentGoroutine);
  o["Threads"] = to_json(v.Threads);
  o["NextInProgress"] = v.NextInProgress;
  o["WatchOutOfScope"] = to_json(v.WatchOutOfScope);
  o["exited"] = v.exited;
  o["exitStatus"] = v.exitStatus;
  o["When"] = v.When;
  if (!v.stopReason.empty()) o["stopReason"] = v.stopReason;
  return o;
}

json::value to_json(const TracepointResult& v) {
  json::object o;
  o["addr"] = v.addr;
  o["file"] = v.file;
  o["line"] = v.line;
  o["is_ret"] = v.is_ret;
  if (!v.functionName.empty()) o["functionName"] = v.functionName;
  o["goroutineID"] = v.goroutineID;
  if (!v.inputParams.empty()) o["inputParams"] = to_json(v.inputParams);
  if (!v.returnParams.empty()) o["returnParams"] = to_json(v.returnParams);
  if (v.durationNs) o["durationNs"] = *v.durationNs;
  return o;
}

json::value to_json(const DiscardedBreakpoint& v) {
  return json::object{{"Breakpoint", ptr(v.Breakpoint)}, {"Reason", v.Reason}};
}

json::value to_json(const EvalScope& v) {
  return json::object{{"GoroutineID", v.GoroutineID}, {"Frame", v.Frame}, {"DeferredCall", v.DeferredCall}};
}

json::value to_json(const DebuggerCommand& v) {
  json::object o;
  o["name"] = v.name;
  if (v.threadID != 0) o["threadID"] = v.threadID;
  if (v.goroutineID != 0) o["goroutineID"] = v.goroutineID;
  o["ReturnInfoLoadConfig"] = ptr(v.ReturnInfoLoadConfig);
  if (!v.expr.empty()) o["expr"] = v.expr;
  if (v.unsafeCall) o["unsafeCall"] = true;
  if (v.WithEvents) o["WithEvents"] = true;
  return o;
}

}  // namespace gotrace::protocol::rpc
