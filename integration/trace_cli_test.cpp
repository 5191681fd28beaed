// gotrace trace end to end: real Go programs, real kernel, full output.
#include "fixture_dir.h"
#include "harness.h"

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <sstream>
#include <string_view>
#include <utility>

namespace gotrace::itest {
namespace {

const char* kTypesRegex =
    R"(main\.(ints|uints|bools|strs|structs|pointers|slices|errs|ifaces|maps|twelve|multi|floats|Max\[.*\]|main\.func1|apply|\(\*Counter\)\.Add|Point\.Sum)$)";

// What Delve's ptrace tracer prints for the same program (captured with
// Delve 1.20.2 on the -N -l build), in current Delve's format (return lines
// name the function), except: on eBPF float registers are not in the uprobe
// context, so float values say so instead of guessing (types_expected() has
// the ptrace backend's lines); a func value prints its function's name where
// Delve prints "(unreadable read out of bounds)".
const char* kTypesExpected = R"(> goroutine(1): main.ints(-1, 2, -3, 4, 1099511627776)
>> goroutine(1): main.ints => (1099511627778)
> goroutine(1): main.uints(1, 255, 65535, 7, 9223372036854775808, 4096)
>> goroutine(1): main.uints => (9223372036854845702)
> goroutine(1): main.bools(true, false)
>> goroutine(1): main.bools => (true)
> goroutine(1): main.strs("gopher", "")
>> goroutine(1): main.strs => ("gopher!",6)
> goroutine(1): main.structs(main.Point {X: 1, Y: 2, Name: "p"})
>> goroutine(1): main.structs => (main.Point {X: 2, Y: 1, Name: "p2"})
> goroutine(1): main.pointers((*main.Point)(0xADDR), (*int)(0xADDR))
>> goroutine(1): main.pointers => ((*main.Point)(0xADDR))
> goroutine(1): main.slices([]int len: 4, cap: 4, [...], []string len: 2, cap: 2, [...], []uint8 len: 0, cap: 0, nil)
>> goroutine(1): main.slices => (6)
> goroutine(1): main.errs(true)
>> goroutine(1): main.errs => (error(*errors.errorString) 0xADDR)
> goroutine(1): main.errs(false)
>> goroutine(1): main.errs => (error nil)
> goroutine(1): main.ifaces(main.Shape(main.Rect) {W: 2, H: 3}, interface {}(int) 42)
>> goroutine(1): main.ifaces => (6)
> goroutine(1): main.maps(map[string]int [...], map[int]bool [], map[string]string nil)
>> goroutine(1): main.maps => (2)
> goroutine(1): main.twelve(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)
>> goroutine(1): main.twelve => (78)
> goroutine(1): main.multi(5, "ab")
>> goroutine(1): main.multi => (10,"abab",true)
> goroutine(1): main.floats((unreadable float register), (unreadable float register), 3)
>> goroutine(1): main.floats => ((unreadable float register))
> goroutine(1): main.(*Counter).Add((*main.Counter)(0xADDR), 5)
>> goroutine(1): main.(*Counter).Add => (5)
> goroutine(1): main.Point.Sum(main.Point {X: 2, Y: 1, Name: "p2"})
>> goroutine(1): main.Point.Sum => (3)
> goroutine(1): main.apply(main.main.func1, 4)
> goroutine(1): main.main.func1(4)
>> goroutine(1): main.main.func1 => (4)
>> goroutine(1): main.apply => (4)
> goroutine(1): main.Max[go.shape.int_0](3, 9)
>> goroutine(1): main.Max[go.shape.int_0] => (9)
> goroutine(1): main.Max[go.shape.float64_0]((unreadable float register), (unreadable float register))
>> goroutine(1): main.Max[go.shape.float64_0] => ((unreadable float register))
Process PID has exited with status 0
)";

// kTypesExpected for the backend under test: ptrace reads the XMM registers
// and prints the floats as Delve does. Under eBPF, a -N -l build's float
// arguments are read where the function stores them after its prologue (the
// entry is probed there, as Delve's eBPF tracer does); float results, and
// float arguments of optimized builds, stay in registers uprobes cannot see.
std::string types_expected(bool debug_build) {
  std::string s = kTypesExpected;
  const bool ptrace = backend() != Backend::ebpf;
  const struct {
    const char* ebpf;
    const char* read;
    bool is_argument;
  } float_lines[] = {
      {"main.floats((unreadable float register), (unreadable float register), 3)", "main.floats(1.5, 2.25, 3)", true},
      {"main.floats => ((unreadable float register))", "main.floats => (8.25)", false},
      {"main.Max[go.shape.float64_0]((unreadable float register), (unreadable float register))",
       "main.Max[go.shape.float64_0](2.5, 1.5)", true},
      {"main.Max[go.shape.float64_0] => ((unreadable float register))", "main.Max[go.shape.float64_0] => (2.5)", false},
  };
  for (const auto& l : float_lines) {
    if (!ptrace && !(debug_build && l.is_argument)) continue;
    size_t at = s.find(l.ebpf);
    if (at == std::string::npos) ADD_FAILURE() << "kTypesExpected lacks " << l.ebpf;
    else s.replace(at, std::string_view(l.ebpf).size(), l.read);
  }
  return testing::shaped(s);
}

TEST(TraceCli, EveryKindOfValueDebugBuild) {
  require_root();
  RunResult r = run({gotrace(), "trace", "--exec", fixture("types-N"), kTypesRegex});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "total -9223370937343077978\n");
  EXPECT_EQ(normalize(r.err), types_expected(true));
}

// Optimized builds leave results (and unused parameters) without DWARF
// locations; Delve prints "(unreadable empty OP stack)" there. The ABI model
// gives the same values as the debug build.
TEST(TraceCli, EveryKindOfValueOptimizedBuild) {
  require_root();
  RunResult r = run({gotrace(), "trace", "--exec", fixture("types-O"), kTypesRegex});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "total -9223370937343077978\n");
  EXPECT_EQ(normalize(r.err), types_expected(false));
}

// Code on the system stack (here the span allocator, which mheap.alloc runs
// through systemstack) runs with g = the M's g0, goroutine 0: like Delve,
// gotrace reports the goroutine that switched there, g0.m.curg. Before
// main.main the runtime allocates with no goroutine current (curg nil):
// those stay goroutine(0), as in Delve.
TEST(TraceCli, SystemStackCodeReportsTheGoroutineThatSwitchedThere) {
  require_root();
  RunResult r = run({gotrace(), "trace", "--exec", fixture("demo-N"), R"(^runtime\.\(\*mheap\)\.allocSpan$)"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  int main_goroutine = 0, entries = 0;
  for (const std::string& l : lines(r.err)) {
    if (!l.starts_with("> ")) continue;
    entries++;
    if (l.starts_with("> goroutine(1): runtime.(*mheap).allocSpan(")) main_goroutine++;
  }
  EXPECT_GT(entries, 0) << r.err;
  EXPECT_GT(main_goroutine, 0) << r.err;
}

// PIE: probes go at file offsets; type descriptors and functions behind
// captured pointers are found through the load bias.
TEST(TraceCli, EveryKindOfValuePieBuild) {
  require_root();
  RunResult r = run({gotrace(), "trace", "--exec", fixture("types-pie"), kTypesRegex});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "total -9223370937343077978\n");
  EXPECT_EQ(normalize(r.err), types_expected(false));
}

// Delve prints two return lines for `guarded` (it probes the deferreturn
// call and the RET); every call here returns exactly once. A panic abandons
// inner(2) and middle(2): they have no return line, and nothing after them
// pairs with their stale entries.
const char* kPanicsExpected = R"(> goroutine(1): main.guarded(1)
> goroutine(1): main.middle(1)
> goroutine(1): main.inner(1)
>> goroutine(1): main.inner => (10)
>> goroutine(1): main.middle => (11)
>> goroutine(1): main.guarded => (11)
> goroutine(1): main.guarded(2)
> goroutine(1): main.middle(2)
> goroutine(1): main.inner(2)
>> goroutine(1): main.guarded => (-1)
> goroutine(1): main.guarded(3)
> goroutine(1): main.middle(3)
> goroutine(1): main.inner(3)
>> goroutine(1): main.inner => (30)
>> goroutine(1): main.middle => (31)
>> goroutine(1): main.guarded => (31)
Process PID has exited with status 0
)";

TEST(TraceCli, PanicsUnwindThroughTracedFunctions) {
  require_root();
  for (const char* build : {"panics-N", "panics-O"}) {
    RunResult r = run({gotrace(), "trace", "--exec", fixture(build), R"(main\.(inner|middle|guarded)$)"});
    EXPECT_EQ(r.exit_code, 0) << build << r.err;
    EXPECT_EQ(r.out, "guarded 1 11\nguarded 2 -1\nguarded 3 31\n") << build;
    EXPECT_EQ(normalize(r.err), kPanicsExpected) << build;
  }
}

// 201 nested calls with a 64-byte array argument grow the goroutine stack
// several times while calls are in flight: every return still carries its
// own value, innermost first.
TEST(TraceCli, DeepRecursionAcrossStackGrowth) {
  require_root();
  for (const char* build : {"recursion-N", "recursion-O"}) {
    RunResult r = run({gotrace(), "trace", "--exec", fixture(build), R"(main\.depth$)"});
    EXPECT_EQ(r.exit_code, 0) << build << r.err;
    EXPECT_EQ(r.out, "depth 200\n");
    std::string expected;
    for (int n = 200; n >= 0; n--)
      expected += "> goroutine(1): main.depth(" + std::to_string(n) + ", [64]uint8 [...])\n";
    for (int n = 0; n <= 200; n++)
      expected += ">> goroutine(1): main.depth => (" + std::to_string(n) + ")\n";
    expected += "Process PID has exited with status 0\n";
    EXPECT_EQ(normalize(r.err), expected) << build;
  }
}

// Strings are captured up to --max-string-len bytes (default 64, Delve's).
TEST(TraceCli, StringCaptureLengthIsConfigurable) {
  require_root();
  RunResult r = run({gotrace(), "trace", "--max-string-len", "3", "--exec", fixture("types-O"),
                     R"(main\.strs$)"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(normalize(r.err),
            "> goroutine(1): main.strs(\"gop...+3 more\", \"\")\n"
            ">> goroutine(1): main.strs => (\"gop...+4 more\",6)\n"
            "Process PID has exited with status 0\n");
}

TEST(TraceCli, FuncsListsTraceableFunctionsSorted) {
  RunResult r = run({gotrace(), "funcs", fixture("types-O"), R"(^main\.)"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, testing::shaped(
            "main.(*Counter).Add\n"
            "main.(*Rect).Area\n"
            "main.Max[go.shape.float64_0]\n"
            "main.Max[go.shape.int_0]\n"
            "main.Point.Sum\n"
            "main.Rect.Area\n"
            "main.apply\n"
            "main.bools\n"
            "main.errs\n"
            "main.floats\n"
            "main.ifaces\n"
            "main.ints\n"
            "main.main\n"
            "main.main.func1\n"
            "main.maps\n"
            "main.multi\n"
            "main.pointers\n"
            "main.slices\n"
            "main.strs\n"
            "main.structs\n"
            "main.twelve\n"
            "main.uints\n"));
  EXPECT_EQ(r.err, "");
}

}  // namespace
}  // namespace gotrace::itest
