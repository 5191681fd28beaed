// What Go added after 1.19 (issue 17), on the fixture `modern`, built by
// every toolchain of the matrix from Go 1.24 on (CMakeLists.txt): DWARF 5
// (the go1.26.8 and go1.27.3 builds carry it), range-over-func iterators and the loop bodies the
// compiler turns into closures (main.run-range1), a generic type alias
// (Set[string] = map[string]bool) and Swiss-table maps as arguments.
//
// Where Delve 1.27.2 differs, gotrace prints what the DWARF says and the
// registers hold (checked side by side on go1.26.8 builds):
// - main.run-range1's parameter i: Delve prints `main.run-range1()` and
//   `=> (0)`; the DWARF has one input parameter, i, and no result, so
//   gotrace prints `main.run-range1(0)` ... `=> ()`;
// - main.Count.func1's yield: Delve `(unreadable read out of bounds)`,
//   gotrace the closure's function, main.run-range1;
// - optimized builds' results: Delve `(unreadable empty OP stack)`,
//   gotrace the returned values.
// At -v 0 maps print `[...]` in both; their entries (Delve at -v 2 and up)
// are not captured yet (the README says so).
#include "harness.h"

#include <gtest/gtest.h>

#include <string>

namespace gotrace::itest {
namespace {

// The whole trace of run(), for either build: the same lines, since every
// value is read at the same place in both.
std::string expected_trace() {
  std::string t =
      "> goroutine(1): main.Count(3)\n"
      ">> goroutine(1): main.Count => (main.Count.func1) [DUR]\n"
      "> goroutine(1): main.Count.func1(main.run-range1)\n";
  for (int i = 0; i < 3; i++) {
    std::string n = std::to_string(i), sq = std::to_string(i * i);
    t += "> goroutine(1): main.run-range1(" + n + ")\n> goroutine(1): main.square(" + n +
         ")\n>> goroutine(1): main.square => (" + sq + ") [DUR]\n>> goroutine(1): main.run-range1 => () [DUR]\n";
  }
  t += ">> goroutine(1): main.Count.func1 => () [DUR]\n"
       "> goroutine(1): main.members(map[string]bool [...], map[int]int [...])\n"
       ">> goroutine(1): main.members => (22) [DUR]\n"
       "Process PID has exited with status 0\n";
  return t;
}

const char* kFunctions = R"(^main\.(Count|Count\.func1|run-range1|members|square)$)";

void expect_modern_trace(const std::string& binary) {
  require_root();
  RunResult r = run({gotrace(), "trace", "--exec", fixture(binary), kFunctions});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "total 27\n");
  EXPECT_EQ(normalize(r.err), expected_trace());
}

TEST(ModernGo, RangeOverFuncIteratorsAndBodiesOptimized) { expect_modern_trace("modern-O"); }

TEST(ModernGo, RangeOverFuncIteratorsAndBodiesNoOpt) { expect_modern_trace("modern-N"); }

// The alias is its target type, as Delve names it (-v 1: types only).
TEST(ModernGo, GenericAliasIsItsTargetType) {
  require_root();
  RunResult r = run({gotrace(), "trace", "-v", "1", "--exec", fixture("modern-N"), R"(^main\.members$)"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(normalize(r.err),
            "> goroutine(1): main.members(s: <map[string]bool>, big: <map[int]int>)\n"
            ">> goroutine(1): main.members => (~r0: <int>) [DUR]\n"
            "Process PID has exited with status 0\n");
}

// `gotrace funcs` lists the iterator's closure and the loop body by the
// names the compiler gives them.
TEST(ModernGo, FuncsListsRangeBodies) {
  RunResult r = run({gotrace(), "funcs", fixture("modern-O"), R"(^main\.)"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "main.Count\nmain.Count.func1\nmain.main\nmain.members\nmain.run\nmain.run-range1\nmain.square\n");
}

}  // namespace
}  // namespace gotrace::itest
