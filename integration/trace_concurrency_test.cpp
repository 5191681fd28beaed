// Many goroutines, attach by pid, interruption: pairing stays exact and
// nothing is left behind.
#include "fixture_dir.h"
#include "harness.h"
#include "leftovers.h"

#include <gtest/gtest.h>

#include <fstream>
#include <re2/re2.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <thread>

namespace gotrace::itest {
namespace {

std::string hex(int v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%x", v);
  return buf;
}

// The whole trace of the goroutines fixture (40 goroutines x 250 calls):
// exactly 10,000 entries and 10,000 returns, and per goroutine each entry is
// followed by its own return, in call order. A stripped build prints raw
// words, after saying so once.
void expect_forty_goroutines_paired(const RunResult& r, const char* build, bool stripped = false) {
  ASSERT_EQ(r.exit_code, 0) << build << r.err.substr(0, 2000);
  // worker g -> goroutine id, as the program saw it.
  std::map<int, int> worker_of;
  for (const std::string& l : lines(r.out)) {
    int g, id;
    ASSERT_TRUE(RE2::FullMatch(l, R"(worker (\d+) goroutine (\d+))", &g, &id)) << l;
    worker_of[id] = g;
  }
  ASSERT_EQ(worker_of.size(), 40u);
  std::map<int, std::vector<std::string>> per_goroutine;
  std::vector<std::string> ls = lines(r.err);
  ASSERT_FALSE(ls.empty());
  EXPECT_TRUE(RE2::FullMatch(ls.back(), R"(Process \d+ has exited with status 0)")) << ls.back();
  ls.pop_back();
  if (stripped) {
    ASSERT_FALSE(ls.empty());
    EXPECT_EQ(normalize(ls.front()), normalize("gotrace: " + fixture(build)) +
                              " has no debug information (stripped): values are raw words, as many "
                              "as the argument frame holds, read from the argument registers and "
                              "stack slots at the entry and from the same ones at each return");
    ls.erase(ls.begin());
  }
  ASSERT_EQ(ls.size(), 20000u) << build;
  for (const std::string& l : ls) {
    int id;
    ASSERT_TRUE(RE2::PartialMatch(l, R"(^>>? goroutine\((\d+)\): )", &id)) << l;
    per_goroutine[id].push_back(normalize(l));
  }
  ASSERT_EQ(per_goroutine.size(), 40u);
  for (const auto& [id, got] : per_goroutine) {
    ASSERT_TRUE(worker_of.count(id)) << "goroutine " << id << " is not a worker";
    int g = worker_of[id];
    std::vector<std::string> want;
    for (int i = 0; i < 250; i++) {
      std::string gs = "goroutine(" + std::to_string(id) + "): ";
      auto num = [&](int v) { return stripped ? hex(v) : std::to_string(v); };
      want.push_back("> " + gs + "main.work(" + num(g) + ", " + num(i) + ")");
      // Raw: both argument registers again; RBX still holds i.
      want.push_back(">> " + gs + "main.work => (" + num(g * 1000 + i) + (stripped ? "," + num(i) : "") + ")");
    }
    ASSERT_EQ(got, want) << build << " goroutine " << id;
  }
}

TEST(TraceConcurrency, FortyGoroutinesPairExactly) {
  require_root();
  for (const char* build : {"goroutines-N", "goroutines-O"}) {
    RunResult r = run({gotrace(), "trace", "--exec", fixture(build), R"(main\.work$)"});
    expect_forty_goroutines_paired(r, build);
  }
}

// Stripped (-ldflags='-s -w'): functions from .gopclntab, runtime.g offsets
// from the Go version's layout; goroutine ids and pairing stay exact.
TEST(TraceConcurrency, FortyGoroutinesPairExactlyStripped) {
  require_root();
  RunResult r = run({gotrace(), "trace", "--exec", fixture("goroutines-stripped"), R"(main\.work$)"});
  expect_forty_goroutines_paired(r, "goroutines-stripped", true);
}

// Attach to a running program by pid, see its calls, then interrupt gotrace:
// the program keeps running, untraced and unharmed.
TEST(TraceLifecycle, AttachByPidAndInterrupt) {
  require_root();
  BpfMark mark = bpf_mark();
  Background prog = start({fixture("ticker-O")});
  ASSERT_TRUE(wait_for_text(prog.out_path, "ready", 5000));
  expect_ticker_trace_until_interrupted(prog.pid);
  // Still running, not stopped, no longer traced, and no probe of ours is
  // left: a uprobe link, or an int3 that would kill it with SIGTRAP at the
  // next tick (one every 5 ms).
  EXPECT_EQ(kill(prog.pid, 0), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  int status = 0;
  EXPECT_EQ(waitpid(prog.pid, &status, WNOHANG | WUNTRACED), 0) << "target stopped or exited";
  EXPECT_EQ(tracer_pid(prog.pid), 0);
  expect_no_bpf_left(mark);
  kill(prog.pid, SIGKILL);
  prog.wait(10);
}

// SIGTERM while tracing a program gotrace launched: the program is killed
// (as Delve kills what it launched), probes are gone.
TEST(TraceLifecycle, TerminateKillsLaunchedProgram) {
  require_root();
  BpfMark mark = bpf_mark();
  Background tr = start({gotrace(), "trace", "--exec", fixture("ticker-N"), R"(main\.tick$)"});
  ASSERT_TRUE(wait_for_text(tr.err_path, "main.tick => (", 10000));
  kill(tr.pid, SIGTERM);
  RunResult r = tr.wait(20);
  EXPECT_EQ(r.exit_code, 128 + SIGTERM);
  EXPECT_TRUE(RE2::FullMatch(lines(r.err).back(), R"(gotrace: interrupted; killed process \d+)"))
      << lines(r.err).back();
  int pid = 0;
  ASSERT_TRUE(RE2::FullMatch(lines(r.err).back(), R"(.*killed process (\d+))", &pid));
  EXPECT_NE(kill(pid, 0), 0) << "launched program still alive";
  expect_no_bpf_left(mark);
}

// The 1-based line of the first line matching `line_re` after the first
// line matching `after_re` in `path` (-1 if none).
int source_line(const std::string& path, const std::string& after_re, const std::string& line_re) {
  std::ifstream in(path);
  std::string text;
  bool after = false;
  for (int n = 1; std::getline(in, text); ++n) {
    if (!after) after = RE2::PartialMatch(text, after_re);
    else if (RE2::PartialMatch(text, line_re)) return n;
  }
  ADD_FAILURE() << "no line matching " << line_re << " after " << after_re << " in " << path;
  return -1;
}

// -s 3: each hit's frame and its three callers, down to the goroutine's
// first frame (no "(truncated)": there is nothing below runtime.goexit),
// walked by the probe through frame pointers without stopping the program.
TEST(TraceCli, StackOfThreeCallers) {
  require_root();
  RunResult goroot = run({testing::go_command(), "env", "GOROOT"});
  ASSERT_EQ(goroot.exit_code, 0);
  std::string root = lines(goroot.out).at(0);
  // The runtime's frames are at lines of the toolchain's own sources:
  // runtime.main's call of main.main, and goexit's NOP (goroutines return
  // to goexit+1, looked up one byte back).
  int main_call = source_line(root + "/src/runtime/proc.go", "^func main\\(\\) \\{$", "^\tfn\\(\\)$");
  int goexit_nop = source_line(root + "/src/runtime/asm_amd64.s", "^TEXT runtime·goexit\\(SB\\)", "^\tBYTE\t\\$0x90");
  RunResult r = run({gotrace(), "trace", "-s", "3", "--exec", fixture("demo-N"), R"(main\.square$)"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string err = normalize(r.err);
  RE2::GlobalReplace(&err, RE2::QuoteMeta(root), "$GOROOT");
  std::string frames = "\t\t0  0xADDR in main.square\n\t\t     at $SRC/tests/fixtures/go/demo/main.go:12\n"
                       "\t\t1  0xADDR in main.main\n\t\t     at $SRC/tests/fixtures/go/demo/main.go:22\n"
                       "\t\t2  0xADDR in runtime.main\n\t\t     at $GOROOT/src/runtime/proc.go:" +
                       std::to_string(main_call) +
                       "\n"
                       "\t\t3  0xADDR in runtime.goexit\n\t\t     at $GOROOT/src/runtime/asm_amd64.s:" +
                       std::to_string(goexit_nop) + "\n";
  std::string want;
  for (int i = 1; i <= 3; i++) {
    want += "> goroutine(1): main.square(" + std::to_string(i) + ")\n\n\tStack:\n" + frames;
    want += ">> goroutine(1): main.square => (" + std::to_string(i * i) + ")\n\tStack:\n" + frames;
  }
  want += "Process PID has exited with status 0\n";
  EXPECT_EQ(err, want);
}

// --follow-calls 3 rooted at main.a: Delve counts the root as depth 1, so
// a, what it calls (b) and what that calls (c), not d (depth 4); with
// Delve's frame prefix and indentation. main also calls b directly: that
// call is not under a, and is not reported. (Delve compares each frame's
// function with the pattern as a string, so `main\.a$` finds no root there
// and prints nothing: gotrace matches the pattern, as it traces.)
TEST(TraceCli, FollowCallsThreeDeep) {
  require_root();
  for (const char* build : {"calls-N", "calls-O"}) {
    RunResult r = run({gotrace(), "trace", "--follow-calls", "3", "--exec", fixture(build), R"(main\.a$)"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "205\n16\n");
    EXPECT_EQ(normalize(r.err),
              "> goroutine(1):frame(1) main.a(1)\n"
              " > goroutine(1):frame(2) main.b(1)\n"
              "  > goroutine(1):frame(3) main.c(1)\n"
              "  >> goroutine(1):frame(3) main.c => (4)\n"
              " >> goroutine(1):frame(2) main.b => (7)\n"
              " > goroutine(1):frame(2) main.b(2)\n"
              "  > goroutine(1):frame(3) main.c(2)\n"
              "  >> goroutine(1):frame(3) main.c => (6)\n"
              " >> goroutine(1):frame(2) main.b => (9)\n"
              ">> goroutine(1):frame(1) main.a => (16)\n"
              "Process PID has exited with status 0\n")
        << build;
  }
}

// A function the optimizer inlined into both its callers (no call of it is
// left in -O) is traced at each inlined copy, with the arguments DWARF can
// still locate there (k was folded into constants) and no return (there is
// none to probe); -N -l keeps real calls.
TEST(TraceCli, InlinedFunctionAtEveryCopy) {
  require_root();
  RunResult o = run({gotrace(), "trace", "--exec", fixture("inline-O"), R"(main\.scale$)"});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(o.out, "12 21\n");
  EXPECT_EQ(normalize(o.err),
            "> goroutine(1): main.scale(4)\n> goroutine(1): main.scale(5)\nProcess PID has exited with status 0\n");
  RunResult n = run({gotrace(), "trace", "--exec", fixture("inline-N"), R"(main\.scale$)"});
  EXPECT_EQ(n.exit_code, 0) << n.err;
  EXPECT_EQ(normalize(n.err),
            "> goroutine(1): main.scale(4, 2)\n>> goroutine(1): main.scale => (12)\n"
            "> goroutine(1): main.scale(5, 3)\n>> goroutine(1): main.scale => (20)\n"
            "Process PID has exited with status 0\n");

  // --cond names the inlined function's parameters; one the compiler folded
  // away (k) is not there to compare.
  o = run({gotrace(), "trace", "--cond", "x > 4", "--exec", fixture("inline-O"), R"(main\.(scale|twice)$)"});
  EXPECT_EQ(o.exit_code, 0) << o.err;
  EXPECT_EQ(normalize(o.err), "> goroutine(1): main.scale(5)\nProcess PID has exited with status 0\n");
  o = run({gotrace(), "trace", "--cond", "k == 3", "--exec", fixture("inline-O"), R"(main\.scale$)"});
  EXPECT_EQ(o.exit_code, 1);
  EXPECT_EQ(o.err, "Error: invalid --cond \"k == 3\": could not find symbol value for k in main.scale\n");
}

// `gotrace trace PKGDIR REGEX` builds with -gcflags='all=-N -l' first, like
// `dlv trace [package]`, and passes arguments after "--".
TEST(TraceCli, BuildsPackageAndShowsStacks) {
  require_root();
  RunResult r = run({gotrace(), "trace", "-s", "1", source_dir() + "/tests/fixtures/go/demo",
                     R"(main\.square$)"},
                    180);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "home@1,2 14\n");
  std::string want;
  for (int i = 1; i <= 3; i++) {
    want += "> goroutine(1): main.square(" + std::to_string(i) + ")\n\n\tStack:\n";
    want += "\t\t0  0xADDR in main.square\n\t\t     at $SRC/tests/fixtures/go/demo/main.go:12\n";
    want += "\t\t1  0xADDR in main.main\n\t\t     at $SRC/tests/fixtures/go/demo/main.go:22\n";
    want += "\t\t(truncated)\n";
    want += ">> goroutine(1): main.square => (" + std::to_string(i * i) + ")\n\tStack:\n";
    want += "\t\t0  0xADDR in main.square\n\t\t     at $SRC/tests/fixtures/go/demo/main.go:12\n";
    want += "\t\t1  0xADDR in main.main\n\t\t     at $SRC/tests/fixtures/go/demo/main.go:22\n";
    want += "\t\t(truncated)\n";
  }
  want += "Process PID has exited with status 0\n";
  EXPECT_EQ(normalize(r.err), want);
}

}  // namespace
}  // namespace gotrace::itest

namespace gotrace::itest {
namespace {

// A ring too small for a burst of 20,000 events: what could not be queued is
// counted and reported, and every event is either printed or counted.
// ptrace has no ring: each hit stops its thread until gotrace has read it,
// so nothing can be lost and the trace is complete.
TEST(TraceConcurrency, LostEventsAreCountedNeverSilent) {
  require_root();
  RunResult r = run({gotrace(), "trace", "--ring-size", "4096", "--exec",
                     fixture("goroutines-O"), R"(main\.work$)"});
  if (backend() == Backend::ptrace) {
    expect_forty_goroutines_paired(r, "goroutines-O");
    return;
  }
  ASSERT_EQ(r.exit_code, 0) << r.err.substr(0, 2000);
  std::vector<std::string> ls = lines(r.err);
  ASSERT_GE(ls.size(), 2u);
  EXPECT_TRUE(RE2::FullMatch(ls.back(), R"(Process \d+ has exited with status 0)"));
  long lost = 0;
  ASSERT_TRUE(RE2::FullMatch(ls[ls.size() - 2],
                             R"(gotrace: (\d+) trace events were lost \(the ring buffer was full\))",
                             &lost))
      << ls[ls.size() - 2];
  EXPECT_GT(lost, 0);
  long printed = 0;
  for (const std::string& l : ls)
    if (RE2::PartialMatch(l, R"(^>>? goroutine\(\d+\): main\.work)")) printed++;
  EXPECT_EQ(printed + lost, 20000);
}

// --timestamp prefixes each line with the RFC 3339 time of the hit.
TEST(TraceCli, TimestampsEachLine) {
  require_root();
  time_t before = time(nullptr);
  RunResult r = run({gotrace(), "trace", "--timestamp", "--exec", fixture("demo-O"),
                     R"(main\.square$)"});
  time_t after = time(nullptr);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> ls = lines(r.err);
  ASSERT_EQ(ls.size(), 7u) << r.err;
  const char* want[] = {"> goroutine(1): main.square(1)", ">> goroutine(1): main.square => (1)",
                        "> goroutine(1): main.square(2)", ">> goroutine(1): main.square => (4)",
                        "> goroutine(1): main.square(3)", ">> goroutine(1): main.square => (9)"};
  for (int i = 0; i < 6; i++) {
    std::string stamp, rest;
    ASSERT_TRUE(RE2::FullMatch(ls[i], R"((\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d)) (.*))",
                               &stamp, &rest))
        << ls[i];
    EXPECT_EQ(normalize(rest), want[i]);
    struct tm tm {};
    ASSERT_NE(strptime(stamp.substr(0, 19).c_str(), "%Y-%m-%dT%H:%M:%S", &tm), nullptr);
    time_t t = timegm(&tm);
    if (stamp.back() != 'Z') {
      int sign = stamp[stamp.size() - 6] == '-' ? -1 : 1;
      int off = std::stoi(stamp.substr(stamp.size() - 5, 2)) * 3600 +
                std::stoi(stamp.substr(stamp.size() - 2, 2)) * 60;
      t -= sign * off;
    }
    EXPECT_GE(t, before);
    EXPECT_LE(t, after);
  }
  EXPECT_TRUE(RE2::FullMatch(ls[6], R"(Process \d+ has exited with status 0)"));
}

}  // namespace
}  // namespace gotrace::itest
