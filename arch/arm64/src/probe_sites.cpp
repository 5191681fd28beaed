// arm64 probe sites from Go 1.18+ machine code (tracing-facts §4.2, §5.1).
#include "gotrace/arch/arm64/probe_sites.h"

#include "gotrace/arch/arm64/insn.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>

namespace gotrace::arch::arm64 {
namespace {

// Go's stack check (cmd/internal/obj/arm64/obj7.go stacksplit) is always at
// the very start, so only a few words are examined:
//   small:  MOVD 16(R28), R16 ; CMP R16, RSP ; BLS morestack
//   large:  MOVD 16(R28), R16 ; SUB $n, RSP, R17 ; CMP R16, R17 ; BLS
//   huge:   MOVD 16(R28), R16 ; SUBS $n, RSP, R17 ; BLO ms ; CMP R16, R17 ; BLS
//           where $n that does not fit an ADD/SUB immediate is first built in
//           REGTMP: MOVD $n, R27 ; SUBS R27, RSP, R17
// (Go syntax: CMP Rm, Rn sets flags from Rn - Rm, i.e. SP - stackguard.)
constexpr size_t kPrologueWindow = 8;  // huge frames: up to 6 words before BLS
constexpr int kRegGuard = 16;  // REGRT1: holds g.stackguard0
constexpr int kRegTmp = 17;    // REGRT2: SP - framesize
constexpr int kRegG = 28;
constexpr int kRegTmpAsm = 27;  // REGTMP: the assembler's scratch register

uint32_t word_at(std::span<const uint8_t> code, size_t i) {
  const uint8_t* p = code.data() + i * 4;
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 |
         uint32_t{p[3]} << 24;
}

struct Words {
  std::span<const uint8_t> code;
  uint64_t entry;
  size_t size() const { return code.size() / 4; }
  uint32_t operator[](size_t i) const { return word_at(code, i); }
  uint64_t addr(size_t i) const { return entry + i * 4; }
  std::optional<size_t> index_of(uint64_t a) const {
    if (a < entry || (a - entry) % 4 != 0 || (a - entry) / 4 >= size()) {
      return std::nullopt;
    }
    return (a - entry) / 4;
  }
};

// The morestack block at the end: spills, MOVD LR, R3, BL morestack,
// reloads, B back to the top of the stack check. Checking the shape keeps a
// look-alike compare in hand-written code from being mistaken for it.
bool is_morestack_block(const Words& w, uint64_t target, size_t branch,
                        uint64_t check_start) {
  auto start = w.index_of(target);
  if (!start || *start <= branch) return false;
  bool called = false;
  for (size_t i = *start; i < w.size(); ++i) {
    uint32_t x = w[i];
    if (is_bl(x)) called = true;
    if (is_b(x)) {
      uint64_t back = imm26_target(x, w.addr(i));
      return called && back >= w.entry && back <= check_start;
    }
    if (is_ret(x)) return false;
  }
  return false;
}

std::optional<EntrySite> find_stack_check(const Words& w) {
  bool loaded_guard = false;
  size_t n = std::min(w.size(), kPrologueWindow);
  for (size_t i = 0; i + 1 < n; ++i) {
    uint32_t x = w[i];
    if (auto off = ldr_x_imm(x, kRegGuard, kRegG); off && (*off == 16 || *off == 24)) {
      loaded_guard = true;  // 16: stackguard0; 24: stackguard1 (cgo callbacks)
      continue;
    }
    if (is_sub_imm(x, kRegTmp, kRegSP) || is_sub_ext(x, kRegTmp, kRegSP) ||
        is_movwide(x, kRegTmpAsm)) {
      continue;
    }
    if (is_bcond(x) && bcond_cond(x) == kCondLO) continue;  // huge-frame underflow check
    auto cmp = cmp_x(x);
    if (!cmp) return std::nullopt;
    if (!loaded_guard || cmp->m != kRegGuard ||
        (cmp->n != kRegSP && cmp->n != kRegTmp)) {
      return std::nullopt;
    }
    uint32_t br = w[i + 1];
    if (!is_bcond(br)) return std::nullopt;
    BranchCond cond;
    if (bcond_cond(br) == kCondLS) {
      cond = BranchCond::arm64_ls;
    } else if (bcond_cond(br) == kCondLO) {
      cond = BranchCond::arm64_lo;
    } else {
      return std::nullopt;
    }
    if (!is_morestack_block(w, imm19_target(br, w.addr(i + 1)), i + 1, w.entry)) {
      return std::nullopt;
    }
    return EntrySite{w.addr(i + 1), EntryKind::stack_check_branch, cond};
  }
  return std::nullopt;
}

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%#llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

Result<ProbeSites> find_probe_sites(std::span<const uint8_t> code,
                                    uint64_t entry, uint64_t deferreturn_addr) {
  if (code.empty()) {
    return make_error(Errc::invalid_argument, "empty function body");
  }
  if (code.size() % 4 != 0 || entry % 4 != 0) {
    return make_error(Errc::corrupt,
                      "arm64 code at " + hex(entry) + " is not whole 4-byte words (" +
                          std::to_string(code.size()) + " bytes)");
  }
  Words w{code, entry};
  ProbeSites sites;
  sites.entry = find_stack_check(w).value_or(
      EntrySite{entry, EntryKind::first_instruction, BranchCond::none});
  // Go pads functions with zero words; they match none of the masks.
  for (size_t i = 0; i < w.size(); ++i) {
    uint32_t x = w[i];
    if (is_ret(x)) {
      sites.returns.push_back(w.addr(i));
    } else if (deferreturn_addr != 0 && is_bl(x) &&
               imm26_target(x, w.addr(i)) == deferreturn_addr) {
      sites.deferreturns.push_back(w.addr(i));
    }
  }
  // No RET (a function that never returns, or ends in a tail call) is for
  // the planner to judge: its entry alone can still be probed.
  return sites;
}

}  // namespace gotrace::arch::arm64
