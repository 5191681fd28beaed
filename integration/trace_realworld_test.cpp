// The binaries people ship (issue 6): cgo, the system linker, processes in
// their own mount and pid namespaces. Run on both backends (see
// CMakeLists.txt).
#include "harness.h"

#include <gtest/gtest.h>
#include <re2/re2.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

namespace gotrace::itest {
namespace {

const char* kAsmAdd = "gotrace.test/fixtures/internal/asmadd.Add";

std::string hex(int v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%x", v);
  return buf;
}

// The trace lines of one worker goroutine of the cgo fixture: mix, then the
// assembly Add (its third word, the result slot, is whatever the stack held:
// SLOT).
std::string worker_lines(int g, int id) {
  std::string gid = "goroutine(" + std::to_string(id) + "): ";
  return "> " + gid + "main.mix(" + std::to_string(g) + ", 9)\n>> " + gid + "main.mix => (" +
         std::to_string(g * 10 + 9) + ")\n> " + gid + kAsmAdd + "(" + hex(g) + ", 0x64, SLOT)\n>> " +
         gid + kAsmAdd + " => (" + hex(g) + ",0x64," + hex(g + 100) + ")\n";
}

// A raw ABI0 entry's last word is the result slot before the call: SLOT.
std::string without_result_slots(std::string err) {
  RE2::GlobalReplace(&err, R"((\.Add\(0x[0-9a-f]+, 0x[0-9a-f]+), 0x[0-9a-f]+\))", R"(\1, SLOT))");
  return err;
}

const char* kAsmNotice =
    "gotrace: gotrace.test/fixtures/internal/asmadd.Add is written in assembly (no parameter types): "
    "values are raw words, as many as the argument frame holds, read from the argument registers and "
    "stack slots at the entry and from the same ones at each return\n";

// Go calls C, C calls back into Go (an exported function on a C stack), and
// goroutines run while cgo's threads exist: every call is seen once, paired,
// with the goroutine's id, also in assembly, where g comes from the TLS slot
// the external linker chose.
void expect_cgo_trace(const std::string& binary, bool inlined_export) {
  RunResult r = run({gotrace(), "trace", "--raw-words", "--exec", fixture(binary),
                     R"(main\.(mix|goTwice)$|asmadd\.Add$)"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> out = lines(r.out);
  ASSERT_EQ(out.size(), 4u) << r.out;
  std::string want = std::string(kAsmNotice) +
                     "> goroutine(1): main.mix(1, 1)\n>> goroutine(1): main.mix => (11)\n";
  // -O inlines goTwice into cgo's export wrapper: that inlined copy is
  // traced, an entry with no return to probe.
  want += "> goroutine(1): main.goTwice(4)\n";
  want += "> goroutine(1): main.mix(4, 2)\n>> goroutine(1): main.mix => (42)\n";
  if (!inlined_export) want += ">> goroutine(1): main.goTwice => (42)\n";
  for (int g = 0; g < 3; g++) {
    int id = 0;
    ASSERT_TRUE(RE2::FullMatch(out[g], "worker " + std::to_string(g) + R"( goroutine (\d+))", &id))
        << out[g];
    want += worker_lines(g, id);
  }
  EXPECT_EQ(out[3], "sum 57");
  want += "Process PID has exited with status 0\n";
  EXPECT_EQ(normalize(without_result_slots(r.err)), want);
}

TEST(RealWorld, CgoDebugBuild) {
  require_root();
  expect_cgo_trace("cgo-N", false);
}

TEST(RealWorld, CgoOptimizedBuild) {
  require_root();
  expect_cgo_trace("cgo-O", true);
}

// Linked by the system linker (-linkmode=external): other section layout,
// other file offsets; the same trace as the Go linker's build.
TEST(RealWorld, ExternallyLinkedBinary) {
  require_root();
  RunResult r = run({gotrace(), "trace", "--exec", fixture("demo-extlink"), R"(main\.(square|describe)$)"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "home@1,2 14\n");
  EXPECT_EQ(normalize(r.err),
            "> goroutine(1): main.square(1)\n>> goroutine(1): main.square => (1)\n"
            "> goroutine(1): main.square(2)\n>> goroutine(1): main.square => (4)\n"
            "> goroutine(1): main.square(3)\n>> goroutine(1): main.square => (9)\n"
            "> goroutine(1): main.describe(main.Point {X: 1, Y: 2, Name: \"home\"}, []string len: 2, "
            "cap: 2, [...])\n"
            ">> goroutine(1): main.describe => (\"home@1,2\",error nil)\n"
            "Process PID has exited with status 0\n");
}

const char* kRawNotice =
    " has no debug information (stripped): values are raw words, as many as the argument frame "
    "holds, read from the argument registers and stack slots at the entry and from the same ones "
    "at each return\n";

// Stripped of .symtab and DWARF, also as PIE: functions and lines from
// .gopclntab, raw argument words (func square(n int) int: one word in, one
// out), said once.
TEST(RealWorld, StrippedBinaries) {
  require_root();
  for (const char* build : {"demo-stripped", "demo-stripped-pie"}) {
    RunResult r = run({gotrace(), "trace", "--exec", fixture(build), R"(main\.square$)"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "home@1,2 14\n");
    EXPECT_EQ(normalize(r.err), normalize("gotrace: " + fixture(build) + kRawNotice) +
                                    "> goroutine(1): main.square(0x1)\n>> goroutine(1): main.square => (0x1)\n"
                                    "> goroutine(1): main.square(0x2)\n>> goroutine(1): main.square => (0x4)\n"
                                    "> goroutine(1): main.square(0x3)\n>> goroutine(1): main.square => (0x9)\n"
                                    "Process PID has exited with status 0\n")
        << build;
  }
  RunResult funcs = run({gotrace(), "funcs", fixture("demo-stripped"), R"(^main\.)"});
  EXPECT_EQ(funcs.out, "main.describe\nmain.main\nmain.square\n");
}

// An assembly (ABI0) function takes its arguments on the stack and may use
// R14, where Go code keeps g, for anything: this one clears it before
// returning. With --raw-words its frame's three words (a, b, the result
// slot) are shown raw; the goroutine comes from thread-local storage at the
// return too. Without, no values: Delve's `()` (DelveDiff.AssemblyFunction).
TEST(RealWorld, AssemblyFunction) {
  require_root();
  RunResult r = run({gotrace(), "trace", "--raw-words", "--exec", fixture("asm-N"), R"(asmadd\.Add$)"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  int worker = 0;
  ASSERT_TRUE(RE2::FullMatch(r.out, "sum 5\nworker goroutine (\\d+)\n", &worker)) << r.out;
  std::string w = "goroutine(" + std::to_string(worker) + "): ";
  EXPECT_EQ(normalize(without_result_slots(r.err)),
            std::string(kAsmNotice) + "> goroutine(1): " + kAsmAdd + "(0x2, 0x3, SLOT)\n>> goroutine(1): " +
                kAsmAdd + " => (0x2,0x3,0x5)\n> " + w + kAsmAdd + "(0x28, 0x2, SLOT)\n>> " + w + kAsmAdd +
                " => (0x28,0x2,0x2a)\nProcess PID has exited with status 0\n");
}

std::string status_field(pid_t pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key + ":", 0) == 0) return line.substr(line.find_first_not_of(" \t", key.size() + 1));
  return "";
}

// A process started by `unshare` in new mount and pid namespaces, from a
// path that exists only in its mount namespace (a tmpfs mounted there), is
// traced by its host pid; messages name that pid.
TEST(RealWorld, ProcessInOtherMountAndPidNamespaces) {
  require_root();
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("gotrace-ns-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::string inner = (dir / "prog").string();
  Background ns = start({"/usr/bin/unshare", "--mount", "--pid", "--fork", "--mount-proc", "/bin/sh", "-c",
                         "mount -t tmpfs none " + dir.string() + " && cp " + fixture("ticker-O") +
                             " " + inner + " && exec " + inner});
  ASSERT_TRUE(wait_for_text(ns.out_path, "ready", 10000));
  // The program is the unshare'd child: find its host pid by its exe.
  pid_t pid = 0;
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    std::error_code ec;
    auto exe = std::filesystem::read_symlink(e.path() / "exe", ec);
    if (!ec && exe.string() == inner) pid = std::atoi(e.path().filename().c_str());
  }
  ASSERT_NE(pid, 0);
  EXPECT_EQ(status_field(pid, "NSpid"), std::to_string(pid) + "\t1");
  EXPECT_FALSE(std::filesystem::exists(inner)) << "the binary must be invisible from here";

  expect_ticker_trace_until_interrupted(pid);
  // Left running and untraced.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(kill(pid, 0), 0);
  EXPECT_EQ(tracer_pid(pid), 0);
  // Sleeping between ticks or running one, never stopped (T) or held (t).
  std::string state = status_field(pid, "State").substr(0, 1);
  EXPECT_TRUE(state == "S" || state == "R") << state;
  kill(pid, SIGKILL);
  ns.wait(10);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace gotrace::itest
