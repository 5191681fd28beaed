#include "gotrace/protocol/dap/types.h"

#include <boost/json/array.hpp>

#include <type_traits>

namespace gotrace::protocol::dap {
namespace json = boost::json;

namespace {

template <class T>
void put(json::object& o, std::string_view key, const std::optional<T>& v) {
  if (v) o[key] = *v;
}

template <class T>
json::array to_array(const std::vector<T>& xs) {
  json::array a;
  a.reserve(xs.size());
  for (const auto& x : xs) {
    if constexpr (std::is_arithmetic_v<T>) a.emplace_back(x);
    else a.emplace_back(to_json(x));
  }
  return a;
}

}  // namespace

json::value to_json(const Source& x) {
  json::object o;
  put(o, "name", x.name);
  put(o, "path", x.path);
  put(o, "sourceReference", x.sourceReference);
  return o;
}

json::value to_json(const ExceptionBreakpointsFilter& x) {
  json::object o;
  o["filter"] = x.filter;
  o["label"] = x.label;
  put(o, "description", x.description);
  put(o, "default", x.default_);
  return o;
}

json::value to_json(const Capabilities& x) {
  json::object o;
  put(o, "supportsConfigurationDoneRequest", x.supportsConfigurationDoneRequest);
  put(o, "supportsFunctionBreakpoints", x.supportsFunctionBreakpoints);
  put(o, "supportsConditionalBreakpoints", x.supportsConditionalBreakpoints);
  put(o, "supportsHitConditionalBreakpoints", x.supportsHitConditionalBreakpoints);
  put(o, "supportsEvaluateForHovers", x.supportsEvaluateForHovers);
  if (x.exceptionBreakpointFilters) o["exceptionBreakpointFilters"] = to_array(*x.exceptionBreakpointFilters);
  put(o, "supportsStepBack", x.supportsStepBack);
  put(o, "supportsSetVariable", x.supportsSetVariable);
  put(o, "supportsRestartFrame", x.supportsRestartFrame);
  put(o, "supportsGotoTargetsRequest", x.supportsGotoTargetsRequest);
  put(o, "supportsStepInTargetsRequest", x.supportsStepInTargetsRequest);
  put(o, "supportsCompletionsRequest", x.supportsCompletionsRequest);
  put(o, "supportsModulesRequest", x.supportsModulesRequest);
  put(o, "supportsRestartRequest", x.supportsRestartRequest);
  put(o, "supportsExceptionOptions", x.supportsExceptionOptions);
  put(o, "supportsValueFormattingOptions", x.supportsValueFormattingOptions);
  put(o, "supportsExceptionInfoRequest", x.supportsExceptionInfoRequest);
  put(o, "supportTerminateDebuggee", x.supportTerminateDebuggee);
  put(o, "supportSuspendDebuggee", x.supportSuspendDebuggee);
  put(o, "supportsDelayedStackTraceLoading", x.supportsDelayedStackTraceLoading);
  put(o, "supportsLoadedSourcesRequest", x.supportsLoadedSourcesRequest);
  put(o, "supportsLogPoints", x.supportsLogPoints);
  put(o, "supportsTerminateThreadsRequest", x.supportsTerminateThreadsRequest);
  put(o, "supportsSetExpression", x.supportsSetExpression);
  put(o, "supportsTerminateRequest", x.supportsTerminateRequest);
  put(o, "supportsDataBreakpoints", x.supportsDataBreakpoints);
  put(o, "supportsReadMemoryRequest", x.supportsReadMemoryRequest);
  put(o, "supportsWriteMemoryRequest", x.supportsWriteMemoryRequest);
  put(o, "supportsDisassembleRequest", x.supportsDisassembleRequest);
  put(o, "supportsCancelRequest", x.supportsCancelRequest);
  put(o, "supportsBreakpointLocationsRequest", x.supportsBreakpointLocationsRequest);
  put(o, "supportsClipboardContext", x.supportsClipboardContext);
  put(o, "supportsSteppingGranularity", x.supportsSteppingGranularity);
  put(o, "supportsInstructionBreakpoints", x.supportsInstructionBreakpoints);
  put(o, "supportsExceptionFilterOptions", x.supportsExceptionFilterOptions);
  put(o, "supportsSingleThreadExecutionRequests", x.supportsSingleThreadExecutionRequests);
  return o;
}

json::value to_json(const Breakpoint& x) {
  json::object o;
  put(o, "id", x.id);
  o["verified"] = x.verified;
  put(o, "message", x.message);
  if (x.source) o["source"] = to_json(*x.source);
  put(o, "line", x.line);
  put(o, "column", x.column);
  return o;
}

json::value to_json(const Thread& x) {
  json::object o;
  o["id"] = x.id;
  o["name"] = x.name;
  return o;
}

json::value to_json(const SetBreakpointsResponseBody& x) {
  json::object o;
  o["breakpoints"] = to_array(x.breakpoints);
  return o;
}

json::value to_json(const ThreadsResponseBody& x) {
  json::object o;
  o["threads"] = to_array(x.threads);
  return o;
}

json::value to_json(const ContinueResponseBody& x) {
  json::object o;
  put(o, "allThreadsContinued", x.allThreadsContinued);
  return o;
}

json::value to_json(const OutputEventBody& x) {
  json::object o;
  o["category"] = x.category;
  o["output"] = x.output;
  if (x.source) o["source"] = to_json(*x.source);
  put(o, "line", x.line);
  put(o, "column", x.column);
  if (!x.data.is_null()) o["data"] = x.data;
  return o;
}

json::value to_json(const StoppedEventBody& x) {
  json::object o;
  o["reason"] = x.reason;
  put(o, "description", x.description);
  put(o, "threadId", x.threadId);
  put(o, "preserveFocusHint", x.preserveFocusHint);
  put(o, "text", x.text);
  put(o, "allThreadsStopped", x.allThreadsStopped);
  if (x.hitBreakpointIds) o["hitBreakpointIds"] = to_array(*x.hitBreakpointIds);
  return o;
}

json::value to_json(const ExitedEventBody& x) {
  json::object o;
  o["exitCode"] = x.exitCode;
  return o;
}

json::value to_json(const TerminatedEventBody& x) {
  json::object o;
  if (!x.restart.is_null()) o["restart"] = x.restart;
  return o;
}

json::value to_json(const ProcessEventBody& x) {
  json::object o;
  o["name"] = x.name;
  put(o, "systemProcessId", x.systemProcessId);
  put(o, "isLocalProcess", x.isLocalProcess);
  put(o, "startMethod", x.startMethod);
  put(o, "pointerSize", x.pointerSize);
  return o;
}

json::value to_json(const CapabilitiesEventBody& x) {
  json::object o;
  o["capabilities"] = to_json(x.capabilities);
  return o;
}

json::value to_json(const BreakpointEventBody& x) {
  json::object o;
  o["reason"] = x.reason;
  o["breakpoint"] = to_json(x.breakpoint);
  return o;
}

}  // namespace gotrace::protocol::dap
