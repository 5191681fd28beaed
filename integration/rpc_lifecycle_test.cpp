// Connection lifecycle: several clients in turn on an --accept-multiclient
// server (no hit lost or repeated between them), Detach{Kill}, and the
// single-client rules (the launched program dies with the client, an
// attached one keeps running).
#include "harness.h"
#include "leftovers.h"
#include "rpc_client.h"
#include "rpc_ticker.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <thread>

namespace gotrace::itest {
namespace {

TEST(RpcMulticlient, HitsContinueAcrossClientsThenDetachKills) {
  require_root();
  Server srv = start_gotrace_exec(fixture("ticker-N"), {"--accept-multiclient"});
  ASSERT_GT(srv.port, 0) << slurp_file(srv.proc.err_path);
  std::vector<int64_t> seen;
  size_t seen_by_a = 0;
  pid_t target = -1;
  {
    RpcClient a;
    ASSERT_TRUE(a.connect(srv.port));
    json::value r = a.call("CreateBreakpoint", tick_tracepoint());
    ASSERT_EQ(r.at("error"), nullptr) << json::serialize(r);
    target = static_cast<pid_t>(a.call("ProcessPid", json::object{}).at("result").at("Pid").as_int64());
    for (int i = 0; i < 5; ++i) {
      json::value c = a.call("Command", continue_cmd());
      ASSERT_GE(tick_arg(c), 0) << (c.is_null() ? "no answer" : json::serialize(c).substr(0, 300));
      for (int64_t n : tick_args(c)) seen.push_back(n);
      seen_by_a = seen.size();
    }
  }  // A leaves while the program keeps calling tick
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the brief's pause, not a sync
  ASSERT_TRUE(pid_alive(srv.proc.pid)) << "multiclient server ended when client A left";
  ASSERT_TRUE(pid_alive(target));

  RpcClient b;
  ASSERT_TRUE(b.connect(srv.port));
  // 200 ms at one tick per 5 ms (plus sleep overshoot) is about 30-40 hits
  // queued; drain well past them.
  for (int i = 0; i < 80; ++i) {
    json::value c = b.call("Command", continue_cmd());
    ASSERT_GE(tick_arg(c), 0) << (c.is_null() ? "no answer" : json::serialize(c).substr(0, 300));
    for (int64_t n : tick_args(c)) seen.push_back(n);
  }
  for (size_t i = 1; i < seen.size(); ++i)
    ASSERT_EQ(seen[i], seen[i - 1] + 1) << "hit " << i << " (client " << (i < seen_by_a ? "A" : "B")
                                        << "): tick(n) values lost or repeated";

  json::value d = b.call("Detach", json::object{{"Kill", true}});
  EXPECT_EQ(json::serialize(d), R"({"id":80,"result":{},"error":null})");
  EXPECT_TRUE(b.wait_closed(10000)) << "connection not closed after Detach";
  EXPECT_TRUE(wait_pid_gone(srv.proc.pid, 20000)) << "server still running after Detach";
  if (pid_alive(srv.proc.pid)) kill(srv.proc.pid, SIGKILL);
  RunResult sr = srv.proc.wait(10);
  EXPECT_EQ(sr.exit_code, 0) << sr.err;
  EXPECT_TRUE(wait_pid_gone(target, 10000)) << "target " << target << " survived Detach{Kill:true}";
}

TEST(RpcSingleClient, ClientLeavingEndsServerAndLaunchedProgram) {
  require_root();
  Server srv = start_gotrace_exec(fixture("ticker-N"));
  ASSERT_GT(srv.port, 0) << slurp_file(srv.proc.err_path);
  pid_t target;
  {
    RpcClient c;
    ASSERT_TRUE(c.connect(srv.port));
    EXPECT_EQ(json::serialize(c.call("IsMulticlient", json::object{})),
              R"({"id":0,"result":{"IsMulticlient":false},"error":null})");
    target = static_cast<pid_t>(c.call("ProcessPid", json::object{}).at("result").at("Pid").as_int64());
    ASSERT_TRUE(pid_alive(target));
    json::value r = c.call("CreateBreakpoint", tick_tracepoint());
    ASSERT_EQ(r.at("error"), nullptr) << json::serialize(r);
    EXPECT_GE(tick_arg(c.call("Command", continue_cmd())), 0);
    // A second connection is not served: the listener took exactly one.
    RpcClient second;
    if (second.connect(srv.port)) {
      second.send("ProcessPid", json::object{});
      RpcClient::Read rd = second.read_line(500);
      EXPECT_NE(rd.status, RpcClient::Status::line) << "second client served: " << rd.line;
    }
  }
  EXPECT_TRUE(wait_pid_gone(srv.proc.pid, 20000)) << "single-client server still running after its client left";
  if (pid_alive(srv.proc.pid)) kill(srv.proc.pid, SIGKILL);
  srv.proc.wait(10);
  EXPECT_TRUE(wait_pid_gone(target, 10000)) << "launched program survived the server";
  if (pid_alive(target)) kill(target, SIGKILL);
}

TEST(RpcSingleClient, AttachedProgramKeepsRunningAfterClientLeaves) {
  require_root();
  Background prog = start({fixture("ticker-N")});
  ASSERT_TRUE(wait_for_line(prog, "ready", 30)) << "ticker did not start";
  Server srv = start_server({gotrace(), "attach", "--headless", "--listen=127.0.0.1:0",
                             "--api-version=2", std::to_string(prog.pid)});
  ASSERT_GT(srv.port, 0) << slurp_file(srv.proc.err_path);
  {
    RpcClient c;
    ASSERT_TRUE(c.connect(srv.port));
    EXPECT_EQ(json::serialize(c.call("AttachedToExistingProcess", json::object{})),
              R"({"id":0,"result":{"Answer":true},"error":null})");
    EXPECT_EQ(json::serialize(c.call("ProcessPid", json::object{})),
              R"({"id":1,"result":{"Pid":)" + std::to_string(prog.pid) + R"(},"error":null})");
    json::value r = c.call("CreateBreakpoint", tick_tracepoint());
    ASSERT_EQ(r.at("error"), nullptr) << json::serialize(r);
    int64_t n0 = tick_arg(c.call("Command", continue_cmd()));
    ASSERT_GE(n0, 0);
    EXPECT_EQ(tick_arg(c.call("Command", continue_cmd())), n0 + 1);
  }
  EXPECT_TRUE(wait_pid_gone(srv.proc.pid, 20000)) << "single-client server still running after its client left";
  if (pid_alive(srv.proc.pid)) kill(srv.proc.pid, SIGKILL);
  RunResult sr = srv.proc.wait(10);
  EXPECT_EQ(sr.exit_code, 0) << sr.err;
  // Still alive, and running (not stopped or traced to death).
  EXPECT_TRUE(pid_alive(prog.pid)) << "attached program died with the server";
  char st = proc_state(prog.pid);
  EXPECT_TRUE(st == 'S' || st == 'R') << "state " << st;
  kill(prog.pid, SIGKILL);
  prog.wait(10);
}

// A return hit's duration is gotrace's own key: only with --durations, so
// that by default the answers are Delve's.
TEST(RpcDurations, OnlyWithTheFlag) {
  require_root();
  for (bool flag : {false, true}) {
    SCOPED_TRACE(flag ? "--durations" : "default");
    std::vector<std::string> extra = {"--accept-multiclient"};
    if (flag) extra.push_back("--durations");
    Server srv = start_gotrace_exec(fixture("ticker-N"), extra);
    ASSERT_GT(srv.port, 0) << slurp_file(srv.proc.err_path);
    RpcClient c;
    ASSERT_TRUE(c.connect(srv.port));
    json::value rets = c.call("FunctionReturnLocations", json::object{{"FnName", "main.tick"}});
    ASSERT_TRUE(rets.at("result").is_object()) << json::serialize(rets);
    for (const auto& a : rets.at("result").at("Addrs").as_array()) {
      json::object bp{{"addr", a}, {"traceReturn", true}, {"line", -1}, {"LoadArgs", short_load_config()}};
      ASSERT_EQ(c.call("CreateBreakpoint", json::object{{"Breakpoint", bp}}).at("error"), nullptr);
    }
    json::value hit = c.call("Command", continue_cmd());
    ASSERT_TRUE(hit.is_object() && hit.at("result").is_object()) << json::serialize(hit);
    const auto& t = hit.at("result").at("State").at("currentThread").as_object();
    ASSERT_TRUE(t.at("ReturnValues").is_array()) << json::serialize(t);
    EXPECT_EQ(t.contains("durationNs"), flag) << json::serialize(t);
    if (flag) EXPECT_GT(t.at("durationNs").to_number<int64_t>(), 0);
    c.call("Detach", json::object{{"Kill", true}});
    if (!wait_pid_gone(srv.proc.pid, 20000)) kill(srv.proc.pid, SIGKILL);
    srv.proc.wait(10);
  }
}

}  // namespace
}  // namespace gotrace::itest
