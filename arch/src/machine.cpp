// Register maps for amd64 and arm64 (DWARF numbering, Go ABIInternal
// sequences, kernel pt_regs layout).
#include "gotrace/arch/machine.h"

#include <array>

namespace gotrace::arch {
namespace {

// --- amd64 ---------------------------------------------------------------
// DWARF (System V psABI): 0 rax 1 rdx 2 rcx 3 rbx 4 rsi 5 rdi 6 rbp 7 rsp
// 8..15 r8..r15, 16 return address (rip), 17..32 xmm0..xmm15.
constexpr std::array<int, 9> kAmd64IntArgs = {0, 3, 2, 5, 4, 8, 9, 10, 11};
// RAX RBX RCX RDI RSI R8 R9 R10 R11
constexpr int kAmd64FloatArgs = 15;  // X0..X14; X15 is Go's fixed zero register
constexpr int kAmd64XmmBase = 17;

// struct pt_regs (arch/x86/include/uapi/asm/ptrace.h, 64-bit):
// r15 r14 r13 r12 bp bx r11 r10 r9 r8 ax cx dx si di orig_ax ip cs flags sp ss
enum Amd64PtRegsSlot : uint32_t {
  r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di,
  orig_ax, ip, cs, flags, sp, ss
};
constexpr std::array<uint32_t, 16> kAmd64PtRegsSlot = {
    ax, dx, cx, bx, si, di, bp, sp, r8, r9, r10, r11, r12, r13, r14, r15};

constexpr std::array<std::string_view, 33> kAmd64Names = {
    "rax",   "rdx",   "rcx",   "rbx",   "rsi",   "rdi",   "rbp",    "rsp",    "r8",
    "r9",    "r10",   "r11",   "r12",   "r13",   "r14",   "r15",    "rip",    "xmm0",
    "xmm1",  "xmm2",  "xmm3",  "xmm4",  "xmm5",  "xmm6",  "xmm7",   "xmm8",   "xmm9",
    "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"};

// --- arm64 ---------------------------------------------------------------
// DWARF (AAPCS64): 0..30 x0..x30, 31 sp, 64..95 v0..v31.
// struct user_pt_regs: u64 regs[31], sp, pc, pstate.
constexpr int kArm64IntArgs = 16;    // R0..R15
constexpr int kArm64FloatArgs = 16;  // F0..F15
constexpr int kArm64VBase = 64;

constexpr std::array<std::string_view, 32> kArm64GprNames = {
    "x0",  "x1",  "x2",  "x3",  "x4",  "x5",  "x6",  "x7",  "x8",  "x9",  "x10",
    "x11", "x12", "x13", "x14", "x15", "x16", "x17", "x18", "x19", "x20", "x21",
    "x22", "x23", "x24", "x25", "x26", "x27", "x28", "x29", "x30", "sp"};
constexpr std::array<std::string_view, 32> kArm64VNames = {
    "v0",  "v1",  "v2",  "v3",  "v4",  "v5",  "v6",  "v7",  "v8",  "v9",  "v10",
    "v11", "v12", "v13", "v14", "v15", "v16", "v17", "v18", "v19", "v20", "v21",
    "v22", "v23", "v24", "v25", "v26", "v27", "v28", "v29", "v30", "v31"};

}  // namespace

std::string_view machine_name(Machine m) {
  return m == Machine::amd64 ? "amd64" : "arm64";
}

int int_arg_reg_count(Machine m) {
  return m == Machine::amd64 ? static_cast<int>(kAmd64IntArgs.size()) : kArm64IntArgs;
}

int int_arg_reg_dwarf(Machine m, int index) {
  if (index < 0 || index >= int_arg_reg_count(m)) return -1;
  return m == Machine::amd64 ? kAmd64IntArgs[index] : index;
}

int float_arg_reg_count(Machine m) {
  return m == Machine::amd64 ? kAmd64FloatArgs : kArm64FloatArgs;
}

int float_arg_reg_dwarf(Machine m, int index) {
  if (index < 0 || index >= float_arg_reg_count(m)) return -1;
  return (m == Machine::amd64 ? kAmd64XmmBase : kArm64VBase) + index;
}

int g_reg_dwarf(Machine m) { return m == Machine::amd64 ? 14 : 28; }
int sp_reg_dwarf(Machine m) { return m == Machine::amd64 ? 7 : 31; }

// amd64: 0(SP) at entry is the return address pushed by CALL. arm64: the
// return address is in LR, but the caller's frame keeps 0(RSP) free for the
// callee to save LR into, so arguments start at 8(RSP) too.
int64_t stack_args_offset(Machine) { return 8; }

std::optional<uint32_t> pt_regs_offset(Machine m, int dwarf_reg) {
  if (m == Machine::amd64) {
    if (dwarf_reg < 0 || dwarf_reg >= static_cast<int>(kAmd64PtRegsSlot.size())) {
      return std::nullopt;
    }
    return kAmd64PtRegsSlot[dwarf_reg] * 8;
  }
  if (dwarf_reg < 0 || dwarf_reg > 31) return std::nullopt;
  return static_cast<uint32_t>(dwarf_reg) * 8;  // regs[0..30], then sp at 31*8
}

uint32_t pt_regs_flags_offset(Machine m) {
  return m == Machine::amd64 ? flags * 8 : 33 * 8;  // arm64: pstate after pc
}

uint32_t pt_regs_pc_offset(Machine m) {
  return m == Machine::amd64 ? ip * 8 : 32 * 8;
}

std::string_view dwarf_reg_name(Machine m, int dwarf_reg) {
  if (m == Machine::amd64) {
    if (dwarf_reg >= 0 && dwarf_reg < static_cast<int>(kAmd64Names.size())) {
      return kAmd64Names[dwarf_reg];
    }
    return "?";
  }
  if (dwarf_reg >= 0 && dwarf_reg < 32) return kArm64GprNames[dwarf_reg];
  if (dwarf_reg >= kArm64VBase && dwarf_reg < kArm64VBase + 32) {
    return kArm64VNames[dwarf_reg - kArm64VBase];
  }
  return "?";
}

}  // namespace gotrace::arch
