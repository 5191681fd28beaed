#include "gotrace/protocol/dap/types.h"

#include <charconv>

namespace gotrace::protocol::dap {
namespace json = boost::json;

namespace {

std::string expected(std::string_view what, const json::value& v) {
  return "expected " + std::string(what) + ", got " + std::string(json_kind_name(v));
}

}  // namespace

bool read_value(const json::value& v, Source& out, ReadContext& ctx) {
  ObjectReader r(v, ctx);
  r.field("name", out.name).field("path", out.path).field("sourceReference", out.sourceReference);
  return r.ok();
}

bool read_value(const json::value& v, InitializeArguments& out, ReadContext& ctx) {
  ObjectReader r(v, ctx);
  r.field("clientID", out.clientID)
      .field("clientName", out.clientName)
      .field("adapterID", out.adapterID)
      .field("locale", out.locale)
      .field("linesStartAt1", out.linesStartAt1)
      .field("columnsStartAt1", out.columnsStartAt1)
      .field("pathFormat", out.pathFormat)
      .field("supportsVariableType", out.supportsVariableType)
      .field("supportsVariablePaging", out.supportsVariablePaging)
      .field("supportsRunInTerminalRequest", out.supportsRunInTerminalRequest)
      .field("supportsMemoryReferences", out.supportsMemoryReferences)
      .field("supportsProgressReporting", out.supportsProgressReporting)
      .field("supportsInvalidatedEvent", out.supportsInvalidatedEvent)
      .field("supportsMemoryEvent", out.supportsMemoryEvent)
      .field("supportsArgsCanBeInterpretedByShell", out.supportsArgsCanBeInterpretedByShell)
      .field("supportsStartDebuggingRequest", out.supportsStartDebuggingRequest)
      .field("supportsANSIStyling", out.supportsANSIStyling);
  return r.ok();
}

bool read_value(const json::value& v, BuildFlags& out, ReadContext& ctx) {
  if (v.is_string()) {
    out.value = std::string(v.get_string());
    return true;
  }
  if (v.is_array()) {
    std::vector<std::string> list;
    if (!read_value(v, list, ctx)) return false;
    out.value = std::move(list);
    return true;
  }
  return ctx.fail(expected("string or array of strings", v));
}

bool read_value(const json::value& v, LaunchArguments& out, ReadContext& ctx) {
  ObjectReader r(v, ctx);
  r.field("mode", out.mode)
      .field("program", out.program)
      .field("args", out.args)
      .field("cwd", out.cwd)
      .field("env", out.env)
      .field("buildFlags", out.buildFlags)
      .field("stopOnEntry", out.stopOnEntry)
      .field("noDebug", out.noDebug)
      .field("output", out.output)
      .field("backend", out.backend);
  return r.ok();
}

bool read_value(const json::value& v, AttachArguments& out, ReadContext& ctx) {
  ObjectReader r(v, ctx);
  r.field("mode", out.mode).field("backend", out.backend).field("stopOnEntry", out.stopOnEntry);
  if (const json::value* pid = r.get("processId"); pid != nullptr && !pid->is_null()) {
    auto guard = ctx.field("processId");
    if (pid->is_string()) {
      std::string_view s = pid->get_string();
      std::int64_t n = 0;
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
      if (s.empty() || ec != std::errc() || end != s.data() + s.size())
        return ctx.fail("expected integer or numeric string, got \"" + std::string(s.substr(0, 64)) + "\"");
      out.processId = n;
    } else {
      std::int64_t n = 0;
      if (!read_value(*pid, n, ctx)) return false;
      out.processId = n;
    }
  }
  return r.ok();
}

bool read_value(const json::value& v, SourceBreakpoint& out, ReadContext& ctx) {
  ObjectReader r(v, ctx);
  r.required("line", out.line)
      .field("column", out.column)
      .field("condition", out.condition)
      .field("hitCondition", out.hitCondition)
      .field("logMessage", out.logMessage);
  return r.ok();
}

bool read_value(const json::value& v, SetBreakpointsArguments& out, ReadContext& ctx) {
  ObjectReader r(v, ctx);
  r.required("source", out.source)
      .field("breakpoints", out.breakpoints)
      .field("lines", out.lines)
      .field("sourceModified", out.sourceModified);
  return r.ok();
}

bool read_value(const json::value& v, FunctionBreakpoint& out, ReadContext& ctx) {
  ObjectReader r(v, ctx);
  r.required("name", out.name).field("condition", out.condition).field("hitCondition", out.hitCondition);
  return r.ok();
}

bool read_value(const json::value& v, SetFunctionBreakpointsArguments& out, ReadContext& ctx) {
  ObjectReader r(v, ctx);
  r.required("breakpoints", out.breakpoints);
  return r.ok();
}

bool read_value(const json::value& v, SetExceptionBreakpointsArguments& out, ReadContext& ctx) {
  ObjectReader r(v, ctx);
  r.required("filters", out.filters);
  return r.ok();
}

bool read_value(const json::value& v, ContinueArguments& out, ReadContext& ctx) {
  ObjectReader r(v, ctx);
  r.field("threadId", out.threadId).field("singleThread", out.singleThread);
  return r.ok();
}

bool read_value(const json::value& v, PauseArguments& out, ReadContext& ctx) {
  ObjectReader r(v, ctx);
  r.field("threadId", out.threadId);
  return r.ok();
}

bool read_value(const json::value& v, DisconnectArguments& out, ReadContext& ctx) {
  ObjectReader r(v, ctx);
  r.field("restart", out.restart)
      .field("terminateDebuggee", out.terminateDebuggee)
      .field("suspendDebuggee", out.suspendDebuggee);
  return r.ok();
}

bool read_value(const json::value& v, TerminateArguments& out, ReadContext& ctx) {
  ObjectReader r(v, ctx);
  r.field("restart", out.restart);
  return r.ok();
}

bool read_value(const json::value& v, Tracepoint& out, ReadContext& ctx) {
  ObjectReader r(v, ctx);
  r.required("function", out.function)
      .field("logMessage", out.logMessage)
      .field("condition", out.condition)
      .field("hitCondition", out.hitCondition)
      .field("returns", out.returns)
      .field("stack", out.stack);
  return r.ok();
}

bool read_value(const json::value& v, SetTracepointsArguments& out, ReadContext& ctx) {
  ObjectReader r(v, ctx);
  r.required("tracepoints", out.tracepoints);
  return r.ok();
}

}  // namespace gotrace::protocol::dap
