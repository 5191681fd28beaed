#include "gotrace/arch/stack_abi.h"
#include "gotrace/support/go_release.h"

#include <gtest/gtest.h>

namespace gotrace::arch {
namespace {

AbiType scalar(AbiType::Kind k, uint64_t size) {
  AbiType t;
  t.kind = k;
  t.size = t.align = size;
  return t;
}

std::vector<int64_t> offsets(const std::vector<ValueLocation>& locs) {
  std::vector<int64_t> out;
  for (const auto& l : locs) {
    EXPECT_TRUE(l.on_stack);
    EXPECT_TRUE(l.pieces.empty());
    out.push_back(l.stack_offset);
  }
  return out;
}

// func f(a int8, b int64, c float32, s string) (r1 bool, r2 float64): as
// Go 1.16's compiler laid it out, from the first argument slot (8(SP) on
// amd64 past the return address, 8(SP) on arm64 past the saved LR).
TEST(StackAbi, ArgumentsThenPointerAlignedResults) {
  AbiType str = scalar(AbiType::Kind::string, 16);
  str.align = 8;
  std::vector<AbiType> in = {scalar(AbiType::Kind::integer, 1), scalar(AbiType::Kind::integer, 8),
                             scalar(AbiType::Kind::floating, 4), str};
  std::vector<AbiType> out = {scalar(AbiType::Kind::integer, 1), scalar(AbiType::Kind::floating, 8)};
  for (Machine m : {Machine::amd64, Machine::arm64}) {
    FrameLayout f = assign_stack_frame(m, in, out);
    int64_t base = stack_args_offset(m);
    EXPECT_EQ(offsets(f.params), (std::vector<int64_t>{base + 0, base + 8, base + 16, base + 24}));
    // Arguments end at 40: results start there (already 8-aligned); the
    // float64 after the bool goes to 48.
    EXPECT_EQ(offsets(f.results), (std::vector<int64_t>{base + 40, base + 48}));
    EXPECT_EQ(f.stack_args_size, 56u);
  }
}

TEST(StackAbi, ResultsStartPointerAligned) {
  std::vector<AbiType> in = {scalar(AbiType::Kind::integer, 4)};
  std::vector<AbiType> out = {scalar(AbiType::Kind::integer, 4)};
  FrameLayout f = assign_stack_frame(Machine::amd64, in, out);
  EXPECT_EQ(offsets(f.params), (std::vector<int64_t>{8}));
  EXPECT_EQ(offsets(f.results), (std::vector<int64_t>{16}));
}

TEST(StackAbi, RegisterAbiReleases) {
  EXPECT_FALSE(uses_register_abi(Machine::amd64, "go1.16.15"));
  EXPECT_TRUE(uses_register_abi(Machine::amd64, "go1.17"));
  EXPECT_TRUE(uses_register_abi(Machine::amd64, "go1.19.8"));
  EXPECT_FALSE(uses_register_abi(Machine::arm64, "go1.17.13"));
  EXPECT_TRUE(uses_register_abi(Machine::arm64, "go1.18.1"));
  EXPECT_TRUE(uses_register_abi(Machine::arm64, "go1.25rc1"));
  EXPECT_FALSE(uses_register_abi(Machine::amd64, "go1.9.7"));
  // Unknown: a release gotrace's tables know, all of them register-ABI.
  EXPECT_TRUE(uses_register_abi(Machine::amd64, ""));
  EXPECT_TRUE(uses_register_abi(Machine::amd64, "devel +abcdef"));
  // A development toolchain names its base release after "devel".
  EXPECT_FALSE(uses_register_abi(Machine::amd64, "devel go1.16-abcdef Mon Jan 1"));
}

// The one Go release parser (support/go_release.h) every reader uses.
TEST(GoRelease, MinorWhereverTheVersionNamesIt) {
  EXPECT_EQ(go_minor("go1.19.8"), 19);
  EXPECT_EQ(go_minor("go1.27.3"), 27);
  EXPECT_EQ(go_minor("go1.21rc2"), 21);
  EXPECT_EQ(go_minor("devel go1.23-abcdef +0000"), 23);
  EXPECT_EQ(go_minor("Go cmd/compile go1.26.8; regabi"), 26);
  EXPECT_EQ(go_minor("go1."), std::nullopt);
  EXPECT_EQ(go_minor(""), std::nullopt);
  EXPECT_EQ(go_minor("go2.0"), std::nullopt);
}

}  // namespace
}  // namespace gotrace::arch
