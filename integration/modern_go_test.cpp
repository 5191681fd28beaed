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
// At -v 0 maps print `[...]` in both; their entries (-v 2 and up) are
// checked in maps_test.cpp.
#include "fixture_dir.h"
#include "harness.h"

#include <gtest/gtest.h>
#include <re2/re2.h>

#include <string>

namespace gotrace::itest {
namespace {

// The whole trace of run(), for either build: the same lines, since every
// value is read at the same place in both.
std::string expected_trace() {
  std::string t =
      "> goroutine(1): main.Count(3)\n"
      ">> goroutine(1): main.Count => (main.Count.func1)\n"
      "> goroutine(1): main.Count.func1(main.run-range1)\n";
  for (int i = 0; i < 3; i++) {
    std::string n = std::to_string(i), sq = std::to_string(i * i);
    t += "> goroutine(1): main.run-range1(" + n + ")\n> goroutine(1): main.square(" + n +
         ")\n>> goroutine(1): main.square => (" + sq + ")\n>> goroutine(1): main.run-range1 => ()\n";
  }
  t += ">> goroutine(1): main.Count.func1 => ()\n"
       "> goroutine(1): main.members(map[string]bool [...], map[int]int [...])\n"
       ">> goroutine(1): main.members => (22)\n"
       "Process PID has exited with status 0\n";
  return t;
}

const char* kFunctions = R"(^main\.(Count|Count\.func1|run-range1|members|square)$)";

void expect_modern_trace(const std::string& binary) {
  require_root();
  RunResult r = run({gotrace(), "trace", "--exec", fixture(binary), kFunctions});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "total 27 generics 7 method value 107\n");
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
            ">> goroutine(1): main.members => (<int>)\n"
            "Process PID has exited with status 0\n");
}

// Generic methods: the dictionary travels in a register of its own, ahead
// of the receiver up to Go 1.19 and after it from 1.20 (it used to be read
// as the receiver on 1.26 and 1.27 builds: main.Pair's K read from the
// dictionary's neighbour, "unreadable ... at 0x1"). A closure of a generic
// function takes no dictionary (its first argument used to be skipped).
// Every toolchain of the matrix; the closure is inlined in optimized builds.
void expect_generics_trace(const std::string& binary, bool closure) {
  require_root();
  RunResult r = run({gotrace(), "trace", "--exec", fixture(binary), R"(^main\.(Apply|\(\*Stack|Pair))"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, std::string("total ") + (gotrace::testing::go_minor() >= 24 ? "27" : "0") + " generics 7 method value 107\n");
  std::string push = "main.(*Stack[go.shape.string_0]).Push";
  std::string key = "main.Pair[go.shape.string_0,go.shape.int_1].Key";
  std::string apply = "main.Apply[go.shape.string_0]";
  std::string want;
  for (int n : {1, 2})
    want += "> goroutine(1): " + push + "((*main.Stack[go.shape.string_0])(0xADDR), \"" + std::string(n, n == 1 ? 'a' : 'b') +
            "\")\n>> goroutine(1): " + push + " => (" + std::to_string(n) + ")\n";
  want += "> goroutine(1): " + key + "(main.Pair[go.shape.string_0,go.shape.int_1] {K: \"k\", V: 7}, 3)\n>> goroutine(1): " +
          key + " => (\"k\")\n";
  want += "> goroutine(1): " + apply + "([]go.shape.string_0 len: 1, cap: 1, [...], main.generics.func1)\n";
  if (closure)
    want += "> goroutine(1): " + apply + ".func1(\"xyz\")\n>> goroutine(1): " + apply + ".func1 => (4)\n";
  want += ">> goroutine(1): " + apply + " => (4)\nProcess PID has exited with status 0\n";
  std::string err = normalize(r.err);
  // Inlined copies of the closure (entry only) in optimized Go 1.26+ builds
  // are not what this test is about.
  if (!closure) RE2::GlobalReplace(&err, R"(> goroutine\(1\): main\.Apply\[[^\n]*\]\.func1\("xyz"\)\n)", "");
  EXPECT_EQ(err, gotrace::testing::shaped(want));
}

TEST(Generics, MethodsAndClosuresNoOpt) { expect_generics_trace("modern-N", true); }

TEST(Generics, MethodsOptimized) { expect_generics_trace("modern-O", false); }

// A method value's wrapper takes its receiver from the closure it is called
// through: its arguments are the method's own (it used to be given the
// receiver as a first argument: "(*main.Adder)(0x3), 4, <garbage>"), as
// Delve 1.27.2 prints them.
// Go 1.19's optimized DWARF describes the wrapper with no parameters at all:
// nothing to show there.
void expect_method_value_trace(const std::string& binary, bool optimized) {
  require_root();
  RunResult r = run({gotrace(), "trace", "--exec", fixture(binary), R"(^main\.\(\*Adder\)\.Add)"});
  EXPECT_EQ(r.exit_code, 0);
  bool no_params = optimized && gotrace::testing::go_minor() <= 19;
  EXPECT_EQ(normalize(r.err),
            std::string("> goroutine(1): main.(*Adder).Add-fm") + (no_params ? "()" : "(3, 4)") + "\n"
            "> goroutine(1): main.(*Adder).Add((*main.Adder)(0xADDR), 3, 4)\n"
            ">> goroutine(1): main.(*Adder).Add => (107)\n"
            ">> goroutine(1): main.(*Adder).Add-fm => (107)\n"
            "Process PID has exited with status 0\n");
}

TEST(MethodValues, WrapperArgumentsNoOpt) { expect_method_value_trace("modern-N", false); }

TEST(MethodValues, WrapperArgumentsOptimized) { expect_method_value_trace("modern-O", true); }

// `gotrace funcs` lists the iterator's closure and the loop body by the
// names the compiler gives them.
TEST(ModernGo, FuncsListsRangeBodies) {
  RunResult r = run({gotrace(), "funcs", fixture("modern-O"), R"(^main\.)"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, gotrace::testing::shaped("main.(*Adder).Add\nmain.(*Adder).Add-fm\n"
                                            "main.(*Stack[go.shape.string_0]).Push\nmain.Apply[go.shape.string_0]\n"
                                            "main.Count\nmain.Count.func1\nmain.Pair[go.shape.string_0,go.shape.int_1].Key\n"
                                            "main.call\nmain.generics\nmain.generics.func1\nmain.main\nmain.members\n"
                                            "main.run\n"
                                            "main.run-range1\nmain.square\n"));
}

}  // namespace
}  // namespace gotrace::itest
