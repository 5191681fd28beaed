// DAP argument and body types, mirroring debugAdapterProtocol.json with wire
// names (lldb-dap style), plus Delve's launch/attach fields (protocols.md
// §7.3) and gotrace's custom setTracepoints request.
//
// From JSON: parse_arguments<T>(request.arguments, request.command). Keys are
// exact-case, unknown keys (e.g. "__sessionId", "name", "type") are ignored,
// absent optional fields keep their defaults, "arguments" absent or null
// reads as {}. Fields the spec marks required fail with
// "setBreakpoints.arguments: missing field \"source\""; wrong types with
// "launch.arguments.args[1]: expected string, got number".
// Semantic checks (launch mode values, pathFormat, ...) are the handlers' job.
//
// To JSON: to_json(x) emits keys in spec order; std::optional fields are
// emitted only when set, so a Capabilities object lists exactly the
// capabilities that were set (Delve omits false ones).
#pragma once

#include "gotrace/protocol/dap/json_read.h"
#include "gotrace/support/result.h"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace gotrace::protocol::dap {

// ---------------------------------------------------------------- shared

struct Source {
  std::optional<std::string> name;
  std::optional<std::string> path;
  std::optional<std::int64_t> sourceReference;
};

// ------------------------------------------------------------- arguments

// Everything optional: Delve's pathFormat/linesStartAt1/columnsStartAt1
// checks are left to the handler (gotrace is lenient).
struct InitializeArguments {
  std::optional<std::string> clientID;
  std::optional<std::string> clientName;
  std::optional<std::string> adapterID;
  std::optional<std::string> locale;
  std::optional<bool> linesStartAt1;
  std::optional<bool> columnsStartAt1;
  std::optional<std::string> pathFormat;
  std::optional<bool> supportsVariableType;
  std::optional<bool> supportsVariablePaging;
  std::optional<bool> supportsRunInTerminalRequest;
  std::optional<bool> supportsMemoryReferences;
  std::optional<bool> supportsProgressReporting;
  std::optional<bool> supportsInvalidatedEvent;
  std::optional<bool> supportsMemoryEvent;
  std::optional<bool> supportsArgsCanBeInterpretedByShell;
  std::optional<bool> supportsStartDebuggingRequest;
  std::optional<bool> supportsANSIStyling;
};

// Delve's "buildFlags": a string (1.20.2) or a list of strings (HEAD).
struct BuildFlags {
  std::variant<std::string, std::vector<std::string>> value;
};

struct LaunchArguments {
  std::string mode;  // "" when absent (Delve then uses "debug")
  std::string program;
  std::vector<std::string> args;
  std::optional<std::string> cwd;
  // A null value asks to unset the variable.
  std::map<std::string, std::optional<std::string>> env;
  std::optional<BuildFlags> buildFlags;
  bool stopOnEntry = false;
  bool noDebug = false;
  std::optional<std::string> output;
  std::optional<std::string> backend;
};

struct AttachArguments {
  std::string mode;  // "local" or "remote"; "" when absent (Delve: "local")
  // A number, or a string of decimal digits (what "${command:pickProcess}"
  // expands to); anything else is an error.
  std::optional<std::int64_t> processId;
  std::optional<std::string> backend;
  bool stopOnEntry = false;
};

struct SourceBreakpoint {
  std::int64_t line = 0;  // required
  std::optional<std::int64_t> column;
  std::optional<std::string> condition;
  std::optional<std::string> hitCondition;
  std::optional<std::string> logMessage;  // see log_message.h
};

struct SetBreakpointsArguments {
  Source source;  // required
  std::vector<SourceBreakpoint> breakpoints;
  std::optional<std::vector<std::int64_t>> lines;  // deprecated
  bool sourceModified = false;
};

struct FunctionBreakpoint {
  std::string name;  // required
  std::optional<std::string> condition;
  std::optional<std::string> hitCondition;
};

struct SetFunctionBreakpointsArguments {
  std::vector<FunctionBreakpoint> breakpoints;  // required
};

struct SetExceptionBreakpointsArguments {
  std::vector<std::string> filters;  // required (may be empty)
};

// threadId is required by the spec, but clients send "continue" with {}
// (dap-05) and Delve accepts it: absent reads as 0 here.
struct ContinueArguments {
  std::int64_t threadId = 0;
  std::optional<bool> singleThread;
};

struct PauseArguments {
  std::int64_t threadId = 0;  // absent reads as 0, as for continue
};

struct DisconnectArguments {
  std::optional<bool> restart;
  std::optional<bool> terminateDebuggee;
  std::optional<bool> suspendDebuggee;
};

struct TerminateArguments {
  std::optional<bool> restart;
};

// gotrace's custom "setTracepoints" request: replaces the whole set, like
// setFunctionBreakpoints. function is a regular expression over function
// names; logMessage uses the logpoint syntax (log_message.h).
struct Tracepoint {
  std::string function;  // required
  std::optional<std::string> logMessage;
  std::optional<std::string> condition;
  std::optional<std::string> hitCondition;
  bool returns = false;              // also trace function returns
  std::optional<std::int64_t> stack;  // stack frames to capture per hit
};

struct SetTracepointsArguments {
  std::vector<Tracepoint> tracepoints;  // required
};

bool read_value(const boost::json::value& v, Source& out, ReadContext& ctx);
bool read_value(const boost::json::value& v, InitializeArguments& out, ReadContext& ctx);
bool read_value(const boost::json::value& v, BuildFlags& out, ReadContext& ctx);
bool read_value(const boost::json::value& v, LaunchArguments& out, ReadContext& ctx);
bool read_value(const boost::json::value& v, AttachArguments& out, ReadContext& ctx);
bool read_value(const boost::json::value& v, SourceBreakpoint& out, ReadContext& ctx);
bool read_value(const boost::json::value& v, SetBreakpointsArguments& out, ReadContext& ctx);
bool read_value(const boost::json::value& v, FunctionBreakpoint& out, ReadContext& ctx);
bool read_value(const boost::json::value& v, SetFunctionBreakpointsArguments& out, ReadContext& ctx);
bool read_value(const boost::json::value& v, SetExceptionBreakpointsArguments& out, ReadContext& ctx);
bool read_value(const boost::json::value& v, ContinueArguments& out, ReadContext& ctx);
bool read_value(const boost::json::value& v, PauseArguments& out, ReadContext& ctx);
bool read_value(const boost::json::value& v, DisconnectArguments& out, ReadContext& ctx);
bool read_value(const boost::json::value& v, TerminateArguments& out, ReadContext& ctx);
bool read_value(const boost::json::value& v, Tracepoint& out, ReadContext& ctx);
bool read_value(const boost::json::value& v, SetTracepointsArguments& out, ReadContext& ctx);

// Reads a request's arguments; error paths start "<command>.arguments".
template <class T>
[[nodiscard]] Result<T> parse_arguments(const boost::json::value& arguments, std::string_view command) {
  ReadContext ctx(std::string(command) + ".arguments");
  T out{};
  read_value(arguments, out, ctx);
  if (ctx.failed()) return ctx.error();
  return out;
}

// ------------------------------------------------------------ bodies out

struct ExceptionBreakpointsFilter {
  std::string filter;
  std::string label;
  std::optional<std::string> description;
  std::optional<bool> default_;  // wire name "default"
};

struct Capabilities {
  std::optional<bool> supportsConfigurationDoneRequest;
  std::optional<bool> supportsFunctionBreakpoints;
  std::optional<bool> supportsConditionalBreakpoints;
  std::optional<bool> supportsHitConditionalBreakpoints;
  std::optional<bool> supportsEvaluateForHovers;
  std::optional<std::vector<ExceptionBreakpointsFilter>> exceptionBreakpointFilters;
  std::optional<bool> supportsStepBack;
  std::optional<bool> supportsSetVariable;
  std::optional<bool> supportsRestartFrame;
  std::optional<bool> supportsGotoTargetsRequest;
  std::optional<bool> supportsStepInTargetsRequest;
  std::optional<bool> supportsCompletionsRequest;
  std::optional<bool> supportsModulesRequest;
  std::optional<bool> supportsRestartRequest;
  std::optional<bool> supportsExceptionOptions;
  std::optional<bool> supportsValueFormattingOptions;
  std::optional<bool> supportsExceptionInfoRequest;
  std::optional<bool> supportTerminateDebuggee;
  std::optional<bool> supportSuspendDebuggee;
  std::optional<bool> supportsDelayedStackTraceLoading;
  std::optional<bool> supportsLoadedSourcesRequest;
  std::optional<bool> supportsLogPoints;
  std::optional<bool> supportsTerminateThreadsRequest;
  std::optional<bool> supportsSetExpression;
  std::optional<bool> supportsTerminateRequest;
  std::optional<bool> supportsDataBreakpoints;
  std::optional<bool> supportsReadMemoryRequest;
  std::optional<bool> supportsWriteMemoryRequest;
  std::optional<bool> supportsDisassembleRequest;
  std::optional<bool> supportsCancelRequest;
  std::optional<bool> supportsBreakpointLocationsRequest;
  std::optional<bool> supportsClipboardContext;
  std::optional<bool> supportsSteppingGranularity;
  std::optional<bool> supportsInstructionBreakpoints;
  std::optional<bool> supportsExceptionFilterOptions;
  std::optional<bool> supportsSingleThreadExecutionRequests;
};

struct Breakpoint {
  std::optional<std::int64_t> id;
  bool verified = false;
  std::optional<std::string> message;
  std::optional<Source> source;
  std::optional<std::int64_t> line;
  std::optional<std::int64_t> column;
};

struct Thread {
  std::int64_t id = 0;
  std::string name;
};

struct SetBreakpointsResponseBody {
  std::vector<Breakpoint> breakpoints;  // also setFunctionBreakpoints, setTracepoints
};

struct ThreadsResponseBody {
  std::vector<Thread> threads;
};

struct ContinueResponseBody {
  std::optional<bool> allThreadsContinued;
};

struct OutputEventBody {
  std::string category = "console";  // console, important, stdout, stderr, telemetry
  std::string output;
  std::optional<Source> source;  // an engaged empty Source is sent as {} (Delve)
  std::optional<std::int64_t> line;
  std::optional<std::int64_t> column;
  boost::json::value data;  // any JSON; omitted when null
};

struct StoppedEventBody {
  std::string reason;  // step, breakpoint, exception, pause, entry, goto, function breakpoint, ...
  std::optional<std::string> description;
  std::optional<std::int64_t> threadId;
  std::optional<bool> preserveFocusHint;
  std::optional<std::string> text;
  std::optional<bool> allThreadsStopped;
  std::optional<std::vector<std::int64_t>> hitBreakpointIds;
};

struct ExitedEventBody {
  std::int64_t exitCode = 0;
};

struct TerminatedEventBody {
  boost::json::value restart;  // omitted when null, giving Delve's {}
};

struct ProcessEventBody {
  std::string name;
  std::optional<std::int64_t> systemProcessId;
  std::optional<bool> isLocalProcess;
  std::optional<std::string> startMethod;  // launch, attach, attachForSuspendedLaunch
  std::optional<std::int64_t> pointerSize;
};

struct CapabilitiesEventBody {
  Capabilities capabilities;
};

struct BreakpointEventBody {
  std::string reason;  // changed, new, removed
  Breakpoint breakpoint;
};

boost::json::value to_json(const Source& x);
boost::json::value to_json(const ExceptionBreakpointsFilter& x);
boost::json::value to_json(const Capabilities& x);
boost::json::value to_json(const Breakpoint& x);
boost::json::value to_json(const Thread& x);
boost::json::value to_json(const SetBreakpointsResponseBody& x);
boost::json::value to_json(const ThreadsResponseBody& x);
boost::json::value to_json(const ContinueResponseBody& x);
boost::json::value to_json(const OutputEventBody& x);
boost::json::value to_json(const StoppedEventBody& x);
boost::json::value to_json(const ExitedEventBody& x);
boost::json::value to_json(const TerminatedEventBody& x);
boost::json::value to_json(const ProcessEventBody& x);
boost::json::value to_json(const CapabilitiesEventBody& x);
boost::json::value to_json(const BreakpointEventBody& x);

}  // namespace gotrace::protocol::dap
