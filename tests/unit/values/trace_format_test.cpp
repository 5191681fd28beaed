// dlv trace lines, checked against dlv-trace-cli-output.txt where the
// transcripts show them (1.20.2 return lines lack the function name that
// HEAD prints).
#include "gotrace/values/trace_format.h"

#include "fake_target.h"

#include <gtest/gtest.h>

namespace gotrace::values {
namespace {

using testing::Bytes;

class TraceFormatTest : public ::testing::Test {
 protected:
  Variable arg(const std::string& name, const symbols::Type& t,
               std::vector<uint8_t> bytes, uint32_t flags, int verbosity = 0,
               uint64_t addr = 0) {
    held_.push_back(std::move(bytes));
    Variable v = load_variable(name, t, held_.back(), mem_, types_,
                               load_config_for_verbosity(verbosity), addr);
    v.flags |= flags;
    return v;
  }
  std::vector<Variable> foo_args(int verbosity) {
    return {arg("x", *ty_.int_, Bytes().i64(99), kVarArgument, verbosity),
            arg("y", *ty_.int_, Bytes().i64(9801), kVarArgument, verbosity,
                kFakeAddressBase + 0x100),
            arg("z", *ty_.int_, Bytes().i64(0), kVarReturnArgument, verbosity,
                0xc000012345)};
  }

  testing::Types ty_;
  testing::FakeMemory mem_;
  testing::FakeTypes types_;
  std::deque<std::vector<uint8_t>> held_;
};

TEST_F(TraceFormatTest, EntryAndReturnVerbosity0) {
  TraceOptions o;
  EXPECT_EQ(format_trace_entry(1, "main.foo", foo_args(0), o),
            "> goroutine(1): main.foo(99, 9801)\n");
  std::vector<Variable> ret = {
      arg("z", *ty_.int_, Bytes().i64(9900), kVarReturnArgument)};
  EXPECT_EQ(format_trace_return(1, "main.foo", ret, o),
            ">> goroutine(1): main.foo => (9900)\n");
}

TEST_F(TraceFormatTest, NoResults) {
  TraceOptions o;
  EXPECT_EQ(format_trace_return(19, "main.worker", {}, o),
            ">> goroutine(19): main.worker => ()\n");
}

TEST_F(TraceFormatTest, ReturnValuesJoinWithBareComma) {
  mem_.put_string(0x4b2000, "x");
  std::vector<Variable> ret = {
      arg("~r0", *ty_.int_, Bytes().i64(1), kVarReturnArgument),
      arg("~r1", *ty_.string_, Bytes().u64(0x4b2000).u64(1), kVarReturnArgument)};
  EXPECT_EQ(format_trace_return(1, "main.two", ret, {}),
            ">> goroutine(1): main.two => (1,\"x\")\n");
}

TEST_F(TraceFormatTest, DescribeFromTranscript) {
  mem_.put_string(0x4b2d6a, "hello");
  mem_.put_string(0x4b2aa0, "pt");
  std::vector<Variable> args = {
      arg("s", *ty_.string_, Bytes().u64(0x4b2d6a).u64(5), kVarArgument),
      arg("p", *ty_.point, Bytes().i64(1).i64(2).u64(0x4b2aa0).u64(2),
          kVarArgument, 0, kFakeAddressBase + 0x100),
      arg("xs", *ty_.slice_int, Bytes().u64(0xc0000b8000).u64(3).u64(3),
          kVarArgument, 0, kFakeAddressBase + 0x200),
      arg("~r0", *ty_.int_, Bytes().i64(0), kVarReturnArgument)};
  EXPECT_EQ(format_trace_entry(1, "main.describe", args, {}),
            "> goroutine(1): main.describe(\"hello\", main.Point {X: 1, Y: 2, "
            "Name: \"pt\"}, []int len: 3, cap: 3, [...])\n");
  EXPECT_EQ(args[0].flags, uint32_t{kVarArgument | kVarFakeAddress});  // 40
}

TEST_F(TraceFormatTest, WorkerFromTranscript) {
  std::vector<Variable> args = {
      arg("id", *ty_.int_, Bytes().i64(1), kVarArgument),
      arg("wg", *ty_.ptr_wait_group, Bytes().u64(0xc0000aa000), kVarArgument)};
  EXPECT_EQ(format_trace_entry(19, "main.worker", args, {}),
            "> goroutine(19): main.worker(1, (*sync.WaitGroup)(0xc0000aa000))\n");
}

// Level 0 is the pre-verbosity output (Delve 1.20.2 transcripts; HEAD's
// TestTraceEBPF parity strings): a function without parameters prints "()"
// on entry and, without results, "=> ()" on return.
TEST_F(TraceFormatTest, NoArgsNoResultsVerbosity0) {
  TraceOptions o;
  EXPECT_EQ(format_trace_entry(7, "main.tick", {}, o),
            "> goroutine(7): main.tick()\n");
  EXPECT_EQ(format_trace_return(7, "main.tick", {}, o),
            ">> goroutine(7): main.tick => ()\n");
}

// Several arguments (string, struct, slice) and several results at level 0:
// arguments joined with ", ", results with a bare ",", result parameters
// (flag 16) never printed among the arguments.
TEST_F(TraceFormatTest, SeveralArgsAndResultsVerbosity0) {
  mem_.put_string(0x4b2d6a, "hello");
  mem_.put_string(0x4b2aa0, "pt");
  std::vector<Variable> args = {
      arg("s", *ty_.string_, Bytes().u64(0x4b2d6a).u64(5), kVarArgument),
      arg("p", *ty_.point, Bytes().i64(1).i64(2).u64(0x4b2aa0).u64(2),
          kVarArgument, 0, kFakeAddressBase + 0x100),
      arg("n", *ty_.int_, Bytes().i64(3), kVarArgument),
      arg("~r0", *ty_.int_, Bytes().i64(0), kVarReturnArgument),
      arg("~r1", *ty_.string_, Bytes().u64(0).u64(0), kVarReturnArgument)};
  EXPECT_EQ(format_trace_entry(1, "main.describe", args, {}),
            "> goroutine(1): main.describe(\"hello\", main.Point {X: 1, Y: 2, "
            "Name: \"pt\"}, 3)\n");
  std::vector<Variable> ret = {
      arg("~r0", *ty_.int_, Bytes().i64(23), kVarReturnArgument),
      arg("~r1", *ty_.string_, Bytes().u64(0x4b2d6a).u64(5),
          kVarReturnArgument)};
  EXPECT_EQ(format_trace_return(1, "main.describe", ret, {}),
            ">> goroutine(1): main.describe => (23,\"hello\")\n");
}

// Levels 1-4 as Delve 1.27.2 prints them (pkg/terminal/command.go
// printTracepoint, service/api FormatTraceVariable): arguments named, return
// values not; 1 the shortened type, 2 the value on one line, 3-4 each
// argument on its own line after two spaces, the ")" right after the last.
TEST_F(TraceFormatTest, Verbosity1TypesOnly) {
  TraceOptions o;
  o.verbosity = 1;
  EXPECT_EQ(format_trace_entry(1, "main.foo", foo_args(1), o),
            "> goroutine(1): main.foo(x: <int>, y: <int>)\n");
  std::vector<Variable> ret = {
      arg("z", *ty_.int_, Bytes().i64(9900), kVarReturnArgument, 1)};
  EXPECT_EQ(format_trace_return(1, "main.foo", ret, o),
            ">> goroutine(1): main.foo => (<int>)\n");
}

TEST_F(TraceFormatTest, Verbosity2NameValue) {
  TraceOptions o;
  o.verbosity = 2;
  EXPECT_EQ(format_trace_entry(1, "main.foo", foo_args(2), o),
            "> goroutine(1): main.foo(x: 99, y: 9801)\n");
  std::vector<Variable> ret = {
      arg("z", *ty_.int_, Bytes().i64(9900), kVarReturnArgument, 2)};
  EXPECT_EQ(format_trace_return(1, "main.foo", ret, o),
            ">> goroutine(1): main.foo => (9900)\n");
}

TEST_F(TraceFormatTest, Verbosity3And4OneArgPerLine) {
  for (int v : {3, 4}) {
    TraceOptions o;
    o.verbosity = v;
    EXPECT_EQ(format_trace_entry(1, "main.foo", foo_args(v), o),
              "> goroutine(1): main.foo(\n  x: 99\n  y: 9801)\n");
    std::vector<Variable> ret = {
        arg("z", *ty_.int_, Bytes().i64(9900), kVarReturnArgument, v)};
    EXPECT_EQ(format_trace_return(1, "main.foo", ret, o),
              ">> goroutine(1): main.foo => (9900)\n");
  }
}

TEST_F(TraceFormatTest, Verbosity4FollowsPointers) {
  mem_.put_string(0x4b1000, "pt");
  mem_.put(0xc000020000, Bytes().i64(1).i64(2).u64(0x4b1000).u64(2));
  TraceOptions o;
  o.verbosity = 4;
  std::vector<Variable> args = {
      arg("p", *ty_.ptr_point, Bytes().u64(0xc000020000), kVarArgument, 4)};
  EXPECT_EQ(format_trace_entry(1, "main.show", args, o),
            "> goroutine(1): main.show(\n  p: (*main.Point)(0xc000020000)\n"
            "*main.Point {X: 1, Y: 2, Name: \"pt\"})\n");
}

TEST_F(TraceFormatTest, Timestamp) {
  TraceOptions o;
  o.timestamp = format_rfc3339_nano(1700000000123456789LL, 0);
  EXPECT_EQ(*o.timestamp, "2023-11-14T22:13:20.123456789Z");
  EXPECT_EQ(format_trace_entry(1, "main.foo", foo_args(0), o),
            "2023-11-14T22:13:20.123456789Z > goroutine(1): main.foo(99, 9801)\n");
  EXPECT_EQ(format_rfc3339_nano(1700000000000000000LL, 0), "2023-11-14T22:13:20Z");
  EXPECT_EQ(format_rfc3339_nano(1700000000100000000LL, -8 * 3600),
            "2023-11-14T14:13:20.1-08:00");
  EXPECT_EQ(format_rfc3339_nano(1700000000000000000LL, 5 * 3600 + 1800),
            "2023-11-15T03:43:20+05:30");
}

TEST_F(TraceFormatTest, FollowCalls) {
  TraceOptions o;
  o.follow_calls_frame = 3;
  o.stack = std::vector<StackFrame>{{0x49b5c0, "main.foo", "./prog.go", 16}};
  EXPECT_EQ(format_trace_entry(1, "main.foo", foo_args(0), o),
            "  > goroutine(1):frame(3) main.foo(99, 9801)\n");
  std::vector<Variable> ret = {
      arg("z", *ty_.int_, Bytes().i64(9900), kVarReturnArgument)};
  EXPECT_EQ(format_trace_return(1, "main.foo", ret, o),
            "  >> goroutine(1):frame(3) main.foo => (9900)\n");
  o.follow_calls_frame = 1;
  EXPECT_EQ(format_trace_return(1, "main.foo", ret, o),
            ">> goroutine(1):frame(1) main.foo => (9900)\n");
  o.follow_calls_frame = 0;  // root function not on the stack
  EXPECT_EQ(format_trace_entry(1, "main.foo", foo_args(0), o), "");
}

// gotrace's addition to Delve's return line (trace --durations): the
// call's duration after the values, before any stack block; follow-calls
// indentation is kept.
TEST_F(TraceFormatTest, ReturnDuration) {
  std::vector<Variable> ret = {arg("z", *ty_.int_, Bytes().i64(9900), kVarReturnArgument)};
  TraceOptions o;
  o.duration_ns = 1500;
  EXPECT_EQ(format_trace_return(1, "main.foo", ret, o), ">> goroutine(1): main.foo => (9900) [1.5µs]\n");
  o.follow_calls_frame = 2;
  EXPECT_EQ(format_trace_return(1, "main.foo", ret, o), " >> goroutine(1):frame(2) main.foo => (9900) [1.5µs]\n");
  o.follow_calls_frame.reset();
  o.duration_ns = 20'000'000;
  o.stack = std::vector<StackFrame>{{0x49b5fe, "main.foo", "./prog.go", 18}};
  EXPECT_EQ(format_trace_return(1, "main.foo", ret, o),
            ">> goroutine(1): main.foo => (9900) [20ms]\n"
            "\tStack:\n"
            "\t\t0  0x000000000049b5fe in main.foo\n"
            "\t\t     at ./prog.go:18\n"
            "\t\t(truncated)\n");
  // An entry line never carries one.
  EXPECT_EQ(format_trace_entry(1, "main.foo", foo_args(0), TraceOptions{.duration_ns = 5}),
            "> goroutine(1): main.foo(99, 9801)\n");
}

// Delve 1.27.2's own cases (service/api/shorten_type_test.go).
TEST(ShortenType, DelvesCases) {
  const std::pair<const char*, const char*> cases[] = {
      {"long/package/path/pkg.A", "pkg.A"},
      {"[]long/package/path/pkg.A", "[]pkg.A"},
      {"map[long/package/path/pkg.A]long/package/path/pkg.B", "map[pkg.A]pkg.B"},
      {"map[long/package/path/pkg.A]interface {}", "map[pkg.A]interface {}"},
      {"map[long/package/path/pkg.A]interface{}", "map[pkg.A]interface{}"},
      {"map[long/package/path/pkg.A]struct {}", "map[pkg.A]struct {}"},
      {"map[long/package/path/pkg.A]struct{}", "map[pkg.A]struct{}"},
      {"map[long/package/path/pkg.A]map[long/package/path/pkg.B]long/package/path/pkg.C", "map[pkg.A]map[pkg.B]pkg.C"},
      {"map[long/package/path/pkg.A][]long/package/path/pkg.B", "map[pkg.A][]pkg.B"},
      {"map[uint64]*github.com/aarzilli/dwarf5/dwarf.typeUnit", "map[uint64]*dwarf.typeUnit"},
      {"uint8", "uint8"},
      {"encoding/binary", "encoding/binary"},
      {"*github.com/go-delve/delve/pkg/proc.Target", "*proc.Target"},
      {"long/package/path/pkg.Parametric[long/package/path/pkg.A, map[long/package/path/pkg.B]long/package/path/pkg.A]",
       "pkg.Parametric[pkg.A, map[pkg.B]pkg.A]"},
      {"[]long/package/path/pkg.Parametric[long/package/path/pkg.A]", "[]pkg.Parametric[pkg.A]"},
      {"[24]long/package/path/pkg.A", "[24]pkg.A"},
      {"chan func()", "chan func()"},
      // Generic arguments are joined again with ", ".
      {"main.Pair[go.shape.string,go.shape.int]", "main.Pair[go.shape.string, go.shape.int]"},
      {"struct { a int }", "struct { a int }"},
  };
  for (const auto& [in, want] : cases) EXPECT_EQ(shorten_type(in), want) << in;
}

TEST(FormatDuration, GoUnitsRoundedToThreeDecimals) {
  EXPECT_EQ(format_duration(0), "0s");
  EXPECT_EQ(format_duration(1), "1ns");
  EXPECT_EQ(format_duration(999), "999ns");
  EXPECT_EQ(format_duration(1000), "1µs");
  EXPECT_EQ(format_duration(1001), "1.001µs");
  EXPECT_EQ(format_duration(14'201), "14.201µs");
  EXPECT_EQ(format_duration(999'999), "999.999µs");
  EXPECT_EQ(format_duration(1'000'000), "1ms");
  EXPECT_EQ(format_duration(5'186'400), "5.186ms");
  EXPECT_EQ(format_duration(5'186'600), "5.187ms");
  EXPECT_EQ(format_duration(999'999'499), "999.999ms");
  EXPECT_EQ(format_duration(999'999'500), "1s");  // not "1000ms"
  EXPECT_EQ(format_duration(2'250'000'000), "2.25s");
  EXPECT_EQ(format_duration(59'999'400'000), "59.999s");
  EXPECT_EQ(format_duration(59'999'600'000), "1m0s");
  EXPECT_EQ(format_duration(90'500'000'000), "1m30.5s");
  EXPECT_EQ(format_duration(7'200'000'000'000), "2h0m0s");
}

const std::vector<StackFrame> kFooEntryStack = {
    {0x49b5c0, "main.foo", "./prog.go", 16},
    {0x49b9f5, "main.main", "./prog.go", 46},
    {0x43a138, "runtime.main", "$GOROOT/src/runtime/proc.go", 250}};

TEST_F(TraceFormatTest, StackWithResultsFromTranscript) {
  TraceOptions o;
  o.stack = kFooEntryStack;
  std::vector<Variable> args = {arg("x", *ty_.int_, Bytes().i64(0), kVarArgument),
                                arg("y", *ty_.int_, Bytes().i64(10), kVarArgument),
                                arg("z", *ty_.int_, Bytes().i64(0), kVarReturnArgument)};
  EXPECT_EQ(format_trace_entry(1, "main.foo", args, o),
            "> goroutine(1): main.foo(0, 10)\n"
            "\n"
            "\tStack:\n"
            "\t\t0  0x000000000049b5c0 in main.foo\n"
            "\t\t     at ./prog.go:16\n"
            "\t\t1  0x000000000049b9f5 in main.main\n"
            "\t\t     at ./prog.go:46\n"
            "\t\t2  0x000000000043a138 in runtime.main\n"
            "\t\t     at $GOROOT/src/runtime/proc.go:250\n"
            "\t\t(truncated)\n");
  o.stack = std::vector<StackFrame>{{0x49b5fe, "main.foo", "./prog.go", 18}};
  std::vector<Variable> ret = {arg("z", *ty_.int_, Bytes().i64(1), kVarReturnArgument)};
  EXPECT_EQ(format_trace_return(1, "main.foo", ret, o),
            ">> goroutine(1): main.foo => (1)\n"
            "\tStack:\n"
            "\t\t0  0x000000000049b5fe in main.foo\n"
            "\t\t     at ./prog.go:18\n"
            "\t\t(truncated)\n");
}

TEST_F(TraceFormatTest, StackWithoutResultsPrintedTwice) {
  TraceOptions o;
  o.stack = std::vector<StackFrame>{
      {0x49b70f, "main.worker", "./prog.go", 31},
      {0x49bdd9, "main.main.func1", "./prog.go", 52}};
  std::vector<Variable> args = {
      arg("id", *ty_.int_, Bytes().i64(1), kVarArgument),
      arg("wg", *ty_.ptr_wait_group, Bytes().u64(0xc0000aa000), kVarArgument)};
  const std::string block =
      "\tStack:\n"
      "\t\t0  0x000000000049b70f in main.worker\n"
      "\t\t     at ./prog.go:31\n"
      "\t\t1  0x000000000049bdd9 in main.main.func1\n"
      "\t\t     at ./prog.go:52\n"
      "\t\t(truncated)\n";
  EXPECT_EQ(format_trace_entry(19, "main.worker", args, o),
            "> goroutine(19): main.worker(1, (*sync.WaitGroup)(0xc0000aa000))\n" +
                block + block);
}

TEST_F(TraceFormatTest, StackIndexWidthAndBottom) {
  std::vector<StackFrame> frames;
  for (int i = 0; i < 11; ++i) frames.push_back({0x1000u + i, "f", "a.go", i});
  frames[3].error = "bad frame";
  std::string s = format_stack_block(frames, true);
  EXPECT_TRUE(s.starts_with(
      "\tStack:\n\t\t 0  0x0000000000001000 in f\n\t\t      at a.go:0\n"
      "\t\t 1  0x"))
      << s;
  EXPECT_NE(s.find("\t\t      error: bad frame\n"), std::string::npos);
  EXPECT_NE(s.find("\t\t10  0x000000000000100a in f\n"), std::string::npos);
  EXPECT_EQ(s.find("(truncated)"), std::string::npos);
}

// Delve's default stack colours: the function and, from its base name on,
// the file and line in bold.
TEST_F(TraceFormatTest, StackColors) {
  std::vector<StackFrame> frames = {{0x49b5fe, "main.foo", "/src/prog/main.go", 18}, {0x1, "g", "x.go", 2}};
  EXPECT_EQ(format_stack_block(frames, true, true),
            "\tStack:\n"
            "\t\t0  0x000000000049b5fe in \033[1mmain.foo\033[0m\n"
            "\t\t     at /src/prog/\033[1mmain.go:18\033[0m\n"
            "\t\t1  0x0000000000000001 in \033[1mg\033[0m\n"
            "\t\t     at \033[1mx.go:2\033[0m\n");
}

TEST_F(TraceFormatTest, NamedBreakpointPrefix) {
  TraceOptions o;
  o.bp_name = "[mybp] ";
  EXPECT_EQ(format_trace_entry(1, "main.foo", foo_args(0), o),
            "> goroutine(1): [mybp] main.foo(99, 9801)\n");
}

}  // namespace
}  // namespace gotrace::values
