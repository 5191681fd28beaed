// Output for CI jobs (issue 7): JSON Lines, a per-function summary, bounded
// runs, and the target's exit status as gotrace's own.
#include "harness.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <re2/re2.h>

#include <cstdint>
#include <string>
#include <vector>

namespace gotrace::itest {
namespace {
namespace json = boost::json;

// The expected event without its run-dependent fields (time, pid,
// duration_ns), which are checked separately.
json::value scrubbed(json::object o) {
  o.erase("time");
  o.erase("pid");
  o.erase("duration_ns");
  return o;
}

json::value arg(const char* name, const char* type, json::value value, const char* text) {
  return json::object{{"name", name}, {"type", type}, {"value", std::move(value)}, {"text", text}};
}

TEST(TraceOutput, JsonLinesParseBackFieldByField) {
  require_root();
  RunResult r = run({gotrace(), "trace", "--format=json", "--exec", fixture("demo-N"), R"(main\.(square|describe)$)"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "home@1,2 14\n");
  std::vector<std::string> ls = lines(r.err);
  ASSERT_EQ(ls.size(), 9u) << r.err;
  int pid = 0;
  ASSERT_TRUE(RE2::FullMatch(ls.back(), R"(Process (\d+) has exited with status 0)", &pid)) << ls.back();
  ls.pop_back();

  std::vector<json::value> want;
  for (int n = 1; n <= 3; n++) {
    json::value a = arg("n", "int", n, std::to_string(n).c_str());
    want.push_back(json::object{{"goroutine", 1}, {"function", "main.square"}, {"kind", "entry"}, {"args", json::array{a}}});
    want.push_back(json::object{{"goroutine", 1}, {"function", "main.square"}, {"kind", "return"},
                                {"results", json::array{arg("~r0", "int", n * n, std::to_string(n * n).c_str())}},
                                {"args", json::array{a}}});
  }
  json::object tags = arg("tags", "[]string", json::array{"a", "b"}, R"([]string len: 2, cap: 2, ["a","b"])").as_object();
  tags["len"] = 2;
  tags["cap"] = 2;
  json::array dargs{arg("p", "main.Point", json::object{{"X", 1}, {"Y", 2}, {"Name", "home"}},
                        R"(main.Point {X: 1, Y: 2, Name: "home"})"),
                    tags};
  json::object str = arg("~r0", "string", "home@1,2", R"("home@1,2")").as_object();
  str["len"] = 8;
  want.push_back(json::object{{"goroutine", 1}, {"function", "main.describe"}, {"kind", "entry"}, {"args", dargs}});
  want.push_back(json::object{{"goroutine", 1}, {"function", "main.describe"}, {"kind", "return"},
                              {"results", json::array{str, arg("~r1", "error", nullptr, "error nil")}},
                              {"args", dargs}});

  std::string last_time;
  for (size_t i = 0; i < ls.size(); i++) {
    json::value v = json::parse(ls[i]);
    ASSERT_TRUE(v.is_object()) << ls[i];
    json::object& o = v.as_object();
    std::string time(o.at("time").as_string());
    EXPECT_TRUE(RE2::FullMatch(time, R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z)")) << time;
    EXPECT_LE(last_time.substr(0, 19), time.substr(0, 19));
    last_time = time;
    EXPECT_EQ(o.at("pid").as_int64(), pid);
    if (o.at("kind") == "return") {
      ASSERT_TRUE(o.at("duration_ns").is_int64() || o.at("duration_ns").is_uint64()) << ls[i];
      EXPECT_GT(o.at("duration_ns").to_number<int64_t>(), 0);
    } else {
      EXPECT_FALSE(o.contains("duration_ns"));
    }
    EXPECT_EQ(scrubbed(o), want[i]) << "event " << i << ": " << ls[i];
  }
}

// Nanoseconds of a Go time.Duration string ("9.444µs", "4.78ms", "12ns").
int64_t go_ns(const std::string& d) {
  double v = 0;
  std::string unit;
  EXPECT_TRUE(RE2::FullMatch(d, R"(([0-9.]+)(ns|µs|ms|s))", &v, &unit)) << d;
  double scale = unit == "ns" ? 1 : unit == "µs" ? 1e3 : unit == "ms" ? 1e6 : 1e9;
  return static_cast<int64_t>(v * scale + 0.5);
}

TEST(TraceOutput, SummaryCountsEveryCall) {
  require_root();
  RunResult r = run({gotrace(), "trace", "--summary", "--exec", fixture("loop-O"), R"(main\.(work|helper)$)",
                     "--", "1000"});
  EXPECT_EQ(r.exit_code, 0) << r.err.substr(0, 2000);
  std::vector<std::string> ls = lines(r.err);
  ASSERT_GE(ls.size(), 4003u);
  // 4,000 trace lines, the exit line, then the table.
  EXPECT_TRUE(RE2::FullMatch(ls[4000], R"(Process \d+ has exited with status 0)")) << ls[4000];
  EXPECT_TRUE(RE2::FullMatch(ls[4001], R"(function +calls +returns +p50 +p90 +p99 +max)")) << ls[4001];
  ASSERT_EQ(ls.size(), 4004u);
  for (int i = 0; i < 2; i++) {
    std::string name, p50, p90, p99, max;
    int calls = 0, returns = 0;
    ASSERT_TRUE(RE2::FullMatch(ls[4002 + i], R"((\S+) +(\d+) +(\d+) +(\S+) +(\S+) +(\S+) +(\S+))", &name, &calls,
                               &returns, &p50, &p90, &p99, &max))
        << ls[4002 + i];
    EXPECT_EQ(name, i == 0 ? "main.helper" : "main.work");
    EXPECT_EQ(calls, 1000);
    EXPECT_EQ(returns, 1000);
    EXPECT_LE(go_ns(p50), go_ns(p90));
    EXPECT_LE(go_ns(p90), go_ns(p99));
    EXPECT_LE(go_ns(p99), go_ns(max));
    EXPECT_GT(go_ns(p50), 0);
  }
  // Columns line up on screen ("µ" is one column, two bytes).
  auto columns = [](const std::string& l) {
    size_t n = 0;
    for (unsigned char c : l) n += (c & 0xc0) != 0x80;
    return n;
  };
  EXPECT_EQ(columns(ls[4001]), columns(ls[4002]));
  EXPECT_EQ(columns(ls[4001]), columns(ls[4003]));
}

// A return line ends at its values, as Delve's; --durations adds the call's
// duration, which JSON always carries: the ticker's time.Sleep(5ms) calls
// last at least 5ms (and far less than 1s).
TEST(TraceOutput, ReturnsCarryTheCallsDurationOnRequest) {
  require_root();
  RunResult plain = run({gotrace(), "trace", "--max-events=2", "--exec", fixture("ticker-O"), R"(^time\.Sleep$)"});
  EXPECT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(lines(plain.err).at(1), ">> goroutine(1): time.Sleep => ()") << plain.err;
  RunResult r = run({gotrace(), "trace", "--durations", "--max-events=4", "--exec", fixture("ticker-O"),
                     R"(^time\.Sleep$)"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> ls = lines(r.err);
  ASSERT_EQ(ls.size(), 5u) << r.err;
  for (int i : {0, 2}) EXPECT_EQ(ls[i], "> goroutine(1): time.Sleep(5000000)");
  for (int i : {1, 3}) {
    double ms = 0;
    ASSERT_TRUE(RE2::FullMatch(ls[i], R"(>> goroutine\(1\): time\.Sleep => \(\) \[(\d+(?:\.\d{1,3})?)ms\])", &ms)) << ls[i];
    EXPECT_GE(ms, 5.0);
    EXPECT_LT(ms, 1000.0);
  }
  EXPECT_TRUE(RE2::FullMatch(ls[4], R"(gotrace: event limit reached; killed process \d+)")) << ls[4];

  r = run({gotrace(), "trace", "--format=json", "--max-events=4", "--exec", fixture("ticker-O"), R"(^time\.Sleep$)"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ls = lines(r.err);
  ASSERT_EQ(ls.size(), 5u) << r.err;
  for (int i : {1, 3}) {
    json::object o = json::parse(ls[i]).as_object();
    EXPECT_EQ(o.at("kind"), "return") << ls[i];
    int64_t ns = o.at("duration_ns").to_number<int64_t>();
    EXPECT_GE(ns, 5'000'000) << ls[i];
    EXPECT_LT(ns, 1'000'000'000) << ls[i];
  }
}

// A start that takes longer than a second is said, with how long it took
// (GOTRACE_PROGRESS_AFTER_MS stands in for a binary large enough to take
// that long); a fast one says nothing (every other test's full output).
TEST(TraceOutput, SlowStartIsSaid) {
  require_root();
  RunResult r = run({"/usr/bin/env", "GOTRACE_PROGRESS_AFTER_MS=0", gotrace(), "trace", "--exec", fixture("demo-O"),
                     R"(main\.square$)"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> ls = lines(normalize(r.err));
  ASSERT_EQ(ls.size(), 9u) << r.err;
  const std::string what = "gotrace: loading " + normalize(fixture("demo-O")) + " and planning the probes";
  EXPECT_EQ(ls[0], what + "...");
  EXPECT_TRUE(RE2::FullMatch(ls[1], RE2::QuoteMeta(what) + R"(: done in \d+\.\d s)")) << ls[1];
  EXPECT_EQ(ls[2], "> goroutine(1): main.square(1)");
  EXPECT_EQ(ls[8], "Process PID has exited with status 0");
}

TEST(TraceOutput, BoundedRunsStopAndKillWhatTheyLaunched) {
  require_root();
  for (const char* flag : {"--exit-on-first", "--max-events=3"}) {
    RunResult r = run({gotrace(), "trace", flag, "--exec", fixture("ticker-O"), R"(main\.tick$)"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "ready\n");
    std::vector<std::string> ls = lines(normalize(r.err));
    std::vector<std::string> want = {"> goroutine(1): main.tick(0)"};
    if (std::string(flag) != "--exit-on-first") {
      want.push_back(">> goroutine(1): main.tick => (1)");
      want.push_back("> goroutine(1): main.tick(1)");
    }
    ASSERT_EQ(ls.size(), want.size() + 1) << r.err;
    int pid = 0;
    ASSERT_TRUE(RE2::FullMatch(ls.back(), R"(gotrace: event limit reached; killed process (\d+))", &pid)) << ls.back();
    ls.pop_back();
    EXPECT_EQ(ls, want) << flag;
    EXPECT_FALSE(pid_alive(pid));
  }
  RunResult bad = run({gotrace(), "trace", "--exit-on-first", "--max-events=2", "--exec", fixture("ticker-O"), "main"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(lines(bad.err).back(), "Error: --exit-on-first and --max-events cannot be used together");
}

// --cond: the kernel drops the calls whose arguments fail the &&-joined
// comparisons (here 9,990 of 10,000: 1 in 1,000 kept); || and the rest are
// checked in user space; returns follow their entries.
TEST(TraceOutput, ConditionKeepsOneCallInAThousand) {
  require_root();
  RunResult r = run({gotrace(), "trace", "--cond", "a < 10", "--exec", fixture("loop-O"), R"(main\.work$)",
                     "--", "10000"});
  EXPECT_EQ(r.exit_code, 0) << r.err.substr(0, 2000);
  std::string want;
  for (int a = 0; a < 10; a++)
    want += "> goroutine(1): main.work(" + std::to_string(a) + ", 1)\n>> goroutine(1): main.work => (" +
            std::to_string(a + 4) + ")\n";
  EXPECT_EQ(normalize(r.err), want + "Process PID has exited with status 0\n");

  r = run({gotrace(), "trace", "--cond", "a == 5 || b != 1 && a > 9000", "--exec", fixture("loop-O"),
           R"(main\.work$)", "--", "10000"});
  EXPECT_EQ(normalize(r.err),
            "> goroutine(1): main.work(5, 1)\n>> goroutine(1): main.work => (9)\nProcess PID has exited with status 0\n");

  r = run({gotrace(), "trace", "--cond", "zzz > 1", "--exec", fixture("loop-O"), R"(main\.work$)"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "Error: invalid --cond \"zzz > 1\": could not find symbol value for zzz in main.work\n");
  r = run({gotrace(), "trace", "--cond", "a >", "--exec", fixture("loop-O"), R"(main\.work$)"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "Error: invalid --cond \"a >\": invalid condition \"a >\": unexpected end\n");
}

TEST(TraceOutput, ExitStatusIsTheTargets) {
  require_root();
  RunResult r = run({gotrace(), "trace", "--exec", fixture("forks-O"), R"(main\.step$)", "--", "exit3"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(normalize(r.err),
            "> goroutine(1): main.step(1)\n>> goroutine(1): main.step => (10)\nProcess PID has exited with status 3\n");
}

}  // namespace
}  // namespace gotrace::itest
