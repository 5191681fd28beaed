// JSON-RPC side by side with Delve 1.27.2 (issue 18): the client requests
// of the jsonrpc-01 (a `dlv connect` session: trace, breakpoints, continue
// to the exit) and jsonrpc-03 (every method, bad input) captures go to a
// live `dlv exec --headless` 1.27.2, whose answers are recorded as a
// transcript; the same requests then go to `gotrace exec --headless`, and
// every answer is compared field by field (rpc_transcript_replay.cpp lists
// what is masked and why). Copies of the recorded transcripts are kept under
// tests/data/delve-1.27.2/ for reading; the test records them afresh.
#include "harness.h"
#include "rpc_client.h"
#include "rpc_transcript_replay.h"

#include <gtest/gtest.h>
#include <re2/re2.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>

namespace gotrace::itest {
namespace {

const char* kDelve = "/usr/local/bin/dlv";

std::string record_from_delve(const std::string& capture, bool multiclient) {
  std::vector<std::string> argv = {kDelve, "exec", "--headless", "--api-version=2", "--listen=127.0.0.1:0",
                                   "--check-go-version=false"};
  if (multiclient) argv.push_back("--accept-multiclient");
  argv.push_back(fixture("dlvprog-N"));
  Server dlv = start_server(argv);
  EXPECT_GT(dlv.port, 0) << "dlv did not print its listening line";
  if (dlv.port < 0) return "";
  std::string out = "/tmp/gotrace-itest-" + std::to_string(getpid()) + "-" + capture;
  std::string error;
  bool ok = record_transcript(kDelve120Transcripts + capture, dlv.port, out, &error);
  EXPECT_TRUE(ok) << error;
  // GOTRACE_KEEP_TRANSCRIPTS=DIR keeps a copy (tests/data/delve-1.27.2 was
  // written so).
  if (const char* keep = std::getenv("GOTRACE_KEEP_TRANSCRIPTS"); ok && keep)
    std::filesystem::copy_file(out, std::string(keep) + "/" + capture,
                               std::filesystem::copy_options::overwrite_existing);
  if (!wait_pid_gone(dlv.proc.pid, 20000)) kill(dlv.proc.pid, SIGKILL);
  dlv.proc.wait(10);
  return ok ? out : "";
}

TEST(RpcDelveDiff, ConnectTraceContinueExit) {
  require_root();
  std::string t = record_from_delve("jsonrpc-01-connect-trace-continue-exit.log", false);
  ASSERT_FALSE(t.empty());
  replay_transcript(t, false, false);
  unlink(t.c_str());
}

TEST(RpcDelveDiff, RawMethodsAndErrors) {
  require_root();
  std::string t = record_from_delve("jsonrpc-03-raw-methods-and-errors.log", true);
  ASSERT_FALSE(t.empty());
  replay_transcript(t, false, true);
  unlink(t.c_str());
}

// Both servers on one program: every request goes to each, the answers are
// compared (rpc_transcript_replay.cpp's masks).
class SideBySide {
 public:
  explicit SideBySide(const std::string& program) {
    dlv_ = start_server({kDelve, "exec", "--headless", "--api-version=2", "--listen=127.0.0.1:0",
                         "--check-go-version=false", "--accept-multiclient", program});
    ours_ = start_server({gotrace(), "exec", "--headless", "--api-version=2", "--listen=127.0.0.1:0",
                          "--accept-multiclient", program});
    EXPECT_TRUE(dlv_.port > 0 && d_.connect(dlv_.port)) << "dlv";
    EXPECT_TRUE(ours_.port > 0 && o_.connect(ours_.port)) << "gotrace";
  }
  ~SideBySide() {
    for (auto* c : {&d_, &o_}) c->call("Detach", json::object{{"Kill", true}}, 10000);
    for (Server* s : {&dlv_, &ours_}) {
      if (!wait_pid_gone(s->proc.pid, 20000)) kill(s->proc.pid, SIGKILL);
      s->proc.wait(10);
    }
  }
  void same(const std::string& method, const json::value& params) {
    json::value want = d_.call(method, params, 30000), got = o_.call(method, params, 30000);
    SCOPED_TRACE(method + " " + json::serialize(params));
    ASSERT_TRUE(want.is_object()) << "dlv did not answer";
    ASSERT_TRUE(got.is_object()) << "gotrace did not answer";
    got.as_object()["id"] = want.at("id");
    EXPECT_EQ(compare_answers(want, got), "") << "delve: " << json::serialize(want).substr(0, 600)
                                              << "\ngotrace: " << json::serialize(got).substr(0, 600);
  }

 private:
  Server dlv_, ours_;
  RpcClient d_, o_;
};

json::value find(const std::string& loc) {
  return json::object{{"Scope", json::object{{"GoroutineID", -1}, {"Frame", 0}, {"DeferredCall", 0}}},
                      {"Loc", loc},
                      {"IncludeNonExecutableLines", false},
                      {"SubstitutePathRules", nullptr}};
}

// Delve's location specs, as `dlv connect`'s break/trace send them, and its
// errors for the bad ones.
TEST(RpcDelveDiff, FindLocationSpecs) {
  require_root();
  SideBySide both(fixture("followcalls-N"));
  for (const char* loc : {"main.fact", "fact", "main.fact:1", "main.fact:2", "main.go:24", "main.go:3", "nosuch.go:3",
                          "main.go", "/^main\\.via/", "/[/", "*main.leaf", "main.(*T).M", "nosuch", "leaf",
                          "main.viaClosure.func1", "+1", "-2", "7", "+0", "", "+x", "main.fact:-1",
                          "main.fact:x", "/a/b/"})
    both.same("FindLocation", find(loc));
}

// ListFunctions with FollowCalls: what --follow-calls traces from each
// match, as Delve's traversal finds it in the code (sorted, once each).
TEST(RpcDelveDiff, ListFunctionsFollowCalls) {
  require_root();
  SideBySide both(fixture("followcalls-N"));
  for (const char* filter : {"main.fact", "^main\\.via", "main.viaDefer", "main.viaValue", "main.main$"})
    for (int depth : {0, 1, 2, 3, 5})
      both.same("ListFunctions", json::object{{"Filter", filter}, {"FollowCalls", depth}});
  both.same("ListFunctions", json::object{{"Filter", "main.(a"}, {"FollowCalls", 2}});
}

// What `dlv connect` 1.27.2 prints against a server, by hit: a block is a
// trace line and the lines under it; goroutine 1's blocks in order, the
// others' as a sorted list with their goroutine ids masked (ids and the
// interleaving of goroutines differ between any two runs). Delve's own
// stopping breakpoints (unrecovered-panic, runtime-fatal-throw) are left out
// of its `breakpoints` listing: gotrace never stops the program (README).
std::string connect_digest(const std::string& out) {
  std::string head, main_blocks, exit_line;
  std::vector<std::string> others;
  std::string* block = nullptr;
  std::string other;
  bool skipping_internal = false;
  auto flush_other = [&] {
    if (!other.empty()) others.push_back(other);
    other.clear();
  };
  for (std::string l : lines(out)) {
    RE2::GlobalReplace(&l, R"(Process \d+ has exited)", "Process PID has exited");
    // The prompt, before `exit`: a line of its own goes, one that output
    // followed keeps the output.
    if (RE2::GlobalReplace(&l, R"(^(\(dlv\) )+)", "") > 0 && l.empty()) continue;
    if (l.empty() && block == nullptr) continue;
    if (l.find("has exited with status") != std::string::npos) {
      exit_line = l;
      continue;
    }
    std::string g;
    bool trace = RE2::PartialMatch(l, R"(^ *>>? goroutine\((\d+)\))", &g);
    if (trace) {
      flush_other();
      if (g == "1") {
        block = &main_blocks;
      } else {
        RE2::Replace(&l, R"(goroutine\(\d+\))", "goroutine(G)");
        block = &other;
      }
    } else if (!block) {
      if (RE2::PartialMatch(l, R"(^Breakpoint (runtime-fatal-throw|unrecovered-panic) )")) {
        skipping_internal = true;
        continue;
      }
      if (skipping_internal && l.rfind("\t", 0) == 0) continue;
      skipping_internal = false;
      if (l.rfind("Type 'help'", 0) == 0) continue;
      head += l + "\n";
      continue;
    }
    *block += l + "\n";
  }
  flush_other();
  std::sort(others.begin(), others.end());
  std::string d = head + "--- goroutine 1\n" + main_blocks + "--- other goroutines\n";
  for (const auto& o : others) d += o;
  return d + exit_line + "\n";
}

// Starts `argv`, optionally prepares it over JSON-RPC, then runs `dlv
// connect` 1.27.2 with `init` and "exit" on stdin; its output.
std::string dlv_connect(std::vector<std::string> argv, const std::string& init,
                        const std::function<void(RpcClient&)>& prepare = nullptr) {
  Server srv = start_server(argv);
  EXPECT_GT(srv.port, 0) << argv[0];
  if (srv.port < 0) return "";
  if (prepare) {
    RpcClient c;
    EXPECT_TRUE(c.connect(srv.port));
    prepare(c);
  }
  std::string init_path = "/tmp/gotrace-itest-" + std::to_string(getpid()) + "-init";
  std::string in_path = init_path + "-stdin";
  std::ofstream(init_path) << init;
  // A multiclient server asks whether to kill it when the target exited.
  std::ofstream(in_path) << "exit\ny\n";
  RunResult r = start({kDelve, "connect", "127.0.0.1:" + std::to_string(srv.port), "--init", init_path}, in_path).wait(120);
  unlink(init_path.c_str());
  unlink(in_path.c_str());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  if (std::getenv("GOTRACE_ITEST_VERBOSE")) std::fprintf(stderr, "%s: %s\n%s\n", argv[0].c_str(), r.out.c_str(), r.err.c_str());
  if (!wait_pid_gone(srv.proc.pid, 20000)) {
    RpcClient d;
    if (d.connect(srv.port)) d.call("Detach", json::object{{"Kill", true}});
    if (!wait_pid_gone(srv.proc.pid, 20000)) kill(srv.proc.pid, SIGKILL);
  }
  srv.proc.wait(10);
  return r.out + r.err;
}

std::vector<std::string> headless(const std::string& server, const std::string& program, bool multiclient) {
  std::vector<std::string> argv = {server, "exec", "--headless", "--api-version=2", "--listen=127.0.0.1:0"};
  if (server == kDelve) argv.push_back("--check-go-version=false");
  if (multiclient) argv.push_back("--accept-multiclient");
  argv.push_back(program);
  return argv;
}

// The acceptance of issue 18: Delve's own client, Delve's location specs
// (a bare function name, a line offset in a function) and an expression
// with arithmetic printed at each hit, as against `dlv exec --headless`.
TEST(DlvConnect, TraceLocationSpecsAndPrintedExpressions) {
  require_root();
  const std::string init = "trace foo\ntrace main.foo:1\non 1 print y+1\nbreakpoints\ncontinue\n";
  std::string want = connect_digest(dlv_connect(headless(kDelve, fixture("dlvprog-N"), false), init));
  std::string got = connect_digest(dlv_connect(headless(gotrace(), fixture("dlvprog-N"), false), init));
  EXPECT_NE(want.find("\ty+1: 11\n"), std::string::npos) << want;  // the reference itself
  EXPECT_EQ(got, want);
}

// A function written in assembly: no values through the API either, as
// Delve (the servers' --raw-words shows the frame's words).
TEST(DlvConnect, AssemblyFunction) {
  require_root();
  const std::string init = "trace asmadd.Add\ncontinue\n";
  std::string want = connect_digest(dlv_connect(headless(kDelve, fixture("asm-N"), false), init));
  std::string got = connect_digest(dlv_connect(headless(gotrace(), fixture("asm-N"), false), init));
  EXPECT_NE(want.find("> goroutine(1): gotrace.test/fixtures/internal/asmadd.Add()\n"), std::string::npos) << want;
  EXPECT_EQ(got, want);
}

// --follow-calls through the API, as `dlv trace` drives Delve's service
// (ListFunctions with FollowCalls, tracepoints carrying RootFuncName and
// TraceFollowCalls with 20 frames), then `dlv connect` prints the hits with
// Delve's frame numbers and indentation: the terminal's equivalent of
// `trace --follow-calls 3 main.a`.
TEST(DlvConnect, FollowCallsTracepointsThroughTheApi) {
  require_root();
  auto prepare = [](RpcClient& c) {
    json::value funcs = c.call("ListFunctions", json::object{{"Filter", "main.a"}, {"FollowCalls", 3}});
    ASSERT_TRUE(funcs.is_object() && funcs.at("result").is_object()) << json::serialize(funcs);
    for (const auto& f : funcs.at("result").at("Funcs").as_array()) {
      json::object bp{{"functionName", f},         {"continue", true},      {"line", -1},
                      {"stacktrace", 20},          {"LoadArgs", short_load_config()},
                      {"TraceFollowCalls", 3},     {"RootFuncName", "main.a"}};
      json::value r = c.call("CreateBreakpoint", json::object{{"Breakpoint", bp}});
      ASSERT_TRUE(r.at("error").is_null()) << json::serialize(r);
      json::value rets = c.call("FunctionReturnLocations", json::object{{"FnName", f}});
      for (const auto& a : rets.at("result").at("Addrs").as_array()) {
        json::object ret{{"addr", a},        {"traceReturn", true},  {"line", -1},
                         {"stacktrace", 20}, {"LoadArgs", short_load_config()},
                         {"TraceFollowCalls", 3}, {"RootFuncName", "main.a"}};
        json::value rr = c.call("CreateBreakpoint", json::object{{"Breakpoint", ret}});
        ASSERT_TRUE(rr.at("error").is_null()) << json::serialize(rr);
      }
    }
  };
  std::string want = connect_digest(dlv_connect(headless(kDelve, fixture("calls-N"), true), "continue\n", prepare));
  std::string got = connect_digest(dlv_connect(headless(gotrace(), fixture("calls-N"), true), "continue\n", prepare));
  EXPECT_NE(want.find("  > goroutine(1):frame(3) main.c(1)\n"), std::string::npos) << want;
  EXPECT_EQ(got, want);
}

}  // namespace
}  // namespace gotrace::itest
