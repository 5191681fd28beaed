// amd64 probe sites on real Go 1.19.8 code (bytes in amd64_code.h) plus
// hand-assembled edge cases.
#include "gotrace/arch/probe_sites.h"

#include "amd64_code.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

namespace gotrace::arch {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

Result<ProbeSites> sites(std::span<const uint8_t> code, uint64_t addr,
                         uint64_t deferreturn = 0) {
  return find_probe_sites(Machine::amd64, code, addr, deferreturn);
}

void expect_branch(const EntrySite& e, uint64_t addr, BranchCond cond = BranchCond::amd64_jbe) {
  EXPECT_EQ(e.kind, EntryKind::stack_check_branch);
  EXPECT_EQ(e.address, addr);
  EXPECT_EQ(e.cond, cond);
}

TEST(ProbeSitesAmd64, NosplitLeafProbesFirstInstruction) {
  // main.bools: TESTL AL, AL; JE; ...; RET — no stack check.
  auto r = sites(amd64_code::kBoolsCode, amd64_code::kBoolsAddr);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->entry.kind, EntryKind::first_instruction);
  EXPECT_EQ(r->entry.address, 0x481280u);
  EXPECT_EQ(r->entry.cond, BranchCond::none);
  EXPECT_THAT(r->returns, ElementsAre(0x48128du));
  EXPECT_THAT(r->deferreturns, IsEmpty());
}

TEST(ProbeSitesAmd64, SmallFrameStackCheck) {
  // main.strs: CMPQ 0x10(R14), SP; JBE 0x4812fd (morestack block, JMP back).
  auto r = sites(amd64_code::kStrsCode, amd64_code::kStrsAddr);
  ASSERT_TRUE(r) << r.error().message;
  expect_branch(r->entry, 0x4812a4);
  EXPECT_THAT(r->returns, ElementsAre(0x4812fcu));
}

TEST(ProbeSitesAmd64, SeveralReturns) {
  auto r = sites(amd64_code::kErrsCode, amd64_code::kErrsAddr);
  ASSERT_TRUE(r) << r.error().message;
  expect_branch(r->entry, 0x481424);
  EXPECT_THAT(r->returns, ElementsAre(0x48146au, 0x481478u));

  auto m = sites(amd64_code::kMaxIntCode, amd64_code::kMaxIntAddr);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->entry.kind, EntryKind::first_instruction);
  EXPECT_THAT(m->returns, ElementsAre(0x481ca8u, 0x481cacu));
}

TEST(ProbeSitesAmd64, LargeFrameLeaR12) {
  // LEAQ -0x1f8(SP), R12; CMPQ 0x10(R14), R12; JBE rel32.
  auto r = sites(amd64_code::kLargeCode, amd64_code::kLargeAddr);
  ASSERT_TRUE(r) << r.error().message;
  expect_branch(r->entry, 0x457c6c);
  EXPECT_THAT(r->returns, ElementsAre(0x457d40u));
}

TEST(ProbeSitesAmd64, HugeFrameProbesTheFinalJbe) {
  // MOVQ SP, R12; SUBQ $n, R12; JB ms; CMPQ 0x10(R14), R12; JBE ms. The JB
  // only fires on underflow and then re-enters, so the JBE sees every entry.
  auto r = sites(amd64_code::kHugeCode, amd64_code::kHugeAddr);
  ASSERT_TRUE(r) << r.error().message;
  expect_branch(r->entry, 0x457d94);
  EXPECT_THAT(r->returns, ElementsAre(0x457e42u));
}

TEST(ProbeSitesAmd64, OpenCodedDeferCallsDeferreturnOnce) {
  auto r = sites(amd64_code::kGuardedOCode, amd64_code::kGuardedOAddr,
                 amd64_code::kDeferreturnO);
  ASSERT_TRUE(r) << r.error().message;
  expect_branch(r->entry, 0x481064);
  EXPECT_THAT(r->returns, ElementsAre(0x4810e7u, 0x4810fbu));
  EXPECT_THAT(r->deferreturns, ElementsAre(0x4810e8u));
}

TEST(ProbeSitesAmd64, UnoptimizedDeferHasTwoDeferreturnCalls) {
  auto r = sites(amd64_code::kGuardedNCode, amd64_code::kGuardedNAddr,
                 amd64_code::kDeferreturnN);
  ASSERT_TRUE(r) << r.error().message;
  expect_branch(r->entry, 0x49afc4);
  EXPECT_THAT(r->returns, ElementsAre(0x49b055u, 0x49b069u));
  EXPECT_THAT(r->deferreturns, ElementsAre(0x49b042u, 0x49b056u));
}

TEST(ProbeSitesAmd64, UnknownDeferreturnFindsNone) {
  auto r = sites(amd64_code::kGuardedNCode, amd64_code::kGuardedNAddr, 0);
  ASSERT_TRUE(r);
  EXPECT_THAT(r->deferreturns, IsEmpty());
}

TEST(ProbeSitesAmd64, RetImm16) {
  // nop; ret 8
  const std::vector<uint8_t> code = {0x90, 0xc2, 0x08, 0x00};
  auto r = sites(code, 0x1000);
  ASSERT_TRUE(r);
  EXPECT_THAT(r->returns, ElementsAre(0x1001u));
}

TEST(ProbeSitesAmd64, StackCheckWithJb) {
  // cmp rsp, [r14+0x10]; jb +7; ret; 6 bytes filler; call rel32 (to self); jmp entry
  const std::vector<uint8_t> code = {
      0x49, 0x3b, 0x66, 0x10,              // 0x00 cmp rsp, [r14+0x10]
      0x72, 0x01,                          // 0x04 jb 0x07
      0xc3,                                // 0x06 ret
      0xe8, 0x00, 0x00, 0x00, 0x00,        // 0x07 call next (stands in for morestack)
      0xeb, 0xf2,                          // 0x0c jmp 0x00
  };
  auto r = sites(code, 0x2000);
  ASSERT_TRUE(r) << r.error().message;
  expect_branch(r->entry, 0x2004, BranchCond::amd64_jb);
  EXPECT_THAT(r->returns, ElementsAre(0x2006u));
}

TEST(ProbeSitesAmd64, CompareWithoutMorestackBlockIsNotAStackCheck) {
  // Same compare, but the branch goes to a plain RET: not Go's prologue.
  const std::vector<uint8_t> code = {
      0x49, 0x3b, 0x66, 0x10,  // cmp rsp, [r14+0x10]
      0x76, 0x01,              // jbe +1
      0xc3,                    // ret
      0xc3,                    // ret
  };
  auto r = sites(code, 0x3000);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->entry.kind, EntryKind::first_instruction);
  EXPECT_EQ(r->entry.address, 0x3000u);
  EXPECT_THAT(r->returns, ElementsAre(0x3006u, 0x3007u));
}

TEST(ProbeSitesAmd64, CompareLaterInTheBodyIsIgnored) {
  // A stack-check-looking pair after ordinary code is not the prologue: the
  // first instruction that is not part of Go's check ends the search.
  const std::vector<uint8_t> code = {
      0x48, 0x01, 0xd8,              // add rax, rbx (x5)
      0x48, 0x01, 0xd8, 0x48, 0x01, 0xd8, 0x48, 0x01, 0xd8, 0x48, 0x01, 0xd8,
      0x49, 0x3b, 0x66, 0x10,        // cmp rsp, [r14+0x10]
      0x76, 0x00,                    // jbe +0
      0xc3,
  };
  auto r = sites(code, 0x4000);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->entry.kind, EntryKind::first_instruction);
}

TEST(ProbeSitesAmd64, NoRetHasAnEntryAndNoReturns) {
  // main.main-style tail: ends in a call that never returns.
  const std::vector<uint8_t> code = {0x48, 0x01, 0xd8, 0xe8, 0x00, 0x00, 0x00, 0x00, 0x90};
  auto r = sites(code, 0x5000);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->entry.address, 0x5000u);
  EXPECT_TRUE(r->returns.empty());
}

TEST(ProbeSitesAmd64, TruncatedInstructionIsCorrupt) {
  // add rax, rbx; then the first 3 bytes of a 5-byte call.
  const std::vector<uint8_t> code = {0x48, 0x01, 0xd8, 0xe8, 0x00, 0x00};
  auto r = sites(code, 0x6000);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::corrupt);
  EXPECT_THAT(r.error().message, HasSubstr("offset 0x3"));
}

TEST(ProbeSitesAmd64, EmptyIsInvalid) {
  auto r = sites({}, 0x7000);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
}

TEST(EntryBranchTaken, Amd64Flags) {
  constexpr uint64_t CF = 1, ZF = 1 << 6, SF = 1 << 7, IF = 1 << 9;
  EXPECT_FALSE(entry_branch_taken(BranchCond::amd64_jbe, IF));
  EXPECT_FALSE(entry_branch_taken(BranchCond::amd64_jbe, IF | SF));
  EXPECT_TRUE(entry_branch_taken(BranchCond::amd64_jbe, IF | CF));
  EXPECT_TRUE(entry_branch_taken(BranchCond::amd64_jbe, IF | ZF));
  EXPECT_TRUE(entry_branch_taken(BranchCond::amd64_jb, CF));
  EXPECT_FALSE(entry_branch_taken(BranchCond::amd64_jb, ZF));
  EXPECT_FALSE(entry_branch_taken(BranchCond::none, CF | ZF));
}

}  // namespace
}  // namespace gotrace::arch
