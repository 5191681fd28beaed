// Step-over plans on real amd64 instruction bytes (Go 1.19 code from
// amd64_code.h and hand-assembled cases), their effect on a thread with fake
// memory, and displaced copies run on this CPU.
#include "gotrace/arch/step_over.h"

#include "amd64_code.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/mman.h>

#include <array>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace gotrace::arch {
namespace {

using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using Kind = StepOver::Kind;
using Bytes = std::vector<uint8_t>;

constexpr int kRax = 0, kRdx = 1, kRcx = 2, kRbx = 3, kRsp = 7, kR11 = 11, kR12 = 12,
              kR13 = 13;

Result<StepOver> plan(const Bytes& code, uint64_t address, uint64_t slot) {
  return plan_step_over(Machine::amd64, code, address, slot);
}

void expect_plan(const StepOver& got, const StepOver& want) {
  EXPECT_EQ(got.kind, want.kind);
  EXPECT_EQ(got.length, want.length);
  EXPECT_EQ(got.next, want.next);
  EXPECT_EQ(got.target, want.target);
  EXPECT_EQ(got.cond, want.cond);
  EXPECT_EQ(got.ret_pop, want.ret_pop);
  EXPECT_EQ(got.operand.is_memory, want.operand.is_memory);
  EXPECT_EQ(got.operand.reg, want.operand.reg);
  EXPECT_EQ(got.operand.index, want.operand.index);
  EXPECT_EQ(got.operand.scale, want.operand.scale);
  EXPECT_EQ(got.operand.disp, want.operand.disp);
  EXPECT_THAT(got.code, ElementsAreArray(want.code));
}

void expect_plans(const Bytes& code, uint64_t address, uint64_t slot, const StepOver& want) {
  auto r = plan(code, address, slot);
  ASSERT_TRUE(r) << r.error().message;
  expect_plan(*r, want);
}

Bytes concat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// With the slot 0x1000 after the site, the jump from slot+len back to
// address+len is always jmp -0x1005.
constexpr uint64_t kAfter = 0x1000;
const Bytes kJumpBack = {0xe9, 0xfb, 0xef, 0xff, 0xff};

// `bytes` at `at`, slot kAfter further on: the slot gets `copy`, jump back.
void expect_displaced(const Bytes& bytes, uint64_t at, const Bytes& copy) {
  auto len = static_cast<uint8_t>(bytes.size());
  expect_plans(bytes, at, at + kAfter,
               {.kind = Kind::displaced, .length = len, .next = at + len,
                .code = concat(copy, kJumpBack)});
}

// --- displaced ----------------------------------------------------------------

TEST(StepOverPlan, GoPrologueAndBodyInstructionsAreDisplacedVerbatim) {
  const std::vector<std::pair<const char*, Bytes>> cases = {
      {"CMPQ 0x10(R14), SP", {0x49, 0x3b, 0x66, 0x10}},
      {"LEAQ -0x1f8(SP), R12", {0x4c, 0x8d, 0xa4, 0x24, 0x08, 0xfe, 0xff, 0xff}},
      {"CMPQ 0x10(R14), R12", {0x4d, 0x3b, 0x66, 0x10}},
      {"MOVQ SP, R12", {0x49, 0x89, 0xe4}},
      {"SUBQ $0x26b8, R12", {0x49, 0x81, 0xec, 0xb8, 0x26, 0x00, 0x00}},
      {"SUBQ $0x30, SP", {0x48, 0x83, 0xec, 0x30}},
      {"SUBQ $0x278, SP", {0x48, 0x81, 0xec, 0x78, 0x02, 0x00, 0x00}},
      {"ADDQ $-0x80, SP", {0x48, 0x83, 0xc4, 0x80}},
      {"MOVQ BP, 0x28(SP)", {0x48, 0x89, 0x6c, 0x24, 0x28}},
      {"LEAQ 0x28(SP), BP", {0x48, 0x8d, 0x6c, 0x24, 0x28}},
      {"PUSHQ BP", {0x55}},
      {"MOVQ SP, BP", {0x48, 0x89, 0xe5}},
      {"XORPS X15, X15", {0x45, 0x0f, 0x57, 0xff}},
      {"MOVUPS X15, 0x18(SP)", {0x44, 0x0f, 0x11, 0x7c, 0x24, 0x18}},
      {"MOVQ AX, 0x38(SP)", {0x48, 0x89, 0x44, 0x24, 0x38}},
      {"XORL AX, AX", {0x31, 0xc0}},
      {"NOPL (AX)", {0x0f, 0x1f, 0x40, 0x00}},
      {"NOP", {0x90}},
      {"REP STOSQ", {0xf3, 0x48, 0xab}},
      {"TESTB AL, (CX) (nil check)", {0x84, 0x01}},
      {"MOVQ FS:-8, CX (TLS g)", {0x64, 0x48, 0x8b, 0x0c, 0x25, 0xf8, 0xff, 0xff, 0xff}},
      {"MOVQ $imm64, AX", {0x48, 0xb8, 0x07, 0x3a, 0x6d, 0xa0, 0xd3, 0x06, 0x3a, 0x6d}},
      // Returns to RCX = the jump back in the slot.
      {"SYSCALL", {0x0f, 0x05}},
      {"15-byte NOPW", {0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00,
                        0x00, 0x00, 0x00}},
  };
  for (const auto& [name, bytes] : cases) {
    SCOPED_TRACE(name);
    expect_displaced(bytes, 0x4812a0, bytes);
  }
}

TEST(StepOverPlan, RipRelativeDisplacementIsRebasedToTheSlot) {
  // Every operand keeps its absolute address: disp - 0x1000 from a slot
  // 0x1000 further on; immediates after the displacement stay untouched.
  const std::vector<std::tuple<const char*, Bytes, Bytes>> cases = {
      {"LEAQ 0x174fc(IP), DI (main.strs)",
       {0x48, 0x8d, 0x3d, 0xfc, 0x74, 0x01, 0x00}, {0x48, 0x8d, 0x3d, 0xfc, 0x64, 0x01, 0x00}},
      {"MOVQ 0x10(IP), AX", {0x48, 0x8b, 0x05, 0x10, 0x00, 0x00, 0x00},
       {0x48, 0x8b, 0x05, 0x10, 0xf0, 0xff, 0xff}},
      {"CMPL runtime.writeBarrier(SB), $0", {0x83, 0x3d, 0x10, 0x00, 0x00, 0x00, 0x00},
       {0x83, 0x3d, 0x10, 0xf0, 0xff, 0xff, 0x00}},
      {"MOVL $1, 0x10(IP)", {0xc7, 0x05, 0x10, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00},
       {0xc7, 0x05, 0x10, 0xf0, 0xff, 0xff, 0x01, 0x00, 0x00, 0x00}},
      {"MOVUPS 0x10(IP), X0", {0x0f, 0x10, 0x05, 0x10, 0x00, 0x00, 0x00},
       {0x0f, 0x10, 0x05, 0x10, 0xf0, 0xff, 0xff}},
  };
  for (const auto& [name, bytes, copy] : cases) {
    SCOPED_TRACE(name);
    expect_displaced(bytes, 0x4812d5, copy);
  }
}

TEST(StepOverPlan, SlotBelowTheCode) {
  // lea rdi, [rip+0x174fc] with the slot 0x10000 lower: disp grows by that
  // much and the jump back goes forward by 0x10000 - 5.
  expect_plans({0x48, 0x8d, 0x3d, 0xfc, 0x74, 0x01, 0x00}, 0x4812d5, 0x4712d5,
               {.kind = Kind::displaced, .length = 7, .next = 0x4812dc,
                .code = {0x48, 0x8d, 0x3d, 0xfc, 0x74, 0x02, 0x00,  //
                         0xe9, 0xfb, 0xff, 0x00, 0x00}});
}

TEST(StepOverPlan, JumpBackOutOfRel32ReachIsAbsolute) {
  // 0x80400ffb + 6 - 0x80000000 = 0x401001: rel32 = INT32_MIN, just in reach.
  expect_plans({0x90}, 0x401000, 0x80400ffb,
               {.kind = Kind::displaced, .length = 1, .next = 0x401001,
                .code = {0x90, 0xe9, 0x00, 0x00, 0x00, 0x80}});
  const Bytes absolute = {0x90, 0xff, 0x25, 0x00, 0x00, 0x00, 0x00,  // jmp [rip+0]
                          0x01, 0x10, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00};
  expect_plans({0x90}, 0x401000, 0x80400ffc,
               {.kind = Kind::displaced, .length = 1, .next = 0x401001, .code = absolute});
  expect_plans({0x90}, 0x401000, 0x7f0000001000,
               {.kind = Kind::displaced, .length = 1, .next = 0x401001, .code = absolute});

  // Above the slot: rel32 = INT32_MAX is the last in reach.
  constexpr uint64_t high = 0x7f0000000000;
  expect_plans({0x90}, high, high - 0x80000004,
               {.kind = Kind::displaced, .length = 1, .next = high + 1,
                .code = {0x90, 0xe9, 0xff, 0xff, 0xff, 0x7f}});
  expect_plans({0x90}, high, high - 0x80000005,
               {.kind = Kind::displaced, .length = 1, .next = high + 1,
                .code = {0x90, 0xff, 0x25, 0x00, 0x00, 0x00, 0x00,  //
                         0x01, 0x00, 0x00, 0x00, 0x00, 0x7f, 0x00, 0x00}});
}

TEST(StepOverPlan, RipRelativeReachEdges) {
  // lea rax, [rip+0] at `at`: its operand is at + 7.
  const Bytes lea = {0x48, 0x8d, 0x05, 0x00, 0x00, 0x00, 0x00};
  constexpr uint64_t at = 0x7f0000000000;
  expect_plans(lea, at, at - 0x7fffffff,
               {.kind = Kind::displaced, .length = 7, .next = at + 7,
                .code = {0x48, 0x8d, 0x05, 0xff, 0xff, 0xff, 0x7f,  //
                         0xe9, 0xfa, 0xff, 0xff, 0x7f}});
  // disp = INT32_MIN still fits, but the jump back (-0x80000005) does not.
  expect_plans(lea, at, at + 0x80000000,
               {.kind = Kind::displaced, .length = 7, .next = at + 7,
                .code = {0x48, 0x8d, 0x05, 0x00, 0x00, 0x00, 0x80,  //
                         0xff, 0x25, 0x00, 0x00, 0x00, 0x00,        //
                         0x07, 0x00, 0x00, 0x00, 0x00, 0x7f, 0x00, 0x00}});
  for (uint64_t slot : {at - 0x80000000, at + 0x80000001, uint64_t{0x10000}}) {
    auto r = plan(lea, at, slot);
    ASSERT_FALSE(r) << std::hex << slot;
    EXPECT_EQ(r.error().code, Errc::unsupported);
    EXPECT_THAT(r.error().message, HasSubstr("cannot step over lea at 0x7f0000000000"));
    EXPECT_THAT(r.error().message, HasSubstr("RIP-relative operand 0x7f0000000007 is out of"));
  }
}

// --- emulated -----------------------------------------------------------------

TEST(StepOverPlan, ConditionalBranches) {
  // main.strs stack check: JBE rel8 to the morestack block.
  expect_plans({0x76, 0x57}, 0x4812a4, 0x4812a4 + kAfter,
               {.kind = Kind::jump_if, .length = 2, .next = 0x4812a6, .target = 0x4812fd,
                .cond = Cond::be});
  // main.large stack check: JBE rel32.
  expect_plans({0x0f, 0x86, 0xda, 0x00, 0x00, 0x00}, 0x457c6c, 0x457c6c + kAfter,
               {.kind = Kind::jump_if, .length = 6, .next = 0x457c72, .target = 0x457d4c,
                .cond = Cond::be});
  // main.large loop: JLT rel8 backwards.
  expect_plans({0x7c, 0xe8}, 0x457ccd, 0x457ccd + kAfter,
               {.kind = Kind::jump_if, .length = 2, .next = 0x457ccf, .target = 0x457cb7,
                .cond = Cond::l});
}

TEST(StepOverPlan, EveryJccConditionCode) {
  constexpr std::array<Cond, 16> conds = {
      Cond::o, Cond::no, Cond::b,  Cond::ae, Cond::e,  Cond::ne, Cond::be, Cond::a,
      Cond::s, Cond::ns, Cond::p,  Cond::np, Cond::l,  Cond::ge, Cond::le, Cond::g};
  for (uint8_t cc = 0; cc < 16; ++cc) {
    SCOPED_TRACE(cc);
    auto op = static_cast<uint8_t>(0x70 | cc);
    expect_plans({op, 0x10}, 0x1000, 0x2000,
                 {.kind = Kind::jump_if, .length = 2, .next = 0x1002, .target = 0x1012,
                  .cond = conds[cc]});
    auto op32 = static_cast<uint8_t>(0x80 | cc);
    expect_plans({0x0f, op32, 0xf0, 0xff, 0xff, 0xff}, 0x1000, 0x2000,
                 {.kind = Kind::jump_if, .length = 6, .next = 0x1006, .target = 0xff6,
                  .cond = conds[cc]});
  }
}

TEST(StepOverPlan, DirectJumpsCallsAndReturns) {
  // main.large: JMP rel8 into its loop condition.
  expect_plans({0xeb, 0x0f}, 0x457cb5, 0x457cb5 + kAfter,
               {.kind = Kind::jump, .length = 2, .next = 0x457cb7, .target = 0x457cc6});
  // main.strs: JMP rel32 back to the entry after morestack.
  expect_plans({0xe9, 0x71, 0xff, 0xff, 0xff}, 0x48132a, 0x48132a + kAfter,
               {.kind = Kind::jump, .length = 5, .next = 0x48132f, .target = 0x4812a0});
  // main.strs: CALL rel32 (runtime.concatstring2).
  expect_plans({0xe8, 0x9b, 0x91, 0xfc, 0xff}, 0x4812e0, 0x4812e0 + kAfter,
               {.kind = Kind::call, .length = 5, .next = 0x4812e5, .target = 0x44a480});
  expect_plans({0xc3}, 0x4812fc, 0x4812fc + kAfter,
               {.kind = Kind::ret, .length = 1, .next = 0x4812fd});
  expect_plans({0xc2, 0x10, 0x00}, 0x401000, 0x402000,
               {.kind = Kind::ret, .length = 3, .next = 0x401003, .ret_pop = 0x10});
}

TEST(StepOverPlan, IndirectJumpsAndCalls) {
  auto reg = [](int r) { return IndirectOperand{.reg = r}; };
  auto mem = [](int base, int index, uint8_t scale, int64_t disp) {
    return IndirectOperand{.is_memory = true, .reg = base, .index = index, .scale = scale,
                           .disp = disp};
  };
  const std::vector<std::tuple<const char*, Bytes, Kind, IndirectOperand>> cases = {
      {"call rax", {0xff, 0xd0}, Kind::call_indirect, reg(kRax)},
      {"CALL CX (closure)", {0xff, 0xd1}, Kind::call_indirect, reg(kRcx)},
      {"call [rdx+0x10]", {0xff, 0x52, 0x10}, Kind::call_indirect, mem(kRdx, -1, 1, 0x10)},
      {"call [rsp-8]", {0xff, 0x54, 0x24, 0xf8}, Kind::call_indirect, mem(kRsp, -1, 1, -8)},
      {"call [r12+r13*4+0x100]", {0x43, 0xff, 0x94, 0xac, 0x00, 0x01, 0x00, 0x00},
       Kind::call_indirect, mem(kR12, kR13, 4, 0x100)},
      {"jmp r11", {0x41, 0xff, 0xe3}, Kind::jump_indirect, reg(kR11)},
      {"jmp [rax+rbx*8]", {0xff, 0x24, 0xd8}, Kind::jump_indirect, mem(kRax, kRbx, 8, 0)},
      // Resolved now: 0x401000 + 6 + 0x10.
      {"jmp [rip+0x10]", {0xff, 0x25, 0x10, 0x00, 0x00, 0x00}, Kind::jump_indirect,
       mem(-1, -1, 1, 0x401016)},
  };
  for (const auto& [name, bytes, kind, operand] : cases) {
    SCOPED_TRACE(name);
    auto len = static_cast<uint8_t>(bytes.size());
    expect_plans(bytes, 0x401000, 0x402000,
                 {.kind = kind, .length = len, .next = uint64_t{0x401000} + len,
                  .operand = operand});
  }
}

// --- refused ------------------------------------------------------------------

TEST(StepOverPlan, RefusesWhatCanBeNeitherEmulatedNorDisplaced) {
  const std::vector<std::tuple<Bytes, const char*, const char*>> cases = {
      {{0xcc}, "int3 at 0x401000", "traps by design"},
      {{0xcd, 0x03}, "int at 0x401000", "traps by design"},
      {{0x0f, 0x0b}, "ud2 at 0x401000", "traps by design"},
      {{0xe2, 0xfe}, "loop at 0x401000", "only Jcc"},
      {{0xe3, 0xfe}, "jrcxz at 0x401000", "only Jcc"},
      {{0xc7, 0xf8, 0x00, 0x00, 0x00, 0x00}, "xbegin at 0x401000", "only Jcc"},
      {{0xff, 0x2c, 0x25, 0x00, 0x00, 0x00, 0x00}, "jmp at 0x401000", "far branches"},
      {{0xcb}, "ret at 0x401000", "far branches"},
      {{0x66, 0xe9, 0x00, 0x00, 0x00, 0x00}, "jmp at 0x401000", "0x66 prefix"},
      {{0x66, 0xff, 0xd0}, "call at 0x401000", "0x66 prefix"},
      {{0x48, 0xcf}, "iretq at 0x401000", "reads or writes RIP"},
      {{0x0f, 0x07}, "sysret at 0x401000", "reads or writes RIP"},
      {{0x67, 0x48, 0x8d, 0x05, 0x00, 0x00, 0x00, 0x00}, "lea at 0x401000", "EIP-relative"},
      {{0x64, 0xff, 0x14, 0x25, 0x00, 0x00, 0x00, 0x00}, "call at 0x401000", "FS/GS"},
  };
  for (const auto& [bytes, what, why] : cases) {
    SCOPED_TRACE(what);
    auto r = plan(bytes, 0x401000, 0x402000);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::unsupported);
    EXPECT_THAT(r.error().message, HasSubstr(std::string("cannot step over ") + what + ": "));
    EXPECT_THAT(r.error().message, HasSubstr(why));
  }
}

TEST(StepOverPlan, UndecodableBytesAreCorrupt) {
  for (const Bytes& bytes : {Bytes{}, Bytes{0x48}, Bytes{0x06}, Bytes{0x0f, 0x86, 0xda}}) {
    auto r = plan(bytes, 0x401000, 0x402000);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::corrupt);
    EXPECT_EQ(r.error().message, "undecodable amd64 instruction at 0x401000");
  }
}

TEST(StepOverPlan, Arm64IsRefused) {
  auto r = plan_step_over(Machine::arm64, Bytes{0xd6, 0x5f, 0x03, 0xc0}, 0x1000, 0x2000);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::unsupported);
  EXPECT_EQ(r.error().message, "ptrace stepping is implemented for amd64 only");

  ThreadRegisters regs;
  auto a = apply_step_over(Machine::arm64, StepOver{}, 0x2000, regs, nullptr, nullptr);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().message, "ptrace stepping is implemented for amd64 only");
}

// Every instruction of the Go functions in amd64_code.h plans, and their
// lengths tile the function exactly.
TEST(StepOverPlan, EveryInstructionOfRealGoFunctionsPlans) {
  struct Function {
    const char* name;
    std::span<const uint8_t> code;
    uint64_t addr;
  };
  using namespace amd64_code;
  const Function functions[] = {
      {"bools", kBoolsCode, kBoolsAddr},   {"strs", kStrsCode, kStrsAddr},
      {"errs", kErrsCode, kErrsAddr},      {"Max", kMaxIntCode, kMaxIntAddr},
      {"large", kLargeCode, kLargeAddr},   {"huge", kHugeCode, kHugeAddr},
      {"guardedO", kGuardedOCode, kGuardedOAddr}, {"guardedN", kGuardedNCode, kGuardedNAddr},
  };
  std::map<Kind, int> strs_kinds;
  for (const auto& f : functions) {
    size_t off = 0;
    while (off < f.code.size()) {
      uint64_t at = f.addr + off;
      auto r = plan_step_over(Machine::amd64, f.code.subspan(off), at, at + kAfter);
      ASSERT_TRUE(r) << f.name << ": " << r.error().message;
      if (f.addr == kStrsAddr) ++strs_kinds[r->kind];
      off += r->length;
    }
    EXPECT_EQ(off, f.code.size()) << f.name;
  }
  // main.strs: JBE, CALL concatstring2, RET, CALL morestack, JMP, 27 others.
  EXPECT_EQ(strs_kinds, (std::map<Kind, int>{{Kind::jump_if, 1},
                                             {Kind::jump, 1},
                                             {Kind::call, 2},
                                             {Kind::ret, 1},
                                             {Kind::displaced, 27}}));
}

// --- conditions -----------------------------------------------------------------

// The CPU's own verdict: load `flags` into EFLAGS and SETcc. The red zone is
// skipped because PUSHQ writes below RSP.
#define GOTRACE_SETCC(cc)                                                                \
  [](uint64_t flags) {                                                                   \
    uint8_t r;                                                                           \
    asm volatile("add $-128, %%rsp\n\tpushq %1\n\tpopfq\n\tset" #cc " %0\n\tsub $-128, %%rsp" \
                 : "=q"(r)                                                               \
                 : "r"(flags)                                                            \
                 : "cc", "memory");                                                      \
    return r != 0;                                                                       \
  }

TEST(StepOverCondition, MatchesTheCpuForEveryFlagCombination) {
  using Setcc = bool (*)(uint64_t);
  const std::array<Setcc, 16> cpu = {
      GOTRACE_SETCC(o), GOTRACE_SETCC(no), GOTRACE_SETCC(b),  GOTRACE_SETCC(ae),
      GOTRACE_SETCC(e), GOTRACE_SETCC(ne), GOTRACE_SETCC(be), GOTRACE_SETCC(a),
      GOTRACE_SETCC(s), GOTRACE_SETCC(ns), GOTRACE_SETCC(p),  GOTRACE_SETCC(np),
      GOTRACE_SETCC(l), GOTRACE_SETCC(ge), GOTRACE_SETCC(le), GOTRACE_SETCC(g)};
  constexpr std::array<int, 5> bits = {0 /*CF*/, 2 /*PF*/, 6 /*ZF*/, 7 /*SF*/, 11 /*OF*/};
  for (unsigned combo = 0; combo < 32; ++combo) {
    uint64_t flags = 0x2;  // bit 1 always reads as 1
    for (size_t i = 0; i < bits.size(); ++i) {
      if ((combo >> i) & 1) flags |= uint64_t{1} << bits[i];
    }
    for (uint8_t cc = 0; cc < 16; ++cc) {
      EXPECT_EQ(condition_holds(static_cast<Cond>(cc), flags), cpu[cc](flags))
          << "cc " << int(cc) << " flags " << std::hex << flags;
    }
  }
}

#undef GOTRACE_SETCC

TEST(StepOverCondition, StackCheckBranch) {
  constexpr uint64_t cf = 1, zf = 1 << 6, sf = 1 << 7, of = 1 << 11;
  EXPECT_TRUE(condition_holds(Cond::be, cf));
  EXPECT_TRUE(condition_holds(Cond::be, zf));
  EXPECT_FALSE(condition_holds(Cond::be, sf | of));
  EXPECT_TRUE(condition_holds(Cond::l, sf));
  EXPECT_FALSE(condition_holds(Cond::l, sf | of));
}

// --- application -------------------------------------------------------------

// Byte-addressed thread memory: an access touching an unmapped byte faults.
class FakeMemory {
 public:
  void map(uint64_t addr, size_t len) {
    for (size_t i = 0; i < len; ++i) bytes_[addr + i] = static_cast<uint8_t>(0xa0 + i);
  }
  void put(uint64_t addr, uint64_t v) {
    for (size_t i = 0; i < 8; ++i) bytes_.at(addr + i) = static_cast<uint8_t>(v >> (8 * i));
  }
  const std::map<uint64_t, uint8_t>& bytes() const { return bytes_; }

  ReadMemory reader() {
    return [this](uint64_t addr, void* out, size_t len) {
      for (size_t i = 0; i < len; ++i) {
        auto it = bytes_.find(addr + i);
        if (it == bytes_.end()) return false;
        static_cast<uint8_t*>(out)[i] = it->second;
      }
      return true;
    };
  }
  WriteMemory writer() {
    return [this](uint64_t addr, const void* in, size_t len) {
      for (size_t i = 0; i < len; ++i) {
        if (!bytes_.contains(addr + i)) return false;
      }
      for (size_t i = 0; i < len; ++i) bytes_[addr + i] = static_cast<const uint8_t*>(in)[i];
      return true;
    };
  }

 private:
  std::map<uint64_t, uint8_t> bytes_;
};

constexpr uint64_t kStack = 0xc000040000;  // 64 mapped bytes
constexpr uint64_t kSp = kStack + 32;
constexpr uint64_t kSlot = 0x7f0000010000;

// A thread stopped on a breakpoint, with every register distinct so that an
// unintended write shows.
struct Thread {
  Thread() {
    // Unsigned: the products wrap (signed, they overflowed: UB that UBSan caught).
    for (int i = 0; i < kMaxDwarfGpr; ++i)
      regs.gpr[i] = 0x1111000000000000u * static_cast<uint64_t>(i % 15 + 1) + static_cast<uint64_t>(i);
    regs.gpr[kRsp] = kSp;
    regs.pc = 0xdead;
    regs.flags = 0x202;
    mem.map(kStack, 64);
  }
  Result<void> step(const Bytes& code, uint64_t address) {
    auto p = plan(code, address, kSlot);
    if (!p) return p.error();
    return apply_step_over(Machine::amd64, *p, kSlot, regs, mem.reader(), mem.writer());
  }
  ThreadRegisters regs;
  FakeMemory mem;
};

void expect_regs(const ThreadRegisters& got, const ThreadRegisters& want) {
  EXPECT_THAT(got.gpr, ElementsAreArray(want.gpr));
  EXPECT_EQ(got.pc, want.pc);
  EXPECT_EQ(got.flags, want.flags);
}

// Stepping over `code` faults with `message` and leaves the thread as it was.
void expect_fault(Thread& t, const Bytes& code, uint64_t address, const std::string& message) {
  auto want = t.regs;
  auto want_mem = t.mem.bytes();
  auto r = t.step(code, address);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::io);
  EXPECT_EQ(r.error().message, message);
  expect_regs(t.regs, want);
  EXPECT_EQ(t.mem.bytes(), want_mem);
}

TEST(StepOverApply, JumpIfFollowsTheSavedFlags) {
  for (auto [flags, pc] : {std::pair<uint64_t, uint64_t>{0x203, 0x4812fd},  // CF: taken
                           {0x242, 0x4812fd},                              // ZF: taken
                           {0xa82, 0x4812a6}}) {                           // SF|OF: not
    Thread t;
    t.regs.flags = flags;
    auto want = t.regs;
    want.pc = pc;
    auto want_mem = t.mem.bytes();
    ASSERT_TRUE(t.step({0x76, 0x57}, 0x4812a4));
    expect_regs(t.regs, want);
    EXPECT_EQ(t.mem.bytes(), want_mem);
  }
}

TEST(StepOverApply, JumpSetsPcOnly) {
  Thread t;
  auto want = t.regs;
  want.pc = 0x4812a0;
  ASSERT_TRUE(t.step({0xe9, 0x71, 0xff, 0xff, 0xff}, 0x48132a));
  expect_regs(t.regs, want);
}

TEST(StepOverApply, CallPushesTheNextAddress) {
  Thread t;
  auto want = t.regs;
  want.pc = 0x44a480;
  want.gpr[kRsp] = kSp - 8;
  FakeMemory want_mem = t.mem;
  want_mem.put(kSp - 8, 0x4812e5);
  ASSERT_TRUE(t.step({0xe8, 0x9b, 0x91, 0xfc, 0xff}, 0x4812e0));
  expect_regs(t.regs, want);
  EXPECT_EQ(t.mem.bytes(), want_mem.bytes());
}

TEST(StepOverApply, CallOnAFaultingStackChangesNothing) {
  Thread t;
  t.regs.gpr[kRsp] = kStack + 4;  // the push would straddle the mapping's start
  expect_fault(t, {0xe8, 0x9b, 0x91, 0xfc, 0xff}, 0x4812e0,
               "cannot write the return address at 0xc00003fffc stepping over the "
               "instruction at 0x4812e0");
}

TEST(StepOverApply, RetPopsTheReturnAddressAndImmediate) {
  for (auto [code, sp] : {std::pair<Bytes, uint64_t>{{0xc3}, kSp + 8},
                          {{0xc2, 0x10, 0x00}, kSp + 8 + 0x10}}) {
    Thread t;
    t.mem.put(kSp, 0x481ca8);
    auto want = t.regs;
    want.pc = 0x481ca8;
    want.gpr[kRsp] = sp;
    auto want_mem = t.mem.bytes();
    ASSERT_TRUE(t.step(code, 0x4812fc));
    expect_regs(t.regs, want);
    EXPECT_EQ(t.mem.bytes(), want_mem);
  }
}

TEST(StepOverApply, RetFromUnmappedStackFails) {
  Thread t;
  t.regs.gpr[kRsp] = kStack + 60;  // the read would run past the mapping's end
  expect_fault(t, {0xc3}, 0x4812fc,
               "cannot read the return address at 0xc00004003c stepping over the "
               "instruction at 0x4812fc");
}

TEST(StepOverApply, IndirectCallsAndJumps) {
  struct Case {
    const char* name;
    Bytes code;
    bool pushes;
    uint64_t target_at = 0;  // where the target is stored; 0: in the register
  };
  constexpr uint64_t table = kStack;  // the target pointer lives in the stack mapping
  const Case cases[] = {
      {"call rcx", {0xff, 0xd1}, true},
      {"call [rdx+0x10]", {0xff, 0x52, 0x10}, true, table + 8},
      {"call [rsp]: the target is read before the push", {0xff, 0x14, 0x24}, true, kSp},
      {"jmp [rax+rbx*8]", {0xff, 0x24, 0xd8}, false, table + 16},
      {"jmp r11", {0x41, 0xff, 0xe3}, false},
      {"jmp [rip+0x10]", {0xff, 0x25, 0x10, 0x00, 0x00, 0x00}, false, 0x401016},
  };
  constexpr uint64_t target = 0x45af00;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Thread t;
    t.regs.gpr[kRcx] = target;
    t.regs.gpr[kR11] = target;
    t.regs.gpr[kRdx] = table - 8;
    t.regs.gpr[kRax] = table - 24;
    t.regs.gpr[kRbx] = 5;
    t.mem.map(0x401016, 8);
    if (c.target_at != 0) t.mem.put(c.target_at, target);
    auto want = t.regs;
    want.pc = target;
    FakeMemory want_mem = t.mem;
    if (c.pushes) {
      want.gpr[kRsp] = kSp - 8;
      want_mem.put(kSp - 8, 0x401000 + c.code.size());
    }
    ASSERT_TRUE(t.step(c.code, 0x401000));
    expect_regs(t.regs, want);
    EXPECT_EQ(t.mem.bytes(), want_mem.bytes());
  }
}

TEST(StepOverApply, IndirectTargetFaultChangesNothing) {
  Thread t;
  t.regs.gpr[kRdx] = 0x10;  // nil closure
  expect_fault(t, {0xff, 0x52, 0x10}, 0x401000,
               "cannot read the branch target at 0x20 stepping over the instruction at "
               "0x401000");
}

TEST(StepOverApply, DisplacedGoesToTheSlotWithoutTouchingMemory) {
  Thread t;
  auto want = t.regs;
  want.pc = kSlot;
  auto p = plan({0x48, 0x83, 0xec, 0x30}, 0x4812a6, kSlot);
  ASSERT_TRUE(p);
  auto no_read = [](uint64_t, void*, size_t) { ADD_FAILURE() << "read"; return false; };
  auto no_write = [](uint64_t, const void*, size_t) { ADD_FAILURE() << "write"; return false; };
  ASSERT_TRUE(apply_step_over(Machine::amd64, *p, kSlot, t.regs, no_read, no_write));
  expect_regs(t.regs, want);
}

// --- displaced code on this CPU ----------------------------------------------

// Maps RW pages at `hint` (0: anywhere), or returns nullptr.
uint8_t* map_pages(uint64_t hint, size_t len) {
  int flags = MAP_PRIVATE | MAP_ANONYMOUS | (hint != 0 ? MAP_FIXED_NOREPLACE : 0);
  void* p = mmap(reinterpret_cast<void*>(hint), len, PROT_READ | PROT_WRITE, flags, -1, 0);
  return p == MAP_FAILED ? nullptr : static_cast<uint8_t*>(p);
}

// Writes `insn` at `site` followed by `after` (what `next` runs), plans it
// with the slot at `slot`, copies the plan there and calls the slot.
uint64_t run_displaced(uint8_t* site, uint8_t* slot, const Bytes& insn, const Bytes& after) {
  std::memcpy(site, insn.data(), insn.size());
  std::memcpy(site + insn.size(), after.data(), after.size());
  auto p = plan(insn, reinterpret_cast<uint64_t>(site), reinterpret_cast<uint64_t>(slot));
  if (!p) {
    ADD_FAILURE() << p.error().message;
    return 0;
  }
  std::memcpy(slot, p->code.data(), p->code.size());
  mprotect(site, 4096, PROT_READ | PROT_EXEC);
  mprotect(slot, 4096, PROT_READ | PROT_EXEC);
  return reinterpret_cast<uint64_t (*)()>(slot)();
}

const Bytes kReturnRdi = {0x48, 0x89, 0xf8, 0xc3};  // mov rax, rdi; ret

TEST(StepOverDisplaced, RipRelativeLeaRunsFromANearSlot) {
  uint8_t* pages = map_pages(0, 2 * 4096);
  ASSERT_NE(pages, nullptr);
  // lea rdi, [rip+0x10]: the original would compute site + 7 + 0x10.
  uint64_t got = run_displaced(pages, pages + 4096, {0x48, 0x8d, 0x3d, 0x10, 0x00, 0x00, 0x00},
                               kReturnRdi);
  EXPECT_EQ(got, reinterpret_cast<uint64_t>(pages) + 0x17);
  munmap(pages, 2 * 4096);
}

TEST(StepOverDisplaced, FarSlotJumpsBackThroughAnAbsoluteAddress) {
  uint8_t* site = map_pages(0, 4096);
  ASSERT_NE(site, nullptr);
  uint8_t* slot = map_pages(reinterpret_cast<uint64_t>(site) + (uint64_t{8} << 30), 4096);
  if (slot == nullptr) {
    munmap(site, 4096);
    GTEST_SKIP() << "no free page 8 GiB above the site";
  }
  // mov edi, 42 (not RIP-relative, so a far slot is allowed).
  EXPECT_EQ(run_displaced(site, slot, {0xbf, 0x2a, 0x00, 0x00, 0x00}, kReturnRdi), 42u);
  munmap(site, 4096);
  munmap(slot, 4096);
}

}  // namespace
}  // namespace gotrace::arch
