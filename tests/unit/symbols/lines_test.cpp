#include "fixture.h"

namespace gotrace::symbols {
namespace {

using testing::fixture;

const std::string& kMainGo = testing::types_main_go();

class Lines : public ::testing::TestWithParam<const char*> {
 protected:
  const Binary& bin() { return fixture(GetParam()); }
};

TEST_P(Lines, EntryOfFunction) {
  const Function* f = bin().find_function("main.(*Counter).Add");
  auto l = bin().pc_to_line(f->entry);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->file, kMainGo);
  EXPECT_EQ(l->line, testing::types_line("func (c *Counter) Add("));
  EXPECT_FALSE(bin().pc_to_line(0x10).has_value());
}

TEST_P(Lines, EntryOfIntsIsFuncLineWithoutOptimization) {
  const Function* f = bin().find_function("main.ints");
  auto l = bin().pc_to_line(f->entry);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->file, kMainGo);
  // Optimized leaf functions have no prologue: the entry is the first
  // statement's line.
  int func_line = testing::types_line("func ints(");
  EXPECT_EQ(l->line, std::string(GetParam()) == "types-N" ? func_line : func_line + 1);
}

TEST_P(Lines, LineToPcsInsideFunction) {
  const Function* f = bin().find_function("main.multi");
  const int line = testing::types_line("func multi(");
  auto pcs = bin().line_to_pcs("main.go", line);
  ASSERT_FALSE(pcs.empty());
  EXPECT_TRUE(std::is_sorted(pcs.begin(), pcs.end()));
  EXPECT_EQ(std::adjacent_find(pcs.begin(), pcs.end()), pcs.end());
  for (uint64_t pc : pcs) {
    EXPECT_GE(pc, f->entry);
    EXPECT_LT(pc, f->end);
    auto l = bin().pc_to_line(pc);
    ASSERT_TRUE(l);
    EXPECT_EQ(l->line, line);
  }
  EXPECT_EQ(bin().line_to_pcs("types/main.go", line), pcs);
  EXPECT_EQ(bin().line_to_pcs(kMainGo, line), pcs);
}

TEST_P(Lines, SuffixMatchesOnPathComponents) {
  const int line = testing::types_line("func multi(");
  ASSERT_FALSE(bin().line_to_pcs("main.go", line).empty());
  EXPECT_TRUE(bin().line_to_pcs("ain.go", line).empty());
  EXPECT_TRUE(bin().line_to_pcs("xtypes/main.go", line).empty());
  EXPECT_TRUE(bin().line_to_pcs("other/main.go", line).empty());
  EXPECT_TRUE(bin().line_to_pcs("", line).empty());
  EXPECT_TRUE(bin().line_to_pcs("main.go", 100000).empty());
}

TEST_P(Lines, RuntimeFile) {
  const Function* f = bin().find_function("runtime.casgstatus");
  auto l = bin().pc_to_line(f->entry);
  ASSERT_TRUE(l);
  EXPECT_TRUE(l->file.ends_with("/src/runtime/proc.go")) << l->file;
  auto pcs = bin().line_to_pcs("runtime/proc.go", l->line);
  ASSERT_FALSE(pcs.empty());
  EXPECT_EQ(pcs.front(), f->entry);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, Lines, ::testing::Values("types-O", "types-N"));

}  // namespace
}  // namespace gotrace::symbols
