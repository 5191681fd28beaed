// Map entries (Delve prints them from -v 2 on), on the fixture `maps` built
// by every toolchain of the matrix: classic hash maps (Go 1.19) and Swiss
// tables (1.26, 1.27), on both backends.
//
// Small maps keep their entries in insertion order, so gotrace's argument
// lines are compared byte for byte with Delve 1.27.2's on the same binary
// (return lines differ until issue 18 gives them Delve 1.27's layout).
// Larger maps are laid out by the run's hash seed: every entry shown must be
// a real one, as many as the verbosity asks for, the rest counted.
//
// Known limit (README): the capture copies a classic map's overflow buckets
// of buckets other than the first without what their keys and elements
// point to; those strings print as "(unreadable ... memory not captured)".
#include "fixture_dir.h"
#include "harness.h"

#include <gtest/gtest.h>
#include <re2/re2.h>

#include <set>
#include <string>

namespace gotrace::itest {
namespace {

const char* kDelve = "/usr/local/bin/dlv";

// The entry lines of a trace ("> goroutine(1): main.f(...)"), multi-line
// ones joined.
std::vector<std::string> entry_lines(const std::string& err) {
  std::vector<std::string> out;
  for (const std::string& l : lines(err)) {
    if (l.starts_with("> ")) out.push_back(l);
    else if (!out.empty() && (l.starts_with("\t") || l == ")")) out.back() += "\n" + l;
  }
  return out;
}

std::string entry_of(const std::string& err, const std::string& fn) {
  for (const std::string& e : entry_lines(err))
    if (e.find("main." + fn + "(") != std::string::npos) return e;
  return "";
}

void expect_small_maps_as_delve(const std::string& bin) {
  require_root();
  const char* re = R"(^main\.(small|holes|bigvals)$)";
  RunResult ours = run({gotrace(), "trace", "-v", "2", "--exec", fixture(bin), re});
  RunResult theirs = run({kDelve, "trace", "--check-go-version=false", "-v", "2", "--exec", fixture(bin), re});
  ASSERT_EQ(ours.exit_code, 0) << ours.err;
  ASSERT_EQ(theirs.exit_code, 0) << theirs.err;
  std::vector<std::string> want{
      R"(> goroutine(1): main.small(m: map[string]int ["one": 1, ]))",
      R"(> goroutine(1): main.small(m: map[string]int ["alpha": 5, "beta": 4, "gamma": 5, ]))",
      R"(> goroutine(1): main.holes(m: map[int]int [1: 10, 3: 30, 5: 50, 6: 60, ]))",
      R"(> goroutine(1): main.bigvals(m: map[int][20]int [1: [0,1,2,3,4,...+15 more], 2: [100,101,102,103,104,...+15 more], ]))"};
  EXPECT_EQ(entry_lines(theirs.err), want) << "Delve 1.27.2 itself";
  EXPECT_EQ(entry_lines(ours.err), want);
}

TEST(MapEntries, SmallMapsAsDelvePrintsThemNoOpt) { expect_small_maps_as_delve("maps-N"); }
TEST(MapEntries, SmallMapsAsDelvePrintsThemOptimized) { expect_small_maps_as_delve("maps-O"); }

// At -v 0 and 1 maps print no entries.
TEST(MapEntries, NoEntriesBelowVerbosity2) {
  require_root();
  RunResult r = run({gotrace(), "trace", "--exec", fixture("maps-N"), R"(^main\.(holes)$)"});
  EXPECT_EQ(entry_of(r.err, "holes"), "> goroutine(1): main.holes(map[int]int [...])");
  r = run({gotrace(), "trace", "-v", "1", "--exec", fixture("maps-N"), R"(^main\.(holes)$)"});
  EXPECT_EQ(entry_of(r.err, "holes"), "> goroutine(1): main.holes(m: <map[int]int>)");
}

struct Shown {
  std::set<int> keys;      // distinct entries shown, each checked
  int entries = 0;         // entries shown
  int not_captured = 0;    // entries whose strings the capture did not copy
  int more = 0;            // "...+N more"
};

// The entries of map[int]string{i: "v<i>"} (large) or map[string]int{"w<i>":
// i} (words) in one entry line; every entry shown must be one of the map's.
Shown shown(const std::string& entry, bool words) {
  Shown s;
  re2::StringPiece in(entry);
  const char* pair = words ? R"re((?:"w(\d+)"|(\(unreadable [^)]*\))): (\d+))re"
                            : R"re((\d+): (?:"v(\d+)"|(\(unreadable [^)]*\))))re";
  std::string a, b, c;
  while (RE2::FindAndConsume(&in, pair, &a, &b, &c)) {
    s.entries++;
    std::string unreadable = words ? b : c;
    if (!unreadable.empty()) {
      EXPECT_TRUE(unreadable.find("memory not captured") != std::string::npos) << unreadable;
      s.not_captured++;
      s.keys.insert(std::stoi(words ? c : a));
      continue;
    }
    int key = std::stoi(a), val = std::stoi(words ? c : b);
    EXPECT_EQ(key, val) << entry;
    EXPECT_TRUE(s.keys.insert(key).second) << "entry shown twice: " << key;
  }
  RE2::PartialMatch(entry, R"(\.\.\.\+(\d+) more)", &s.more);
  return s;
}

void expect_large_maps(const std::string& bin) {
  require_root();
  const bool swiss = gotrace::testing::go_minor() >= 24;
  for (auto [verbosity, limit] : {std::pair{2, 5}, std::pair{3, 10}, std::pair{4, 100}}) {
    SCOPED_TRACE("-v " + std::to_string(verbosity));
    RunResult r = run({gotrace(), "trace", "-v", std::to_string(verbosity), "--exec", fixture(bin),
                       R"(^main\.(large|words)$)"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (auto [fn, n] : {std::pair{"large", 40}, std::pair{"words", 12}}) {
      SCOPED_TRACE(fn);
      std::string e = entry_of(r.err, fn);
      Shown s = shown(e, std::string(fn) == "words");
      EXPECT_EQ(s.more, n - s.entries) << e;
      // Delve's loadMap stops after its fourth unreadable entry; only a
      // classic map's uncaptured overflow strings make them here.
      if (swiss || s.not_captured <= 3) EXPECT_EQ(s.entries, std::min(limit, n)) << e;
      EXPECT_EQ(static_cast<int>(s.keys.size()), s.entries) << e;
      for (int k : s.keys) EXPECT_TRUE(k >= 0 && k < n) << k;
      // Swiss tables: everything the walk reaches is captured.
      if (swiss) EXPECT_EQ(s.not_captured, 0) << e;
    }
  }
}

TEST(MapEntries, LargeMapsShowRealEntriesUpToTheLimitNoOpt) { expect_large_maps("maps-N"); }
TEST(MapEntries, LargeMapsShowRealEntriesUpToTheLimitOptimized) { expect_large_maps("maps-O"); }

}  // namespace
}  // namespace gotrace::itest
