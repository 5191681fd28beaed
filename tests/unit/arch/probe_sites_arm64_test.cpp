// arm64 probe sites on real Go 1.19.8 code (bytes in arm64_code.h) plus
// hand-assembled edge cases.
#include "gotrace/arch/probe_sites.h"

#include "arm64_code.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <initializer_list>
#include <vector>

namespace gotrace::arch {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

Result<ProbeSites> sites(std::span<const uint8_t> code, uint64_t addr,
                         uint64_t deferreturn = 0) {
  return find_probe_sites(Machine::arm64, code, addr, deferreturn);
}

std::vector<uint8_t> words(std::initializer_list<uint32_t> ws) {
  std::vector<uint8_t> out;
  for (uint32_t w : ws) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(w >> (8 * i)));
  }
  return out;
}

void expect_branch(const EntrySite& e, uint64_t addr, BranchCond cond = BranchCond::arm64_ls) {
  EXPECT_EQ(e.kind, EntryKind::stack_check_branch);
  EXPECT_EQ(e.address, addr);
  EXPECT_EQ(e.cond, cond);
}

TEST(ProbeSitesArm64, NosplitLeafProbesFirstInstruction) {
  // main.bools: TBZ ...; RET; two zero padding words.
  auto r = sites(arm64_code::kBoolsCode, arm64_code::kBoolsAddr);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->entry.kind, EntryKind::first_instruction);
  EXPECT_EQ(r->entry.address, 0x8f720u);
  EXPECT_EQ(r->entry.cond, BranchCond::none);
  EXPECT_THAT(r->returns, ElementsAre(0x8f734u));
}

TEST(ProbeSitesArm64, SmallFrameStackCheck) {
  // MOVD 16(R28), R16; CMP R16, RSP; BLS morestack.
  auto r = sites(arm64_code::kStrsCode, arm64_code::kStrsAddr);
  ASSERT_TRUE(r) << r.error().message;
  expect_branch(r->entry, 0x8f748);
  EXPECT_THAT(r->returns, ElementsAre(0x8f798u));
}

TEST(ProbeSitesArm64, SeveralReturns) {
  auto r = sites(arm64_code::kErrsCode, arm64_code::kErrsAddr);
  ASSERT_TRUE(r) << r.error().message;
  expect_branch(r->entry, 0x8f898);
  EXPECT_THAT(r->returns, ElementsAre(0x8f8e0u, 0x8f8f4u));

  auto m = sites(arm64_code::kMaxIntCode, arm64_code::kMaxIntAddr);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->entry.kind, EntryKind::first_instruction);
  EXPECT_THAT(m->returns, ElementsAre(0x8ff5cu, 0x8ff64u));
}

TEST(ProbeSitesArm64, LargeFrameSubR17) {
  // MOVD 16(R28), R16; SUB $512, RSP, R17; CMP R16, R17; BLS.
  auto r = sites(arm64_code::kLargeCode, arm64_code::kLargeAddr);
  ASSERT_TRUE(r) << r.error().message;
  expect_branch(r->entry, 0x6612c);
  EXPECT_THAT(r->returns, ElementsAre(0x661d4u));
}

TEST(ProbeSitesArm64, HugeFrameProbesTheFinalBls) {
  // MOVD 16(R28), R16; MOVD $9920, R27; SUBS R27, RSP, R17; BLO ms;
  // CMP R16, R17; BLS ms.
  auto r = sites(arm64_code::kHugeCode, arm64_code::kHugeAddr);
  ASSERT_TRUE(r) << r.error().message;
  expect_branch(r->entry, 0x66214);
  EXPECT_THAT(r->returns, ElementsAre(0x662c8u));
}

TEST(ProbeSitesArm64, OpenCodedDefer) {
  auto r = sites(arm64_code::kGuardedOCode, arm64_code::kGuardedOAddr,
                 arm64_code::kDeferreturnO);
  ASSERT_TRUE(r) << r.error().message;
  expect_branch(r->entry, 0x8f528);
  EXPECT_THAT(r->returns, ElementsAre(0x8f590u, 0x8f5a4u));
  EXPECT_THAT(r->deferreturns, ElementsAre(0x8f594u));
}

TEST(ProbeSitesArm64, UnoptimizedDeferHasTwoDeferreturnCalls) {
  auto r = sites(arm64_code::kGuardedNCode, arm64_code::kGuardedNAddr,
                 arm64_code::kDeferreturnN);
  ASSERT_TRUE(r) << r.error().message;
  expect_branch(r->entry, 0xa12ec);
  EXPECT_THAT(r->returns, ElementsAre(0xa1364u, 0xa1378u));
  EXPECT_THAT(r->deferreturns, ElementsAre(0xa1354u, 0xa1368u));
}

TEST(ProbeSitesArm64, BloAfterCompare) {
  auto code = words({
      0xf9400b90,  // 0x00 ldr x16, [x28, #16]
      0xeb3063ff,  // 0x04 cmp sp, x16
      0x54000043,  // 0x08 b.lo 0x10
      0xd65f03c0,  // 0x0c ret
      0x94000000,  // 0x10 bl 0x10 (stands in for morestack)
      0x17fffffb,  // 0x14 b 0x00 (back to the entry)
  });
  auto r = sites(code, 0x1000);
  ASSERT_TRUE(r) << r.error().message;
  expect_branch(r->entry, 0x1008, BranchCond::arm64_lo);
  EXPECT_THAT(r->returns, ElementsAre(0x100cu));
}

TEST(ProbeSitesArm64, BranchBackBeyondTheCheckIsNotAStackCheck) {
  auto code = words({
      0xf9400b90,  // ldr x16, [x28, #16]
      0xeb3063ff,  // cmp sp, x16
      0x54000049,  // b.ls 0x10
      0xd65f03c0,  // ret
      0x94000000,  // bl
      0x17ffffff,  // b 0x10 (loops inside the block, not to the check)
  });
  auto r = sites(code, 0x2000);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->entry.kind, EntryKind::first_instruction);
}

TEST(ProbeSitesArm64, RetThroughOtherRegister) {
  auto code = words({0xaa0103e0, 0xd65f0200});  // mov x0, x1; ret x16
  auto r = sites(code, 0x3000);
  ASSERT_TRUE(r);
  EXPECT_THAT(r->returns, ElementsAre(0x3004u));
}

TEST(ProbeSitesArm64, BlToDeferreturnBackwards) {
  // bl -0x100 at 0x4004 targets 0x3f04.
  auto code = words({0xd503201f, 0x97ffffc0, 0xd65f03c0});
  auto r = sites(code, 0x4000, 0x3f04);
  ASSERT_TRUE(r);
  EXPECT_THAT(r->deferreturns, ElementsAre(0x4004u));
}

TEST(ProbeSitesArm64, NoRetHasAnEntryAndNoReturns) {
  auto r = sites(words({0xd503201f, 0x94000000}), 0x5000);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->entry.address, 0x5000u);
  EXPECT_TRUE(r->returns.empty());
}

TEST(ProbeSitesArm64, PartialWordIsCorrupt) {
  const std::vector<uint8_t> code = {0xc0, 0x03, 0x5f, 0xd6, 0x00, 0x00};
  auto r = sites(code, 0x6000);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::corrupt);
}

TEST(EntryBranchTaken, Arm64Flags) {
  constexpr uint64_t N = 1ull << 31, Z = 1ull << 30, C = 1ull << 29;
  EXPECT_FALSE(entry_branch_taken(BranchCond::arm64_ls, C));      // HI: SP above guard
  EXPECT_TRUE(entry_branch_taken(BranchCond::arm64_ls, 0));       // borrow
  EXPECT_TRUE(entry_branch_taken(BranchCond::arm64_ls, C | Z));   // equal
  EXPECT_TRUE(entry_branch_taken(BranchCond::arm64_lo, N));
  EXPECT_FALSE(entry_branch_taken(BranchCond::arm64_lo, C | Z));
}

}  // namespace
}  // namespace gotrace::arch
