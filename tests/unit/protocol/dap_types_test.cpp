#include "gotrace/protocol/dap/message.h"
#include "gotrace/protocol/dap/types.h"

#include "dap_schema_validator.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

namespace gotrace::protocol::dap {
namespace {

namespace json = boost::json;

// Parses a whole request line from a transcript and its typed arguments.
template <class T>
T args_of(std::string_view request_line) {
  auto req = parse_request(json::parse(request_line));
  EXPECT_TRUE(req) << req.error().message;
  if (!req) return T{};
  // The request arguments a client sends must be valid per the spec too
  // (except gotrace's custom setTracepoints).
  auto r = parse_arguments<T>(req->arguments, req->command);
  EXPECT_TRUE(r) << r.error().message;
  return r ? *r : T{};
}

template <class T>
std::string error_of(std::string_view arguments, std::string_view command) {
  auto r = parse_arguments<T>(json::parse(arguments), command);
  return r ? std::string("(no error)") : r.error().message;
}

// ---- arguments, from the Delve transcripts (dap-01..06) ----

TEST(DapTypes, VsCodeInitialize) {
  const char* line =
      R"({"type":"request","seq":1,"command":"initialize","arguments":{"clientID":"vscode","clientName":"Visual Studio Code","adapterID":"go","pathFormat":"path","linesStartAt1":true,"columnsStartAt1":true,"supportsVariableType":true,"supportsVariablePaging":true,"supportsRunInTerminalRequest":true,"locale":"en","supportsProgressReporting":true,"supportsInvalidatedEvent":true,"supportsMemoryReferences":true,"supportsArgsCanBeInterpretedByShell":true,"supportsMemoryEvent":true,"supportsStartDebuggingRequest":true,"supportsANSIStyling":true}})";
  EXPECT_VALID(json::parse(line), "InitializeRequest");
  auto a = args_of<InitializeArguments>(line);
  EXPECT_EQ(a.clientID, "vscode");
  EXPECT_EQ(a.clientName, "Visual Studio Code");
  EXPECT_EQ(a.adapterID, "go");
  EXPECT_EQ(a.pathFormat, "path");
  EXPECT_EQ(a.locale, "en");
  EXPECT_EQ(a.linesStartAt1, true);
  EXPECT_EQ(a.columnsStartAt1, true);
  EXPECT_EQ(a.supportsVariableType, true);
  EXPECT_EQ(a.supportsMemoryEvent, true);
  EXPECT_EQ(a.supportsANSIStyling, true);

  // dap-06's minimal one; everything is optional.
  auto m = args_of<InitializeArguments>(
      R"({"type":"request","seq":1,"command":"initialize","arguments":{"adapterID":"go","pathFormat":"path","linesStartAt1":true,"columnsStartAt1":true}})");
  EXPECT_EQ(m.clientID, std::nullopt);
  EXPECT_EQ(m.supportsVariableType, std::nullopt);
  auto none = parse_arguments<InitializeArguments>(nullptr, "initialize");
  EXPECT_TRUE(none);
  EXPECT_EQ(error_of<InitializeArguments>(R"({"linesStartAt1":"yes"})", "initialize"),
            "initialize.arguments.linesStartAt1: expected bool, got string");
}

TEST(DapTypes, VsCodeLaunch) {
  const char* line =
      R"({"type":"request","seq":2,"command":"launch","arguments":{"name":"Launch Executable","type":"go","request":"launch","mode":"exec","program":"$PROGDIR/prog","args":[],"env":{},"cwd":"$PROGDIR","stopOnEntry":false,"__sessionId":"00000000-0000-0000-0000-000000000001"}})";
  EXPECT_VALID(json::parse(line), "LaunchRequest");
  auto a = args_of<LaunchArguments>(line);
  EXPECT_EQ(a.mode, "exec");
  EXPECT_EQ(a.program, "$PROGDIR/prog");
  EXPECT_TRUE(a.args.empty());
  EXPECT_TRUE(a.env.empty());
  EXPECT_EQ(a.cwd, "$PROGDIR");
  EXPECT_FALSE(a.stopOnEntry);
  EXPECT_FALSE(a.buildFlags);

  // dap-02 (mode debug, output) and dap-05 (args, stopOnEntry).
  auto d = args_of<LaunchArguments>(
      R"({"type":"request","seq":2,"command":"launch","arguments":{"name":"Launch Package","type":"go","request":"launch","mode":"debug","program":"$PROGDIR","__buildDir":"$PROGDIR","args":[],"env":{},"stopOnEntry":false,"output":"$PROGDIR/__debug_bin","__sessionId":"00000000-0000-0000-0000-000000000002"}})");
  EXPECT_EQ(d.mode, "debug");
  EXPECT_EQ(d.output, "$PROGDIR/__debug_bin");
  auto e = args_of<LaunchArguments>(
      R"({"type":"request","seq":2,"command":"launch","arguments":{"name":"Launch Executable","type":"go","request":"launch","mode":"exec","program":"$PROGDIR/prog","args":["loop"],"stopOnEntry":true}})");
  EXPECT_EQ(e.args, std::vector<std::string>{"loop"});
  EXPECT_TRUE(e.stopOnEntry);
}

TEST(DapTypes, LaunchFieldVariants) {
  auto r = parse_arguments<LaunchArguments>(
      json::parse(R"({"program":"p","env":{"A":"1","B":null},"buildFlags":"-tags=x","noDebug":true,"backend":"default"})"),
      "launch");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->env.size(), 2u);
  EXPECT_EQ(r->env.at("A"), "1");
  EXPECT_EQ(r->env.at("B"), std::nullopt);
  ASSERT_TRUE(r->buildFlags);
  EXPECT_EQ(std::get<std::string>(r->buildFlags->value), "-tags=x");
  EXPECT_TRUE(r->noDebug);
  EXPECT_EQ(r->backend, "default");
  EXPECT_EQ(r->mode, "");

  r = parse_arguments<LaunchArguments>(json::parse(R"({"buildFlags":["-tags","x"]})"), "launch");
  ASSERT_TRUE(r);
  EXPECT_EQ(std::get<std::vector<std::string>>(r->buildFlags->value), (std::vector<std::string>{"-tags", "x"}));

  EXPECT_EQ(error_of<LaunchArguments>(R"({"args":["a",1]})", "launch"),
            "launch.arguments.args[1]: expected string, got number");
  EXPECT_EQ(error_of<LaunchArguments>(R"({"env":{"A":1}})", "launch"),
            "launch.arguments.env.A: expected string, got number");
  EXPECT_EQ(error_of<LaunchArguments>(R"({"buildFlags":3})", "launch"),
            "launch.arguments.buildFlags: expected string or array of strings, got number");
  EXPECT_EQ(error_of<LaunchArguments>(R"({"buildFlags":["a",true]})", "launch"),
            "launch.arguments.buildFlags[1]: expected string, got bool");
  EXPECT_EQ(error_of<LaunchArguments>(R"({"stopOnEntry":"true"})", "launch"),
            "launch.arguments.stopOnEntry: expected bool, got string");
  EXPECT_EQ(error_of<LaunchArguments>(R"([1])", "launch"), "launch.arguments: expected object, got array");
  // Exact case: "Program" is an unknown key, ignored.
  r = parse_arguments<LaunchArguments>(json::parse(R"({"Program":"p"})"), "launch");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->program, "");
}

TEST(DapTypes, Attach) {
  const char* line =
      R"({"type":"request","seq":2,"command":"attach","arguments":{"name":"Connect to server","type":"go","request":"attach","mode":"remote","stopOnEntry":false,"__sessionId":"00000000-0000-0000-0000-000000000003"}})";
  EXPECT_VALID(json::parse(line), "AttachRequest");
  auto a = args_of<AttachArguments>(line);
  EXPECT_EQ(a.mode, "remote");
  EXPECT_EQ(a.processId, std::nullopt);

  auto r = parse_arguments<AttachArguments>(json::parse(R"({"mode":"local","processId":4242,"backend":"native"})"), "attach");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->processId, 4242);
  EXPECT_EQ(r->backend, "native");
  r = parse_arguments<AttachArguments>(json::parse(R"({"mode":"local","processId":"4243"})"), "attach");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->processId, 4243);
  EXPECT_EQ(error_of<AttachArguments>(R"({"processId":"${command:pickProcess}"})", "attach"),
            "attach.arguments.processId: expected integer or numeric string, got \"${command:pickProcess}\"");
  EXPECT_EQ(error_of<AttachArguments>(R"({"processId":"12a"})", "attach"),
            "attach.arguments.processId: expected integer or numeric string, got \"12a\"");
  EXPECT_EQ(error_of<AttachArguments>(R"({"processId":1.5})", "attach"),
            "attach.arguments.processId: expected integer, got number");
}

TEST(DapTypes, SetBreakpoints) {
  const char* line =
      R"({"type":"request","seq":3,"command":"setBreakpoints","arguments":{"source":{"name":"prog.go","path":"$PROGDIR/prog.go"},"breakpoints":[{"line":17,"logMessage":"foo called x={x} y={y}"},{"line":27,"condition":"total > 0"}],"lines":[17,27],"sourceModified":false}})";
  EXPECT_VALID(json::parse(line), "SetBreakpointsRequest");
  auto a = args_of<SetBreakpointsArguments>(line);
  EXPECT_EQ(a.source.name, "prog.go");
  EXPECT_EQ(a.source.path, "$PROGDIR/prog.go");
  ASSERT_EQ(a.breakpoints.size(), 2u);
  EXPECT_EQ(a.breakpoints[0].line, 17);
  EXPECT_EQ(a.breakpoints[0].logMessage, "foo called x={x} y={y}");
  EXPECT_EQ(a.breakpoints[0].condition, std::nullopt);
  EXPECT_EQ(a.breakpoints[1].condition, "total > 0");
  EXPECT_EQ(a.lines, (std::vector<std::int64_t>{17, 27}));
  EXPECT_FALSE(a.sourceModified);

  // dap-05: hitCondition on a logpoint.
  auto h = args_of<SetBreakpointsArguments>(
      R"({"type":"request","seq":3,"command":"setBreakpoints","arguments":{"source":{"name":"prog.go","path":"$PROGDIR/prog.go"},"breakpoints":[{"line":17,"logMessage":"x={x}","hitCondition":"> 2"}],"lines":[17],"sourceModified":false}})");
  ASSERT_EQ(h.breakpoints.size(), 1u);
  EXPECT_EQ(h.breakpoints[0].hitCondition, "> 2");

  EXPECT_EQ(error_of<SetBreakpointsArguments>(R"({"breakpoints":[]})", "setBreakpoints"),
            "setBreakpoints.arguments: missing field \"source\"");
  EXPECT_EQ(error_of<SetBreakpointsArguments>("null", "setBreakpoints"),
            "setBreakpoints.arguments: missing field \"source\"");
  EXPECT_EQ(error_of<SetBreakpointsArguments>(R"({"source":{},"breakpoints":[{"line":1},{"column":2}]})", "setBreakpoints"),
            "setBreakpoints.arguments.breakpoints[1]: missing field \"line\"");
  EXPECT_EQ(error_of<SetBreakpointsArguments>(R"({"source":{},"breakpoints":[{"line":"17"}]})", "setBreakpoints"),
            "setBreakpoints.arguments.breakpoints[0].line: expected integer, got string");
  EXPECT_EQ(error_of<SetBreakpointsArguments>(R"({"source":{"path":1}})", "setBreakpoints"),
            "setBreakpoints.arguments.source.path: expected string, got number");
}

TEST(DapTypes, SetFunctionAndExceptionBreakpoints) {
  const char* line =
      R"({"type":"request","seq":4,"command":"setFunctionBreakpoints","arguments":{"breakpoints":[{"name":"main.worker"},{"name":"main.nosuch"}]}})";
  EXPECT_VALID(json::parse(line), "SetFunctionBreakpointsRequest");
  auto a = args_of<SetFunctionBreakpointsArguments>(line);
  ASSERT_EQ(a.breakpoints.size(), 2u);
  EXPECT_EQ(a.breakpoints[0].name, "main.worker");
  EXPECT_EQ(a.breakpoints[1].name, "main.nosuch");

  auto c = parse_arguments<SetFunctionBreakpointsArguments>(
      json::parse(R"({"breakpoints":[{"name":"main.foo","condition":"x > 1","hitCondition":"3"}]})"), "setFunctionBreakpoints");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->breakpoints[0].condition, "x > 1");
  EXPECT_EQ(c->breakpoints[0].hitCondition, "3");
  EXPECT_EQ(error_of<SetFunctionBreakpointsArguments>(R"({})", "setFunctionBreakpoints"),
            "setFunctionBreakpoints.arguments: missing field \"breakpoints\"");
  EXPECT_EQ(error_of<SetFunctionBreakpointsArguments>(R"({"breakpoints":[{"condition":"x"}]})", "setFunctionBreakpoints"),
            "setFunctionBreakpoints.arguments.breakpoints[0]: missing field \"name\"");

  auto e = args_of<SetExceptionBreakpointsArguments>(
      R"({"type":"request","seq":5,"command":"setExceptionBreakpoints","arguments":{"filters":[]}})");
  EXPECT_TRUE(e.filters.empty());
  EXPECT_EQ(error_of<SetExceptionBreakpointsArguments>(R"({"filters":"x"})", "setExceptionBreakpoints"),
            "setExceptionBreakpoints.arguments.filters: expected array, got string");
}

TEST(DapTypes, SetTracepoints) {
  auto r = parse_arguments<SetTracepointsArguments>(json::parse(R"j({"tracepoints":[
      {"function":"^main\\.foo$","logMessage":"x={x}","condition":"x > 1","hitCondition":"> 2","returns":true,"stack":3},
      {"function":"main.(bar|baz)"}]})j"),
                                                     "setTracepoints");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->tracepoints.size(), 2u);
  const Tracepoint& t = r->tracepoints[0];
  EXPECT_EQ(t.function, "^main\\.foo$");
  EXPECT_EQ(t.logMessage, "x={x}");
  EXPECT_EQ(t.condition, "x > 1");
  EXPECT_EQ(t.hitCondition, "> 2");
  EXPECT_TRUE(t.returns);
  EXPECT_EQ(t.stack, 3);
  EXPECT_FALSE(r->tracepoints[1].returns);
  EXPECT_EQ(r->tracepoints[1].stack, std::nullopt);

  EXPECT_EQ(error_of<SetTracepointsArguments>(R"({})", "setTracepoints"),
            "setTracepoints.arguments: missing field \"tracepoints\"");
  EXPECT_EQ(error_of<SetTracepointsArguments>(R"({"tracepoints":[{"logMessage":"x"}]})", "setTracepoints"),
            "setTracepoints.arguments.tracepoints[0]: missing field \"function\"");
  EXPECT_EQ(error_of<SetTracepointsArguments>(R"({"tracepoints":[{"function":"f","returns":1}]})", "setTracepoints"),
            "setTracepoints.arguments.tracepoints[0].returns: expected bool, got number");
  EXPECT_EQ(error_of<SetTracepointsArguments>(R"({"tracepoints":[{"function":"f","stack":"3"}]})", "setTracepoints"),
            "setTracepoints.arguments.tracepoints[0].stack: expected integer, got string");
}

TEST(DapTypes, ContinuePauseDisconnectTerminate) {
  auto c = args_of<ContinueArguments>(R"({"type":"request","seq":8,"command":"continue","arguments":{"threadId":18}})");
  EXPECT_EQ(c.threadId, 18);
  // dap-05: a client sent continue with {}; Delve accepted it.
  auto c0 = args_of<ContinueArguments>(R"({"type":"request","seq":9,"command":"continue","arguments":{}})");
  EXPECT_EQ(c0.threadId, 0);
  auto p = args_of<PauseArguments>(R"({"type":"request","seq":9,"command":"pause","arguments":{"threadId":1}})");
  EXPECT_EQ(p.threadId, 1);
  EXPECT_EQ(error_of<ContinueArguments>(R"({"threadId":"1"})", "continue"),
            "continue.arguments.threadId: expected integer, got string");

  auto d = args_of<DisconnectArguments>(
      R"({"type":"request","seq":12,"command":"disconnect","arguments":{"restart":false,"terminateDebuggee":true}})");
  EXPECT_EQ(d.restart, false);
  EXPECT_EQ(d.terminateDebuggee, true);
  EXPECT_EQ(d.suspendDebuggee, std::nullopt);
  // dap-04: disconnect without arguments.
  auto d0 = args_of<DisconnectArguments>(R"({"type":"request","seq":4,"command":"disconnect"})");
  EXPECT_EQ(d0.terminateDebuggee, std::nullopt);
  auto t = parse_arguments<TerminateArguments>(json::parse(R"({"restart":true})"), "terminate");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->restart, true);
}

// ---- bodies out, each validated against the schema ----

TEST(DapTypes, CapabilitiesOnlySetFields) {
  Capabilities caps;
  EXPECT_EQ(json::serialize(to_json(caps)), "{}");
  caps.supportsConfigurationDoneRequest = true;
  caps.supportsHitConditionalBreakpoints = false;
  caps.supportsLogPoints = true;
  caps.exceptionBreakpointFilters = std::vector<ExceptionBreakpointsFilter>{
      {"unrecovered-panic", "Unrecovered Panics", std::nullopt, true},
      {"runtime-fatal-throw", "Fatal Throws", std::nullopt, true}};
  EXPECT_EQ(json::serialize(to_json(caps)),
            R"({"supportsConfigurationDoneRequest":true,"supportsHitConditionalBreakpoints":false,"exceptionBreakpointFilters":[{"filter":"unrecovered-panic","label":"Unrecovered Panics","default":true},{"filter":"runtime-fatal-throw","label":"Fatal Throws","default":true}],"supportsLogPoints":true})");
  EXPECT_VALID(make_response(1, 1, "initialize", true, std::nullopt, to_json(caps)), "InitializeResponse");
  EXPECT_VALID(to_json(caps), "Capabilities");

  CapabilitiesEventBody ev;
  ev.capabilities.supportTerminateDebuggee = true;
  json::object e = make_event(2, "capabilities", to_json(ev));
  EXPECT_EQ(json::serialize(e.at("body")), R"({"capabilities":{"supportTerminateDebuggee":true}})");  // dap-03
  EXPECT_VALID(e, "CapabilitiesEvent");
}

TEST(DapTypes, BreakpointsResponseMatchesDelve) {
  Source src{"prog.go", "$PROGDIR/prog.go", std::nullopt};
  SetBreakpointsResponseBody body;
  body.breakpoints.push_back(Breakpoint{3, true, std::nullopt, src, 31, std::nullopt});
  body.breakpoints.push_back(Breakpoint{std::nullopt, false, "location \"main.nosuch\" not found", std::nullopt,
                                        std::nullopt, std::nullopt});
  json::object r = make_response(0, 4, "setFunctionBreakpoints", true, std::nullopt, to_json(body));
  // dap-01 line for request 4.
  EXPECT_EQ(json::serialize(r),
            R"({"seq":0,"type":"response","request_seq":4,"success":true,"command":"setFunctionBreakpoints","body":{"breakpoints":[{"id":3,"verified":true,"source":{"name":"prog.go","path":"$PROGDIR/prog.go"},"line":31},{"verified":false,"message":"location \"main.nosuch\" not found"}]}})");
  r["seq"] = 5;
  EXPECT_VALID(r, "SetFunctionBreakpointsResponse");
  r["command"] = "setBreakpoints";
  EXPECT_VALID(r, "SetBreakpointsResponse");

  BreakpointEventBody be{"changed", body.breakpoints[0]};
  EXPECT_VALID(make_event(6, "breakpoint", to_json(be)), "BreakpointEvent");
}

TEST(DapTypes, ThreadsAndContinueResponses) {
  ThreadsResponseBody t{{Thread{1, "* [Go 1] main.describe (Thread 12986)"}, Thread{2, "[Go 2] runtime.gopark"}}};
  json::object r = make_response(3, 7, "threads", true, std::nullopt, to_json(t));
  EXPECT_EQ(json::serialize(r.at("body")),
            R"j({"threads":[{"id":1,"name":"* [Go 1] main.describe (Thread 12986)"},{"id":2,"name":"[Go 2] runtime.gopark"}]})j");
  EXPECT_VALID(r, "ThreadsResponse");
  json::object c = make_response(4, 8, "continue", true, std::nullopt, to_json(ContinueResponseBody{true}));
  EXPECT_EQ(json::serialize(c.at("body")), R"({"allThreadsContinued":true})");
  EXPECT_VALID(c, "ContinueResponse");
}

TEST(DapTypes, EventsMatchDelve) {
  // Logpoint output (dap-01), console output with an empty source.
  OutputEventBody out;
  out.category = "stdout";
  out.output = "> [Go 1]: foo called x=0 y=10\n";
  out.source = Source{std::nullopt, "$PROGDIR/prog.go", std::nullopt};
  out.line = 17;
  json::object e = make_event(0, "output", to_json(out));
  EXPECT_EQ(json::serialize(e),
            R"({"seq":0,"type":"event","event":"output","body":{"category":"stdout","output":"> [Go 1]: foo called x=0 y=10\n","source":{"path":"$PROGDIR/prog.go"},"line":17}})");
  e["seq"] = 9;
  EXPECT_VALID(e, "OutputEvent");
  OutputEventBody console;
  console.output = "Detaching\n";
  console.source = Source{};
  EXPECT_EQ(json::serialize(to_json(console)), R"({"category":"console","output":"Detaching\n","source":{}})");
  EXPECT_VALID(make_event(10, "output", to_json(console)), "OutputEvent");
  OutputEventBody with_data;
  with_data.output = "x";
  with_data.data = json::parse(R"({"goid":1,"args":[1,"a"]})");
  EXPECT_VALID(make_event(11, "output", to_json(with_data)), "OutputEvent");

  StoppedEventBody s;
  s.reason = "breakpoint";
  s.threadId = 1;
  s.allThreadsStopped = true;
  s.hitBreakpointIds = std::vector<std::int64_t>{2};
  EXPECT_EQ(json::serialize(to_json(s)), R"({"reason":"breakpoint","threadId":1,"allThreadsStopped":true,"hitBreakpointIds":[2]})");
  EXPECT_VALID(make_event(12, "stopped", to_json(s)), "StoppedEvent");
  StoppedEventBody pause;
  pause.reason = "pause";
  pause.allThreadsStopped = true;
  EXPECT_EQ(json::serialize(to_json(pause)), R"({"reason":"pause","allThreadsStopped":true})");  // dap-05: no threadId
  EXPECT_VALID(make_event(13, "stopped", to_json(pause)), "StoppedEvent");

  json::object exited = make_event(14, "exited", to_json(ExitedEventBody{3}));
  EXPECT_EQ(json::serialize(exited.at("body")), R"({"exitCode":3})");
  EXPECT_VALID(exited, "ExitedEvent");
  EXPECT_VALID(make_event(15, "terminated", to_json(TerminatedEventBody{})), "TerminatedEvent");
  EXPECT_VALID(make_event(16, "terminated", to_json(TerminatedEventBody{json::parse(R"({"x":1})")})), "TerminatedEvent");

  ProcessEventBody p{"$PROGDIR/prog", 12986, true, "launch", std::nullopt};
  json::object pe = make_event(17, "process", to_json(p));
  EXPECT_EQ(json::serialize(pe.at("body")),
            R"({"name":"$PROGDIR/prog","systemProcessId":12986,"isLocalProcess":true,"startMethod":"launch"})");
  EXPECT_VALID(pe, "ProcessEvent");
  EXPECT_VALID(make_event(18, "initialized"), "InitializedEvent");
}

}  // namespace
}  // namespace gotrace::protocol::dap
