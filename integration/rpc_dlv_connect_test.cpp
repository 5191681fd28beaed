// `dlv connect` parity: the real Delve 1.20.2 terminal client, driven by the
// same init file (jsonrpc-01), prints the same trace against the real
// `dlv exec --headless` and against `gotrace exec --headless`.
#include "harness.h"

#include <gtest/gtest.h>
#include <re2/re2.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>

namespace gotrace::itest {
namespace {

struct ClientRun {
  RunResult client;
  RunResult server;
};

std::string write_temp(const std::string& tag, const std::string& text) {
  std::string path = "/tmp/gotrace-itest-" + std::to_string(getpid()) + "-" + tag;
  std::ofstream(path) << text;
  return path;
}

// Starts `server_argv`, runs `dlv connect` against it with the init file of
// jsonrpc-01 (minus `breakpoints`) and "exit" on stdin, as the capture did.
ClientRun drive(const std::vector<std::string>& server_argv, const std::string& init) {
  ClientRun r;
  Server srv = start_server(server_argv);
  if (srv.port < 0) {
    ADD_FAILURE() << "server did not print its listening line: " << server_argv[0];
    kill(srv.proc.pid, SIGKILL);
    r.server = srv.proc.wait(10);
    return r;
  }
  std::string in = write_temp("stdin", "exit\n");
  r.client = start({"/usr/bin/dlv", "connect", "127.0.0.1:" + std::to_string(srv.port), "--init",
                    init},
                   in)
                 .wait(90);
  unlink(in.c_str());
  // A single-client server ends when its client leaves.
  if (!wait_pid_gone(srv.proc.pid, 20000)) {
    ADD_FAILURE() << server_argv[0] << " still running 20 s after its only client left";
    kill(srv.proc.pid, SIGKILL);
  }
  r.server = srv.proc.wait(10);
  return r;
}

struct Digest {
  std::vector<std::string> set_lines;                    // "Tracepoint N set at ..."
  std::vector<std::string> main_lines;                   // goroutine 1, in order
  std::vector<std::vector<std::string>> other_lines;     // per other goroutine, sorted
  std::vector<std::string> exit_lines;                   // "...Process N has exited..."
};

Digest digest(const std::string& out) {
  Digest d;
  std::map<std::string, std::vector<std::string>> per_g;
  std::vector<std::string> order;
  for (const std::string& l : lines(out)) {
    if (l.rfind("Tracepoint ", 0) == 0 && l.find(" set at ") != std::string::npos) {
      d.set_lines.push_back(l);
    } else if (l.rfind("> ", 0) == 0 || l.rfind(">> ", 0) == 0) {
      std::string g;
      std::string generic = l;
      if (RE2::PartialMatch(l, R"(goroutine\((\d+)\))", &g) && g != "1") {
        RE2::Replace(&generic, R"(goroutine\(\d+\))", "goroutine(G)");
        if (!per_g.count(g)) order.push_back(g);
        per_g[g].push_back(generic);
      } else {
        d.main_lines.push_back(l);
      }
    } else if (l.find("has exited with status") != std::string::npos) {
      d.exit_lines.push_back(l);
    }
  }
  for (const auto& g : order) d.other_lines.push_back(per_g[g]);
  std::sort(d.other_lines.begin(), d.other_lines.end());
  return d;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& l : v) s += l + "\n";
  return s;
}

TEST(RpcDlvConnect, TraceOutputMatchesRealDelve) {
  require_root();
  std::string init = write_temp("init", "trace main.foo\ntrace main.describe\ncontinue\n");
  const std::string prog = fixture("dlvprog-N");

  ClientRun dlv = drive({"/usr/bin/dlv", "exec", "--headless", "--api-version=2",
                         "--listen=127.0.0.1:0", prog},
                        init);
  ClientRun ours = drive({gotrace(), "exec", "--headless", "--api-version=2",
                          "--listen=127.0.0.1:0", prog},
                         init);
  unlink(init.c_str());

  ASSERT_EQ(dlv.client.exit_code, 0) << dlv.client.out << dlv.client.err;
  EXPECT_EQ(ours.client.exit_code, 0) << ours.client.out << ours.client.err;

  Digest want = digest(dlv.client.out + dlv.client.err);
  Digest got = digest(ours.client.out + ours.client.err);

  // The reference itself, so that a change in Delve or the fixture is seen.
  EXPECT_EQ(want.set_lines.size(), 2u) << dlv.client.out;
  EXPECT_EQ(want.main_lines.size(), 8u) << dlv.client.out;
  EXPECT_EQ(want.other_lines.size(), 2u) << dlv.client.out;

  EXPECT_EQ(join(got.set_lines), join(want.set_lines));
  EXPECT_EQ(join(got.main_lines), join(want.main_lines))
      << "gotrace client output:\n" << ours.client.out << ours.client.err;
  ASSERT_EQ(got.other_lines.size(), want.other_lines.size())
      << "gotrace client output:\n" << ours.client.out << ours.client.err;
  for (size_t i = 0; i < want.other_lines.size(); ++i)
    EXPECT_EQ(join(got.other_lines[i]), join(want.other_lines[i])) << "goroutine #" << i;

  // "<init file>:3: Process 1234 has exited with status 0", exactly once.
  const std::string exit_re = "^" + RE2::QuoteMeta(init) + R"(:3: Process \d+ has exited with status 0$)";
  ASSERT_EQ(want.exit_lines.size(), 1u) << dlv.client.out;
  EXPECT_TRUE(RE2::FullMatch(want.exit_lines[0], exit_re)) << want.exit_lines[0];
  ASSERT_EQ(got.exit_lines.size(), 1u) << ours.client.out << ours.client.err;
  EXPECT_TRUE(RE2::FullMatch(got.exit_lines[0], exit_re)) << got.exit_lines[0];
  EXPECT_EQ(normalize(got.exit_lines[0]), normalize(want.exit_lines[0]));
}

// `trace` of a function the compiler inlined everywhere (inline-O has no
// out-of-line main.scale): one tracepoint on both copies, each hit the
// function's entry with the arguments DWARF locates there, and no returns
// (the copies have none; Delve 1.20.2 instead names the callers, prints
// their arguments, and traces twice's return as "(unreadable empty OP
// stack)"). With -N -l the calls are real: entries and returns.
TEST(RpcDlvConnect, InlinedFunctionTracedAtEachCopy) {
  require_root();
  std::string init = write_temp("init-inline", "trace main.scale\ncontinue\n");
  for (const char* build : {"inline-O", "inline-N"}) {
    ClientRun ours = drive({gotrace(), "exec", "--headless", "--api-version=2", "--listen=127.0.0.1:0",
                            fixture(build)},
                           init);
    EXPECT_EQ(ours.client.exit_code, 0) << ours.client.out << ours.client.err;
    std::string out = ours.client.out + ours.client.err;
    RE2::GlobalReplace(&out, R"(set at 0x[0-9a-f]+(,0x[0-9a-f]+)?)", "set at ADDRS");
    RE2::GlobalReplace(&out, RE2::QuoteMeta(init), "INIT");
    out = normalize(out);
    const std::string set = "Tracepoint 1 set at ADDRS for main.scale() $SRC/tests/fixtures/go/inline/main.go:";
    if (std::string(build) == "inline-O")
      EXPECT_EQ(out, "Type 'help' for list of commands.\n" + set + "9\n"
                     "> goroutine(1): main.scale(4)\n"
                     "> goroutine(1): main.scale(5)\n"
                     "INIT:2: Process PID has exited with status 0\n(dlv) ");
    else
      EXPECT_EQ(out, "Type 'help' for list of commands.\n" + set + "8\n"
                     "> goroutine(1): main.scale(4, 2)\n"
                     ">> goroutine(1): => (12)\n"
                     "> goroutine(1): main.scale(5, 3)\n"
                     ">> goroutine(1): => (20)\n"
                     "INIT:2: Process PID has exited with status 0\n(dlv) ");
  }
  unlink(init.c_str());
}

}  // namespace
}  // namespace gotrace::itest
