// The handful of A64 encodings the probe-site finder needs. Every A64
// instruction is one little-endian 32-bit word, so "decoding" is a mask
// compare; no disassembler library is needed.
#pragma once

#include <cstdint>
#include <optional>

namespace gotrace::arch::arm64 {

// RET Xn (Go always uses RET X30, but any Rn is a return).
constexpr bool is_ret(uint32_t w) { return (w & 0xfffffc1fu) == 0xd65f0000u; }

// BL imm26 / B imm26: target = pc + sign_extend(imm26) * 4.
constexpr bool is_bl(uint32_t w) { return (w & 0xfc000000u) == 0x94000000u; }
constexpr bool is_b(uint32_t w) { return (w & 0xfc000000u) == 0x14000000u; }
constexpr uint64_t imm26_target(uint32_t w, uint64_t pc) {
  int64_t imm = static_cast<int64_t>(w & 0x03ffffffu);
  if (imm & 0x02000000) imm -= 0x04000000;
  return pc + static_cast<uint64_t>(imm * 4);
}

// B.cond imm19: target = pc + sign_extend(imm19) * 4.
constexpr bool is_bcond(uint32_t w) { return (w & 0xff000010u) == 0x54000000u; }
constexpr uint32_t bcond_cond(uint32_t w) { return w & 0xfu; }
constexpr uint64_t imm19_target(uint32_t w, uint64_t pc) {
  int64_t imm = static_cast<int64_t>((w >> 5) & 0x7ffffu);
  if (imm & 0x40000) imm -= 0x80000;
  return pc + static_cast<uint64_t>(imm * 4);
}
inline constexpr uint32_t kCondLO = 0x3;  // C == 0 (a.k.a. CC)
inline constexpr uint32_t kCondLS = 0x9;  // C == 0 || Z == 1

inline constexpr int kRegSP = 31;  // SP in Rn of SUB(S) imm / extended-reg forms

// LDR Xt, [Xn, #imm] (64-bit, unsigned scaled offset). Returns the byte
// offset when Rt and Rn match.
constexpr std::optional<uint32_t> ldr_x_imm(uint32_t w, int rt, int rn) {
  if ((w & 0xffc00000u) != 0xf9400000u) return std::nullopt;
  if (static_cast<int>(w & 31) != rt || static_cast<int>((w >> 5) & 31) != rn) {
    return std::nullopt;
  }
  return ((w >> 10) & 0xfffu) * 8;
}

// SUB / SUBS Xd, Xn|SP, #imm{, LSL #12} (64-bit). Returns true when Rd/Rn match.
constexpr bool is_sub_imm(uint32_t w, int rd, int rn) {
  uint32_t top = w & 0xff800000u;
  bool sub = top == 0xd1000000u || top == 0xf1000000u;  // SUB or SUBS
  return sub && static_cast<int>(w & 31) == rd &&
         static_cast<int>((w >> 5) & 31) == rn;
}

// SUB / SUBS Xd, Xn|SP, Xm, UXTX #0 (extended register; 64-bit).
constexpr bool is_sub_ext(uint32_t w, int rd, int rn) {
  return (w & 0xdfe0fc00u) == 0xcb206000u && static_cast<int>(w & 31) == rd &&
         static_cast<int>((w >> 5) & 31) == rn;
}

// MOVZ / MOVN / MOVK Xd, #imm16{, LSL #s} (64-bit move wide).
constexpr bool is_movwide(uint32_t w, int rd) {
  return (w & 0x9f800000u) == 0x92800000u && static_cast<int>(w & 31) == rd;
}

// CMP Xn|SP, Xm (SUBS XZR, Xn, Xm), either the extended-register form
// (UXTX #0, the only way to name SP as Rn) or the shifted-register form
// (LSL #0). Flags are those of Xn - Xm. Returns {n, m} on a match.
struct CmpRegs {
  int n;
  int m;
};
constexpr std::optional<CmpRegs> cmp_x(uint32_t w) {
  int n = static_cast<int>((w >> 5) & 31);
  int m = static_cast<int>((w >> 16) & 31);
  if ((w & 0xffe0fc1fu) == 0xeb20601fu) return CmpRegs{n, m};  // extended, UXTX #0
  if ((w & 0xffe0fc1fu) == 0xeb00001fu && n != 31) return CmpRegs{n, m};  // shifted, LSL #0
  return std::nullopt;
}

}  // namespace gotrace::arch::arm64
