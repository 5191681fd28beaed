// Where the optimizer inlined a function (DWARF inlined subroutines).
#include "fixture_dir.h"
#include "gotrace/symbols/binary.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace gotrace::symbols {
namespace {

std::string fixture(const std::string& name) { return gotrace::testing::fixture_dir() + "/" + name; }

// -O: scale has no out-of-line copy, one inlined copy in each caller; at
// each copy's first pc its x is located (k became a constant and has no
// entry).
TEST(InlinedCalls, OptimizedBuild) {
  auto bin = Binary::open(fixture("inline-O"));
  ASSERT_TRUE(bin) << bin.error().message;
  const Binary& b = **bin;
  EXPECT_EQ(b.find_function("main.scale"), nullptr);
  std::vector<std::string> names = b.inlined_names();
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_NE(std::find(names.begin(), names.end(), "main.scale"), names.end());
  std::vector<uint64_t> pcs = b.inlined_calls("main.scale");
  ASSERT_EQ(pcs.size(), 2u);
  EXPECT_LT(pcs[0], pcs[1]);
  const char* callers[] = {"main.twice", "main.thrice"};
  for (size_t i = 0; i < 2; i++) {
    const Function* caller = b.function_at(pcs[i]);
    ASSERT_NE(caller, nullptr);
    EXPECT_EQ(caller->name, callers[i]);
    auto vars = b.variables_at(*caller, pcs[i]);
    ASSERT_TRUE(vars) << vars.error().message;
    ASSERT_EQ(vars->size(), 1u) << callers[i];
    EXPECT_EQ((*vars)[0].var.name, "x");
    EXPECT_TRUE((*vars)[0].is_param);
  }
  EXPECT_TRUE(b.inlined_calls("main.nosuch").empty());
}

// -N -l inlines nothing of the program's.
TEST(InlinedCalls, DebugBuildHasNone) {
  auto bin = Binary::open(fixture("inline-N"));
  ASSERT_TRUE(bin);
  EXPECT_TRUE((*bin)->inlined_calls("main.scale").empty());
  EXPECT_NE((*bin)->find_function("main.scale"), nullptr);
}

// Without DWARF nothing is known.
TEST(InlinedCalls, StrippedBinaryHasNone) {
  auto bin = Binary::open(fixture("demo-stripped"));
  ASSERT_TRUE(bin);
  EXPECT_TRUE((*bin)->inlined_names().empty());
}

}  // namespace
}  // namespace gotrace::symbols
