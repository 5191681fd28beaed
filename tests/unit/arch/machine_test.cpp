#include "gotrace/arch/machine.h"

#include <gtest/gtest.h>

#include <vector>

namespace gotrace::arch {
namespace {

std::vector<int> int_seq(Machine m) {
  std::vector<int> v;
  for (int i = 0; i < int_arg_reg_count(m); ++i) v.push_back(int_arg_reg_dwarf(m, i));
  return v;
}

TEST(Machine, Names) {
  EXPECT_EQ(machine_name(Machine::amd64), "amd64");
  EXPECT_EQ(machine_name(Machine::arm64), "arm64");
}

TEST(Machine, Amd64IntSequenceIsRaxRbxRcxRdiRsiR8ToR11) {
  EXPECT_EQ(int_seq(Machine::amd64), (std::vector<int>{0, 3, 2, 5, 4, 8, 9, 10, 11}));
  EXPECT_EQ(int_arg_reg_dwarf(Machine::amd64, 9), -1);
  EXPECT_EQ(int_arg_reg_dwarf(Machine::amd64, -1), -1);
}

TEST(Machine, Amd64Floats) {
  EXPECT_EQ(float_arg_reg_count(Machine::amd64), 15);  // X15 is the zero register
  EXPECT_EQ(float_arg_reg_dwarf(Machine::amd64, 0), 17);
  EXPECT_EQ(float_arg_reg_dwarf(Machine::amd64, 14), 31);
  EXPECT_EQ(float_arg_reg_dwarf(Machine::amd64, 15), -1);
}

TEST(Machine, Arm64Sequences) {
  std::vector<int> want;
  for (int i = 0; i < 16; ++i) want.push_back(i);
  EXPECT_EQ(int_seq(Machine::arm64), want);
  EXPECT_EQ(float_arg_reg_count(Machine::arm64), 16);
  EXPECT_EQ(float_arg_reg_dwarf(Machine::arm64, 0), 64);
  EXPECT_EQ(float_arg_reg_dwarf(Machine::arm64, 15), 79);
}

TEST(Machine, FixedRegisters) {
  EXPECT_EQ(g_reg_dwarf(Machine::amd64), 14);
  EXPECT_EQ(g_reg_dwarf(Machine::arm64), 28);
  EXPECT_EQ(sp_reg_dwarf(Machine::amd64), 7);
  EXPECT_EQ(sp_reg_dwarf(Machine::arm64), 31);
  EXPECT_EQ(stack_args_offset(Machine::amd64), 8);
  EXPECT_EQ(stack_args_offset(Machine::arm64), 8);
}

TEST(Machine, Amd64PtRegs) {
  struct Case {
    int dwarf;
    uint32_t offset;
  };
  // r15 r14 r13 r12 bp bx r11 r10 r9 r8 ax cx dx si di orig_ax ip cs flags sp ss
  const Case cases[] = {{0, 80},  {1, 96},  {2, 88},  {3, 40},  {4, 104}, {5, 112},
                        {6, 32},  {7, 152}, {8, 72},  {9, 64},  {10, 56}, {11, 48},
                        {12, 24}, {13, 16}, {14, 8},  {15, 0}};
  for (const auto& c : cases) {
    EXPECT_EQ(pt_regs_offset(Machine::amd64, c.dwarf), c.offset) << c.dwarf;
  }
  EXPECT_FALSE(pt_regs_offset(Machine::amd64, 16));
  EXPECT_FALSE(pt_regs_offset(Machine::amd64, 17));  // xmm0
  EXPECT_FALSE(pt_regs_offset(Machine::amd64, -1));
  EXPECT_EQ(pt_regs_flags_offset(Machine::amd64), 144u);
  EXPECT_EQ(pt_regs_pc_offset(Machine::amd64), 128u);
}

TEST(Machine, Arm64PtRegs) {
  EXPECT_EQ(pt_regs_offset(Machine::arm64, 0), 0u);
  EXPECT_EQ(pt_regs_offset(Machine::arm64, 28), 224u);
  EXPECT_EQ(pt_regs_offset(Machine::arm64, 30), 240u);
  EXPECT_EQ(pt_regs_offset(Machine::arm64, 31), 248u);  // sp
  EXPECT_FALSE(pt_regs_offset(Machine::arm64, 32));
  EXPECT_FALSE(pt_regs_offset(Machine::arm64, 64));  // v0
  EXPECT_EQ(pt_regs_pc_offset(Machine::arm64), 256u);
  EXPECT_EQ(pt_regs_flags_offset(Machine::arm64), 264u);
}

TEST(Machine, RegisterNames) {
  EXPECT_EQ(dwarf_reg_name(Machine::amd64, 0), "rax");
  EXPECT_EQ(dwarf_reg_name(Machine::amd64, 3), "rbx");
  EXPECT_EQ(dwarf_reg_name(Machine::amd64, 14), "r14");
  EXPECT_EQ(dwarf_reg_name(Machine::amd64, 20), "xmm3");
  EXPECT_EQ(dwarf_reg_name(Machine::amd64, 99), "?");
  EXPECT_EQ(dwarf_reg_name(Machine::arm64, 0), "x0");
  EXPECT_EQ(dwarf_reg_name(Machine::arm64, 31), "sp");
  EXPECT_EQ(dwarf_reg_name(Machine::arm64, 67), "v3");
  EXPECT_EQ(dwarf_reg_name(Machine::arm64, 40), "?");
}

}  // namespace
}  // namespace gotrace::arch
