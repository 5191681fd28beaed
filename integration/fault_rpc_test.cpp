// Faults on the headless JSON-RPC server (issue 9): clients that leave in
// the middle of a message (JSON-RPC or DAP: the server demultiplexes both),
// a target that dies mid-trace, SIGTERM/SIGINT to the server. Each ends in
// an exact RPC answer or server exit, no program or link of ours left, and a
// surviving target untouched.
#include "harness.h"
#include "leftovers.h"
#include "proc_usage.h"
#include "rpc_client.h"
#include "rpc_ticker.h"

#include <gtest/gtest.h>
#include <re2/re2.h>
#include <signal.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace gotrace::itest {
namespace {

const std::vector<std::string> kTick = {"main.tick"};

// The pieces a client may send before it dies: half a JSON-RPC object, half
// a DAP header, a DAP header and half its body.
const std::vector<std::string> kHalfMessages = {
    R"({"method":"RPCServer.Command","params":[{"name":"contin)",
    "Content-Len",
    "Content-Length: 80\r\n\r\n{\"seq\":1,\"type\":\"request\",\"command\":\"initia",
};

void send_and_close(int port, const std::string& bytes) {
  RpcClient c;
  ASSERT_TRUE(c.connect(port));
  ASSERT_TRUE(c.send_raw(bytes));
}

// One continue; the n of every tick hit it answered with (appended to
// `seen`, when given). Fails on anything but hits.
int64_t next_tick(RpcClient& c, std::vector<int64_t>* seen = nullptr) {
  json::value r = c.call("Command", continue_cmd());
  std::vector<int64_t> ns = tick_args(r);
  EXPECT_FALSE(ns.empty()) << (r.is_null() ? "no answer" : json::serialize(r).substr(0, 300));
  if (seen) seen->insert(seen->end(), ns.begin(), ns.end());
  return ns.empty() ? -1 : ns.front();
}

// Continues past the hits queued before the program died; the answer that
// reports the exit.
json::value continue_until_exit(RpcClient& c) {
  json::value r;
  for (int i = 0; i < 100; i++) {
    r = c.call("Command", continue_cmd());
    if (!r.is_object() || r.at("error") != nullptr) break;
    const json::value* exited = r.at("result").at("State").as_object().if_contains("exited");
    if (exited && exited->is_bool() && exited->as_bool()) break;
  }
  return r;
}

// The whole answer of a continue that reports the exit (any id).
std::string exited_answer(pid_t pid, int status) {
  return R"(\{"id":\d+,"result":\{"State":\{"Pid":)" + std::to_string(pid) +
         R"(,"TargetCommandLine":"","Running":false,"Recording":false,"CoreDumping":false,"Threads":null,"NextInProgress":false,)"
         R"("WatchOutOfScope":null,"exited":true,"exitStatus":)" +
         std::to_string(status) + R"(,"When":""\}\},"error":null\})";
}

// Detach{Kill: kill} answered, then the server ends with status 0 and
// nothing on stderr.
void detach_and_expect_clean_end(RpcClient& c, Server& srv, bool kill) {
  EXPECT_TRUE(RE2::FullMatch(json::serialize(c.call("Detach", json::object{{"Kill", kill}})),
                             R"(\{"id":\d+,"result":\{\},"error":null\})"));
  EXPECT_TRUE(wait_pid_gone(srv.proc.pid, 20000)) << "server still running after Detach";
  RunResult sr = srv.proc.wait(10);
  EXPECT_EQ(sr.exit_code, 0);
  EXPECT_EQ(sr.err, "");
}

// A headless server tracing main.tick, a first hit seen through `c`.
// Killed at the end if a failed assertion left it running (with probes).
struct Traced {
  Server srv;
  RpcClient c;
  pid_t target = -1;
  std::vector<int64_t> seen;  // tick(n) hits, in order
  ~Traced() {
    if (srv.proc.pid > 0 && pid_alive(srv.proc.pid)) kill(srv.proc.pid, SIGKILL);
  }
};

void connect_and_trace(Traced& t) {
  ASSERT_GT(t.srv.port, 0) << slurp_file(t.srv.proc.err_path);
  ASSERT_TRUE(t.c.connect(t.srv.port));
  t.target = static_cast<pid_t>(t.c.call("ProcessPid", json::object{}).at("result").at("Pid").as_int64());
  ASSERT_EQ(t.c.call("CreateBreakpoint", tick_tracepoint()).at("error"), nullptr);
  next_tick(t.c, &t.seen);
}

// gotrace exec --headless [extra...] ticker-N (call in ASSERT_NO_FATAL_FAILURE).
void exec_traced(Traced& t, const std::vector<std::string>& extra) {
  t.srv = start_gotrace_exec(fixture("ticker-N"), extra);
  connect_and_trace(t);
}

// gotrace attach --headless [extra...] PID (call in ASSERT_NO_FATAL_FAILURE).
void attach_traced(Traced& t, pid_t pid, const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {gotrace(), "attach", "--headless", "--listen=127.0.0.1:0", "--api-version=2"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back(std::to_string(pid));
  t.srv = start_server(argv);
  connect_and_trace(t);
}

// A ticker-O running on its own, for gotrace to attach to; killed at the end.
struct Ticker {
  Background prog = start({fixture("ticker-O")});
  bool ready = wait_for_line(prog, "ready", 30).has_value();
  bool reaped = false;
  RunResult wait() {
    reaped = true;
    return prog.wait(10);
  }
  ~Ticker() {
    if (reaped) return;
    if (pid_alive(prog.pid)) kill(prog.pid, SIGKILL);
    prog.wait(10);
  }
};

class RpcFault : public ::testing::Test {
 protected:
  void SetUp() override {
    require_root();
    bpf_mark_ = bpf_mark();
  }
  void TearDown() override { expect_no_bpf_left(bpf_mark_); }

 private:
  BpfMark bpf_mark_;
};

// --accept-multiclient: three clients die mid-message, one after another;
// the server keeps its tracepoint and serves the next client, whose hits
// carry on from the first client's.
TEST_F(RpcFault, ClientsLeavingMidMessageDoNotStopMulticlientServer) {
  Traced t;
  ASSERT_NO_FATAL_FAILURE(exec_traced(t, {"--accept-multiclient"}));
  t.c.close();
  int held = bpf_links_held(t.srv.proc.pid);
  EXPECT_GT(held, 0);
  for (const std::string& half : kHalfMessages) {
    send_and_close(t.srv.port, half);
    RpcClient b;
    ASSERT_TRUE(b.connect(t.srv.port)) << "server stopped accepting after: " << half;
    next_tick(b, &t.seen);
    next_tick(b, &t.seen);
    EXPECT_TRUE(pid_alive(t.srv.proc.pid));
    EXPECT_EQ(bpf_links_held(t.srv.proc.pid), held);
  }
  for (size_t i = 1; i < t.seen.size(); i++) ASSERT_EQ(t.seen[i], t.seen[i - 1] + 1) << "hit " << i << " lost or repeated";
  RpcClient last;
  ASSERT_TRUE(last.connect(t.srv.port));
  detach_and_expect_clean_end(last, t.srv, true);
  EXPECT_TRUE(wait_pid_gone(t.target, 10000)) << "launched program survived Detach{Kill:true}";
}

// Without --accept-multiclient the one client leaving mid-message ends the
// server as a clean disconnect does: a launched program dies with it, an
// attached one runs on as it was.
TEST_F(RpcFault, SingleClientLeavingMidMessageEndsServerCleanly) {
  for (const char* backend : {"ebpf", "ptrace"}) {
    SCOPED_TRACE(backend);
    Ticker prog;
    ASSERT_TRUE(prog.ready);
    Traced t;
    ASSERT_NO_FATAL_FAILURE(attach_traced(t, prog.prog.pid, {std::string("--backend=") + backend}));
    ASSERT_TRUE(t.c.send_raw(kHalfMessages[0]));
    t.c.close();
    EXPECT_TRUE(wait_pid_gone(t.srv.proc.pid, 20000)) << "server still running after its client left";
    RunResult sr = t.srv.proc.wait(10);
    EXPECT_EQ(sr.exit_code, 0);
    EXPECT_EQ(sr.err, "");
    expect_target_untouched(prog.prog.pid, fixture("ticker-O"), kTick);
  }

  Traced t;
  ASSERT_NO_FATAL_FAILURE(exec_traced(t, {}));
  ASSERT_TRUE(t.c.send_raw(kHalfMessages[0]));
  t.c.close();
  EXPECT_TRUE(wait_pid_gone(t.srv.proc.pid, 20000)) << "server still running after its client left";
  RunResult sr = t.srv.proc.wait(10);
  EXPECT_EQ(sr.exit_code, 0);
  EXPECT_EQ(sr.err, "");
  EXPECT_TRUE(wait_pid_gone(t.target, 10000)) << "launched program survived the server";
}

// The launched program is SIGKILLed while a continue waits for hits: the
// continue answers with the exit (status -9), the next one with Delve's
// error, and the server keeps serving until the client detaches.
TEST_F(RpcFault, LaunchedTargetKilledMidTrace) {
  for (const char* backend : {"ebpf", "ptrace"}) {
    SCOPED_TRACE(backend);
    Traced t;
    ASSERT_NO_FATAL_FAILURE(exec_traced(t, {"--accept-multiclient", std::string("--backend=") + backend}));
    kill(t.target, SIGKILL);
    json::value r = continue_until_exit(t.c);
    EXPECT_TRUE(RE2::FullMatch(json::serialize(r), exited_answer(t.target, -9))) << json::serialize(r);
    r = t.c.call("Command", continue_cmd());
    EXPECT_TRUE(RE2::FullMatch(json::serialize(r), R"(\{"id":\d+,"result":null,"error":"Process )" +
                                                       std::to_string(t.target) + R"( has exited with status -9"\})"))
        << json::serialize(r);
    EXPECT_TRUE(pid_alive(t.srv.proc.pid));
    // With its program gone the server idles: no loop on a pidfd that
    // stays readable.
    long cpu0 = cpu_ms(t.srv.proc.pid);
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    EXPECT_LT(cpu_ms(t.srv.proc.pid) - cpu0, 200) << "server busy after its program died";
    detach_and_expect_clean_end(t.c, t.srv, true);
  }
}

// The attached program dies of `kill -SEGV`: the waiting continue answers
// with the exit and its status, which the server (not the parent) reads
// from the zombie.
TEST_F(RpcFault, AttachedTargetKilledBySegv) {
  Ticker prog;
  ASSERT_TRUE(prog.ready);
  Traced t;
  ASSERT_NO_FATAL_FAILURE(attach_traced(t, prog.prog.pid, {"--accept-multiclient"}));
  kill(prog.prog.pid, SIGSEGV);
  // Reaped (by this test, its parent) only after the server reported it:
  // the server reads the status from the zombie.
  json::value r = continue_until_exit(t.c);
  EXPECT_TRUE(RE2::FullMatch(json::serialize(r), exited_answer(prog.prog.pid, 2))) << json::serialize(r);
  RunResult pr = prog.wait();
  EXPECT_EQ(pr.exit_code, 2);
  ASSERT_FALSE(lines(pr.err).empty());
  EXPECT_EQ(lines(pr.err)[0], "SIGSEGV: segmentation violation");
  detach_and_expect_clean_end(t.c, t.srv, false);
}

// SIGTERM to a server that launched its program: the program is killed and
// the server ends, saying so; SIGINT to one attached by pid: the program
// runs on, untouched. A connected client sees its connection close.
TEST_F(RpcFault, SignalsEndServerCleanly) {
  {
    Traced t;
    ASSERT_NO_FATAL_FAILURE(exec_traced(t, {"--accept-multiclient"}));
    kill(t.srv.proc.pid, SIGTERM);
    EXPECT_TRUE(t.c.wait_closed(10000));
    RunResult sr = t.srv.proc.wait(20);
    EXPECT_EQ(sr.exit_code, 0);
    EXPECT_EQ(sr.err, "gotrace: interrupted; killed process " + std::to_string(t.target) + "\n");
    EXPECT_TRUE(wait_pid_gone(t.target, 10000)) << "launched program survived SIGTERM to the server";
  }
  for (const char* backend : {"ebpf", "ptrace"}) {
    SCOPED_TRACE(backend);
    Ticker prog;
    ASSERT_TRUE(prog.ready);
    Traced t;
    ASSERT_NO_FATAL_FAILURE(attach_traced(t, prog.prog.pid, {std::string("--backend=") + backend}));
    // A continue in flight when the signal comes.
    t.c.send("Command", continue_cmd());
    kill(t.srv.proc.pid, SIGINT);
    EXPECT_TRUE(t.c.wait_closed(10000));
    RunResult sr = t.srv.proc.wait(20);
    EXPECT_EQ(sr.exit_code, 0);
    EXPECT_EQ(sr.err, "gotrace: interrupted; detached from process " + std::to_string(prog.prog.pid) + "\n");
    expect_target_untouched(prog.prog.pid, fixture("ticker-O"), kTick);
  }
}

}  // namespace
}  // namespace gotrace::itest
