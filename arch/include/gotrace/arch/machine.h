// Machine identity and register maps. Pure data, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace gotrace::arch {

enum class Machine : uint8_t { amd64, arm64 };

std::string_view machine_name(Machine m);

// The register file the BPF program snapshots from pt_regs, indexed by DWARF
// register number. amd64: 0..15 = RAX RDX RCX RBX RSI RDI RBP RSP R8..R15.
// arm64: 0..30 = X0..X30, 31 = SP.
inline constexpr int kMaxDwarfGpr = 32;

// Go ABIInternal integer argument register sequence, as DWARF numbers.
// amd64: RAX RBX RCX RDI RSI R8 R9 R10 R11 (9); arm64: X0..X15 (16).
int int_arg_reg_count(Machine m);
int int_arg_reg_dwarf(Machine m, int index);
// Float sequence: amd64 X0..X14 (15), arm64 F0..F15 (16). Float registers are
// not in pt_regs; their DWARF numbers are amd64 17+i, arm64 64+i.
int float_arg_reg_count(Machine m);
int float_arg_reg_dwarf(Machine m, int index);

// The register that holds the current g in ABIInternal code
// (amd64 R14 = DWARF 14, arm64 X28 = DWARF 28).
int g_reg_dwarf(Machine m);
int sp_reg_dwarf(Machine m);

// Offset from SP at function entry (and at RET) to the first stack-passed
// argument: amd64 skips the return address; arm64 skips the LR save slot.
int64_t stack_args_offset(Machine m);

// Byte offset of the DWARF register in the kernel's user pt_regs for this
// machine, or nullopt if pt_regs does not hold it (float registers).
std::optional<uint32_t> pt_regs_offset(Machine m, int dwarf_reg);

// Byte offset in pt_regs of the saved condition flags (amd64 `flags` =
// EFLAGS, arm64 `pstate` with NZCV in bits 31..28) and of the saved PC. The
// entry filter reads the flags at the stack-check branch (see probe_sites.h).
uint32_t pt_regs_flags_offset(Machine m);
uint32_t pt_regs_pc_offset(Machine m);

// Human name ("rax", "x0", "xmm3") for messages.
std::string_view dwarf_reg_name(Machine m, int dwarf_reg);

}  // namespace gotrace::arch
