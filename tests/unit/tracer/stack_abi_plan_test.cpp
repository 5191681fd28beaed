// Planning for binaries built before the register ABI (amd64 before Go
// 1.17): no such toolchain is installed here, so a copy of a fixture says it
// was built by go1.16.9 and the plan is checked, not run.
#include "fixture_dir.h"
#include "site_plan.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace gotrace::tracer {
namespace {

std::string fixture(const std::string& name) { return gotrace::testing::fixture_dir() + "/" + name; }

// types-N with its .go.buildinfo version rewritten in place (same length:
// "go1.26.8" becomes "go1.16.8").
std::unique_ptr<symbols::Binary> as_go116() {
  std::ifstream in(fixture("types-N"), std::ios::binary);
  std::string bytes{std::istreambuf_iterator<char>(in), {}};
  size_t info = bytes.find("\xff Go buildinf:");
  EXPECT_NE(info, std::string::npos);
  const std::string release = gotrace::testing::go_version().substr(0, 6);  // "go1.26"
  size_t at = bytes.find(release, info);
  EXPECT_LT(at - info, 64u);
  if (info == std::string::npos || at == std::string::npos) return nullptr;
  bytes.replace(at, 6, "go1.16");
  auto path = std::filesystem::path(gotrace::testing::fixture_dir()) / "tracer_test_types-go116";
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  auto bin = symbols::Binary::open(path.string());
  EXPECT_TRUE(bin) << bin.error().message;
  return std::move(*bin);
}

struct Word {
  int kind, reg, count, off;
  bool operator==(const Word&) const = default;
};
std::vector<Word> words(const gt_spec& s) {
  std::vector<Word> out;
  for (unsigned i = 0; i < s.n_word_ops; i++)
    out.push_back({s.words[i].kind, s.words[i].reg, s.words[i].count, s.words[i].stack_off});
  return out;
}

// func ints(a int, b int8, c int16, d int32, e int64) int64: each argument at
// its alignment from 8(SP), the result at the next pointer-aligned offset;
// g from thread-local storage on every site.
TEST(StackAbiPlan, ArgumentsAndResultsOnTheStack) {
  auto bin = as_go116();
  ASSERT_NE(bin, nullptr);
  ASSERT_EQ(bin->go_version().substr(0, 6), "go1.16");
  const symbols::Function* fn = bin->find_function("main.ints");
  ASSERT_NE(fn, nullptr);
  auto plan = plan_function(*bin, *fn, TraceOptions{});
  ASSERT_TRUE(plan) << plan.error().message;
  ASSERT_GE(plan->sites.size(), 2u);
  const PlannedSite& entry = plan->sites[0];
  EXPECT_EQ(words(entry.spec), (std::vector<Word>{{GT_WORD_STACK, 0, 1, 8},
                                                  {GT_WORD_STACK, 0, 1, 16},
                                                  {GT_WORD_STACK, 0, 1, 18},
                                                  {GT_WORD_STACK, 0, 1, 20},
                                                  {GT_WORD_STACK, 0, 1, 24}}));
  EXPECT_EQ(entry.spec.flags & GT_SPEC_G_FROM_TLS, GT_SPEC_G_FROM_TLS);
  for (size_t i = 1; i < plan->sites.size(); i++) {
    const PlannedSite& ret = plan->sites[i];
    EXPECT_TRUE(ret.info.is_return);
    EXPECT_EQ(words(ret.spec), (std::vector<Word>{{GT_WORD_STACK, 0, 1, 32}}));
    EXPECT_EQ(ret.spec.flags, GT_SPEC_RETURN | GT_SPEC_G_FROM_TLS);
  }
  // The same binary as go1.19 keeps them in registers, g in R14.
  auto now = symbols::Binary::open(fixture("types-N"));
  ASSERT_TRUE(now);
  auto regs = plan_function(**now, *(*now)->find_function("main.ints"), TraceOptions{});
  ASSERT_TRUE(regs);
  EXPECT_EQ(words(regs->sites[0].spec), (std::vector<Word>{{GT_WORD_REG, 0, 0, 0},
                                                          {GT_WORD_REG, 3, 0, 0},
                                                          {GT_WORD_REG, 2, 0, 0},
                                                          {GT_WORD_REG, 5, 0, 0},
                                                          {GT_WORD_REG, 4, 0, 0}}));
  EXPECT_EQ(regs->sites[0].spec.flags & GT_SPEC_G_FROM_TLS, 0);
}

}  // namespace
}  // namespace gotrace::tracer
