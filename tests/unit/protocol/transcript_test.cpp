// Golden tests against real Delve 1.27.2 answers (tests/data/delve-1.27.2,
// recorded by integration/rpc_delve_diff_test.cpp). Every response is parsed
// into our types and re-serialized; the bytes must be identical.
#include "gotrace/protocol/rpc/framing.h"
#include "gotrace/protocol/rpc/json_write.h"
#include "gotrace/protocol/rpc/message.h"
#include "gotrace/protocol/rpc/types.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

namespace gotrace::protocol::rpc {
namespace {

namespace json = boost::json;

const std::string kDir = GOTRACE_SOURCE_DIR "/tests/data/delve-1.27.2/";
const char* kLog01 = "jsonrpc-01-connect-trace-continue-exit.log";
const char* kLog03 = "jsonrpc-03-raw-methods-and-errors.log";

struct Line {
  int conn;
  bool from_client;
  std::string text;
};

std::vector<Line> load(const std::string& name) {
  std::ifstream in(kDir + name);
  EXPECT_TRUE(in) << kDir + name;
  std::vector<Line> out;
  std::string s;
  while (std::getline(in, s)) {
    if (s.empty() || s[0] != '#') continue;
    auto sp = s.find(' ');
    if (sp == std::string::npos || s.size() < sp + 5) continue;
    std::string dir = s.substr(sp + 1, 4);
    if (dir != "--> " && dir != "<-- ") continue;
    std::string text = s.substr(sp + 5);
    if (text.empty() || (text[0] != '{' && text[0] != '[')) continue;  // EOF markers
    out.push_back({std::stoi(s.substr(1, sp - 1)), dir == "--> ", text});
  }
  return out;
}

// The response line for request id on the first connection.
std::string response_line(const std::vector<Line>& lines, const std::string& id) {
  for (const auto& l : lines) {
    if (!l.from_client && l.text.starts_with("{\"id\":" + id + ",")) return l.text;
  }
  ADD_FAILURE() << "no response with id " << id;
  return {};
}

template <class T>
json::value retype(const json::value& v) {
  auto r = from_json<T>(v);
  EXPECT_TRUE(r) << r.error().message;
  return r ? to_json(*r) : json::value();
}

template <class T>
json::value retype_slice(const json::value& v) {
  auto r = read_json<std::optional<std::vector<T>>>(v, "[]");
  EXPECT_TRUE(r) << r.error().message;
  return r ? to_json(*r) : json::value();
}

// Rebuilds a result object, typing every key this library models.
json::value retype_result(const std::string& method, const json::object& result) {
  json::object out;
  for (const auto& kv : result) {
    std::string key(kv.key());
    const json::value& v = kv.value();
    json::value typed;
    if (key == "State") typed = retype<DebuggerState>(v);
    else if (key == "Breakpoint") typed = retype<Breakpoint>(v);
    else if (key == "Breakpoints") typed = retype_slice<Breakpoint>(v);
    else if (key == "Locations" && method == "RPCServer.Stacktrace") typed = retype_slice<Stackframe>(v);
    else if (key == "Locations") typed = retype_slice<Location>(v);
    else if (key == "Threads") typed = retype_slice<Thread>(v);
    else if (key == "Goroutines") typed = retype_slice<Goroutine>(v);
    else if (key == "Variable") typed = retype<Variable>(v);
    else if (key == "Args" || key == "Variables") typed = retype_slice<Variable>(v);
    else if (key == "DiscardedBreakpoints") typed = retype_slice<DiscardedBreakpoint>(v);
    else if (key == "TracepointResults") typed = retype_slice<TracepointResult>(v);
    else typed = v;
    out[key] = std::move(typed);
  }
  return out;
}

// Returns the number of responses checked.
int check_transcript(const std::string& name) {
  auto lines = load(name);
  std::map<std::pair<int, std::string>, std::string> methods;  // (conn, id) -> method
  int checked = 0;
  // Requests first: the proxy sometimes logged a response before its request.
  for (const auto& l : lines) {
    if (l.from_client) {
      StreamDecoder d;
      d.feed(l.text);
      for (;;) {
        auto v = d.next();
        if (!v || !*v) break;
        Request req = parse_request(**v);
        methods[{l.conn, json::serialize(req.id)}] = req.method;
        if (req.error) continue;
        // Typed request params parse without error.
        if (req.method == "RPCServer.Command") {
          auto c = from_json<DebuggerCommand>(req.params);
          EXPECT_TRUE(c) << c.error().message;
        } else if (req.method == "RPCServer.CreateBreakpoint" || req.method == "RPCServer.AmendBreakpoint") {
          auto bp = from_json<Breakpoint>(req.params.at("Breakpoint"));
          EXPECT_TRUE(bp) << bp.error().message;
        } else if (const json::value* scope = req.params.as_object().if_contains("Scope")) {
          auto s = from_json<EvalScope>(*scope);
          EXPECT_TRUE(s) << s.error().message;
        }
      }
    }
  }
  for (const auto& l : lines) {
    if (l.from_client) continue;
    json::value resp = json::parse(l.text);
    const json::value& id = resp.at("id");
    auto it = methods.find({l.conn, json::serialize(id)});
    EXPECT_NE(it, methods.end()) << l.text.substr(0, 80);
    std::string method = it == methods.end() ? "" : it->second;
    std::string bytes;
    if (resp.at("error").is_string()) {
      bytes = encode_error(id, resp.at("error").get_string());
    } else {
      bytes = encode_result(id, retype_result(method, resp.at("result").as_object()));
    }
    EXPECT_EQ(bytes, l.text + "\n") << method;
    ++checked;
  }
  return checked;
}

TEST(Transcript, EveryResponseOf01RoundTrips) { EXPECT_EQ(check_transcript(kLog01), 32); }
TEST(Transcript, EveryResponseOf03RoundTrips) { EXPECT_EQ(check_transcript(kLog03), 60); }

// Re-serializes one response line through the given typed key.
template <class T>
std::string roundtrip(const std::string& line, const char* key) {
  auto resp = json::parse(line);
  auto typed = from_json<T>(resp.at("result").at(key));
  EXPECT_TRUE(typed) << typed.error().message;
  json::object result;
  result[key] = to_json(*typed);
  return encode_result(resp.at("id"), result);
}

TEST(Transcript, CreateBreakpointReply) {
  auto lines = load(kLog03);
  std::string line = response_line(lines, "11");
  EXPECT_EQ(line,
            R"({"id":11,"result":{"Breakpoint":{"id":1,"name":"","addr":4970820,"addrs":[4970820],"addrpid":[17242],"file":"/work/main/tests/fixtures/go/dlvprog/main.go","line":17,"functionName":"main.foo","ExprString":"","Cond":"","HitCond":"","HitCondPerG":false,"continue":true,"traceReturn":false,"goroutine":false,"stacktrace":0,"LoadArgs":{"FollowPointers":false,"MaxVariableRecurse":0,"MaxStringLen":64,"MaxArrayValues":0,"MaxStructFields":3},"LoadLocals":null,"WatchExpr":"","WatchType":0,"hitCount":{},"totalHitCount":0,"disabled":false,"RootFuncName":"","TraceFollowCalls":0}},"error":null})");
  EXPECT_EQ(roundtrip<Breakpoint>(line, "Breakpoint"), line + "\n");
}

TEST(Transcript, ReturnBreakpointAndCondEscaping) {
  auto lines = load(kLog03);
  std::string ret = response_line(lines, "15");  // addr-only traceReturn breakpoint
  EXPECT_EQ(roundtrip<Breakpoint>(ret, "Breakpoint"), ret + "\n");
  std::string cond = response_line(lines, "17");  // "Cond":"total \u003e 0"
  EXPECT_NE(cond.find(R"("Cond":"total \u003e 0")"), std::string::npos);
  auto bp = from_json<Breakpoint>(json::parse(cond).at("result").at("Breakpoint"));
  ASSERT_TRUE(bp);
  EXPECT_EQ(bp->Cond, "total > 0");
  EXPECT_EQ(roundtrip<Breakpoint>(cond, "Breakpoint"), cond + "\n");
}

TEST(Transcript, ExitStateReply) {
  auto lines = load(kLog01);
  std::string line = response_line(lines, "26");
  EXPECT_EQ(line,
            R"({"id":26,"result":{"State":{"Pid":17215,"TargetCommandLine":"","Running":false,"Recording":false,"CoreDumping":false,"Threads":null,"NextInProgress":false,"WatchOutOfScope":null,"exited":true,"exitStatus":0,"When":""}},"error":null})");
  EXPECT_EQ(roundtrip<DebuggerState>(line, "State"), line + "\n");
  DebuggerState s;
  s.Pid = 17215;
  s.exited = true;
  json::object result;
  result["State"] = to_json(s);
  EXPECT_EQ(encode_result(json::value(26), result), line + "\n");
}

TEST(Transcript, ErrorAndEmptyReplies) {
  auto lines01 = load(kLog01);
  EXPECT_EQ(response_line(lines01, "0"), R"({"id":0,"result":{},"error":null})");
  EXPECT_EQ(encode_result(json::value(0), json::object()), response_line(lines01, "0") + "\n");
  auto lines03 = load(kLog03);
  for (const char* id : {"12", "24"}) {
    std::string line = response_line(lines03, id);
    auto resp = json::parse(line);
    ASSERT_TRUE(resp.at("error").is_string());
    EXPECT_EQ(encode_error(resp.at("id"), resp.at("error").get_string()), line + "\n");
  }
  EXPECT_EQ(encode_error(json::value(24), "unknown method: RPCServer.NoSuchMethod"),
            response_line(lines03, "24") + "\n");
  EXPECT_EQ(encode_result(json::value("abc-1"), json::object{{"Pid", 17242}}),
            response_line(lines03, "\"abc-1\"") + "\n");
}

TEST(Transcript, FullStopStateWithThreadsAndBreakpointInfo) {
  auto lines = load(kLog01);
  std::string line = response_line(lines, "15");
  auto state = from_json<DebuggerState>(json::parse(line).at("result").at("State"));
  ASSERT_TRUE(state) << state.error().message;
  EXPECT_EQ(state->Pid, 17215);
  ASSERT_TRUE(state->currentThread);
  const Thread& t = *state->currentThread;
  EXPECT_EQ(t.goroutineID, 1);
  ASSERT_TRUE(t.function);
  EXPECT_EQ(t.function->name, "main.foo");
  ASSERT_TRUE(t.breakPoint);
  EXPECT_TRUE(t.breakPoint->Tracepoint);
  EXPECT_EQ(t.breakPoint->hitCount.at("1"), 1u);
  EXPECT_EQ(t.breakPoint->LoadArgs, kShortLoadConfig);
  ASSERT_TRUE(t.breakPointInfo);
  ASSERT_EQ(t.breakPointInfo->arguments.size(), 3u);
  const Variable& x = t.breakPointInfo->arguments[0];
  EXPECT_EQ(x.name, "x");
  EXPECT_EQ(x.addr, 13758215386640154624ull);
  EXPECT_EQ(x.flags, kVarArgument | kVarFakeAddress);
  EXPECT_EQ(t.breakPointInfo->arguments[2].flags, kVarReturnArgument);
  EXPECT_FALSE(t.ReturnValues);
  ASSERT_TRUE(state->Threads);
  EXPECT_EQ(state->Threads->size(), 4u);
  ASSERT_TRUE(state->currentGoroutine);
  EXPECT_EQ(state->currentGoroutine->goStatementLoc.file, "<autogenerated>");
  json::object result;
  result["State"] = to_json(*state);
  EXPECT_EQ(encode_result(json::value(15), result), line + "\n");
}

TEST(Transcript, ReturnStopCarriesReturnValues) {
  auto lines = load(kLog01);
  bool seen = false;
  for (const auto& l : lines) {
    if (l.from_client || l.text.find(R"("ReturnValues":[)") == std::string::npos) continue;
    auto state = from_json<DebuggerState>(json::parse(l.text).at("result").at("State"));
    ASSERT_TRUE(state) << state.error().message;
    ASSERT_TRUE(state->currentThread);
    if (!state->currentThread->ReturnValues) continue;
    const Thread& t = *state->currentThread;
    EXPECT_TRUE(t.breakPoint->traceReturn);
    if (t.breakPoint->functionName != "main.foo") continue;
    EXPECT_EQ(t.ReturnValues->at(0).name, "z");
    EXPECT_EQ(t.ReturnValues->at(0).flags, kVarReturnArgument);
    seen = true;
  }
  EXPECT_TRUE(seen);
}

}  // namespace
}  // namespace gotrace::protocol::rpc
