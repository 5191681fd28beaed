// Loopback by default, other local users refused (Delve's --only-same-user),
// non-loopback only on request.
#include "harness.h"
#include "rpc_client.h"

#include <gtest/gtest.h>
#include <re2/re2.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace gotrace::itest {
namespace {

TEST(RpcSecurity, ConnectionsFromOtherUsersAreRefused) {
  require_root();
  Server srv = start_gotrace_exec(fixture("ticker-N"), {"--accept-multiclient"});
  ASSERT_GT(srv.port, 0);
  // A client running as another user (nobody) is closed without an answer.
  pid_t child = fork();
  if (child == 0) {
    if (setgid(65534) != 0 || setuid(65534) != 0) _exit(3);
    RpcClient c;
    if (!c.connect(srv.port)) _exit(4);
    c.send("ProcessPid", json::object{});
    RpcClient::Read r = c.read_line(5000);
    _exit(r.status == RpcClient::Status::eof ? 0 : 5);
  }
  int status = 0;
  waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "another user's connection was served";
  // Our own user is still served.
  RpcClient me;
  ASSERT_TRUE(me.connect(srv.port));
  json::value r = me.call("ProcessPid", json::object{});
  ASSERT_TRUE(r.is_object());
  EXPECT_TRUE(r.at("error").is_null());
  me.call("Detach", json::object{{"Kill", true}});
  RunResult done = srv.proc.wait(20);
  EXPECT_EQ(done.exit_code, 0);
  EXPECT_EQ(done.err, "gotrace: closing connection from 127.0.0.1: not the same user (uid 65534)\n");
}

TEST(RpcSecurity, NonLoopbackNeedsAnExplicitFlag) {
  RunResult r = run({gotrace(), "exec", "--headless", "--listen=0.0.0.0:0", fixture("ticker-N")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "Error: refusing to listen on non-loopback address 0.0.0.0: anyone who can reach it "
            "could trace this program; pass --allow-non-loopback to do it anyway\n");
  EXPECT_EQ(r.out, "");
}

// With the flag it listens where asked (a later --listen wins) and says
// what that exposes, before serving.
TEST(RpcSecurity, NonLoopbackWithTheFlagWarnsThenServes) {
  require_root();
  Server srv = start_gotrace_exec(fixture("ticker-N"), {"--allow-non-loopback", "--listen=0.0.0.0:0"});
  ASSERT_GT(srv.port, 0);
  RpcClient c;
  ASSERT_TRUE(c.connect(srv.port));
  json::value r = c.call("ProcessPid", json::object{});
  EXPECT_TRUE(r.at("error").is_null()) << json::serialize(r);
  c.call("Detach", json::object{{"Kill", true}});
  RunResult done = srv.proc.wait(20);
  EXPECT_EQ(done.exit_code, 0);
  EXPECT_EQ(done.err,
            "Warning: listening on a non-loopback address: anyone who can connect can trace this "
            "program and read its memory\n");
}

TEST(DapSecurity, NonLoopbackWithTheFlagWarnsThatClientsLaunchAsUs) {
  Background dap = start({gotrace(), "dap", "--allow-non-loopback", "--listen=0.0.0.0:0"});
  auto rest = wait_for_line(dap, "DAP server listening at: ", 10);
  ASSERT_TRUE(rest.has_value());
  EXPECT_TRUE(RE2::FullMatch(*rest, R"(0\.0\.0\.0:\d+)")) << *rest;
  kill(dap.pid, SIGTERM);
  RunResult done = dap.wait(20);
  EXPECT_EQ(done.err,
            "Warning: listening on a non-loopback address: anyone who can connect can launch "
            "programs as this user, trace any process this user may trace, and read their memory\n");
}

}  // namespace
}  // namespace gotrace::itest

namespace gotrace::itest {
namespace {

// `gotrace debug --headless PKGDIR` builds the package (-gcflags='all=-N -l')
// and serves it like exec.
TEST(RpcDebugMode, BuildsThePackageThenServesIt) {
  require_root();
  Server srv = start_server({gotrace(), "debug", "--headless", "--listen=127.0.0.1:0",
                             "--api-version=2", source_dir() + "/tests/fixtures/go/demo"},
                            180);
  ASSERT_GT(srv.port, 0);
  RpcClient c;
  ASSERT_TRUE(c.connect(srv.port));
  json::value bp = c.call("CreateBreakpoint",
                          json::object{{"Breakpoint", json::object{{"functionName", "main.square"},
                                                                   {"line", -1},
                                                                   {"continue", true}}}});
  ASSERT_TRUE(bp.at("error").is_null()) << json::serialize(bp);
  std::vector<std::string> got;
  for (int i = 0; i < 10; i++) {
    json::value st = c.call("Command", json::object{{"name", "continue"}}, 15000);
    ASSERT_TRUE(st.is_object() && st.at("error").is_null()) << json::serialize(st);
    const json::object& s = st.at("result").at("State").as_object();
    if (s.at("exited").as_bool()) break;
    for (const auto& t : s.at("Threads").as_array())
      got.push_back(json::value_to<std::string>(t.at("function").at("name")) + " g" +
                    std::to_string(t.at("goroutineID").as_int64()));
  }
  EXPECT_EQ(got, (std::vector<std::string>{"main.square g1", "main.square g1", "main.square g1"}));
  c.close();
  RunResult done = srv.proc.wait(20);
  EXPECT_EQ(done.exit_code, 0);
}

}  // namespace
}  // namespace gotrace::itest
