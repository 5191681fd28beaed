// amd64 probe sites from Go 1.17+ machine code (tracing-facts §4.2, §5.1).
// Go emits no data inside .text functions on amd64 (jump tables live in
// rodata), so a linear sweep decodes every instruction.
#include "gotrace/arch/amd64/probe_sites.h"

#include "decode.h"

#include <Zydis/Zydis.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace gotrace::arch::amd64 {
namespace {

// --- stack-check prologue -------------------------------------------------
// cmd/internal/obj/x86/obj6.go stacksplit, Go 1.17+ (g lives in R14):
//   small:  CMPQ 0x10(R14), SP ; JBE morestack
//   large:  LEAQ -n(SP), R12 ; CMPQ 0x10(R14), R12 ; JBE morestack
//   huge:   MOVQ SP, R12 ; SUBQ $n, R12 ; JCS morestack ;
//           CMPQ 0x10(R14), R12 ; JBE morestack
// Go's assembler prints the CMP operands reversed from Intel order: the
// machine instruction is `cmp rsp|r12, [r14+0x10]`, flags from SP - guard,
// so JBE (CF|ZF) means "stack too small". The probe goes on the final Jcc:
// every pass that reaches the body crosses it untaken exactly once.
constexpr size_t kPrologueWindow = 6;

struct Full {
  ZydisDecodedInstruction insn;
  ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
};

std::optional<Full> decode_full(const ZydisDecoder& dec, std::span<const uint8_t> code,
                                size_t off) {
  Full f;
  if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&dec, code.data() + off, code.size() - off,
                                           &f.insn, f.ops))) {
    return std::nullopt;
  }
  return f;
}

bool is_reg(const ZydisDecodedOperand& op, ZydisRegister r) {
  return op.type == ZYDIS_OPERAND_TYPE_REGISTER && op.reg.value == r;
}

// cmp rsp|r12, qword [r14+0x10]  (0x18 = stackguard1, used by cgo callbacks)
bool is_guard_cmp(const Full& f) {
  if (f.insn.mnemonic != ZYDIS_MNEMONIC_CMP || f.insn.operand_count_visible != 2) {
    return false;
  }
  const auto& a = f.ops[0];
  const auto& b = f.ops[1];
  if (!is_reg(a, ZYDIS_REGISTER_RSP) && !is_reg(a, ZYDIS_REGISTER_R12)) return false;
  return b.type == ZYDIS_OPERAND_TYPE_MEMORY && b.mem.base == ZYDIS_REGISTER_R14 &&
         b.mem.index == ZYDIS_REGISTER_NONE && b.mem.disp.has_displacement &&
         (b.mem.disp.value == 0x10 || b.mem.disp.value == 0x18);
}

// Instructions that may precede the CMP: they only compute SP - n into R12,
// or branch on its underflow (JCS = JB).
bool is_guard_setup(const Full& f) {
  auto m = f.insn.mnemonic;
  if (m == ZYDIS_MNEMONIC_JB) return true;
  bool writes_r12 = f.insn.operand_count_visible >= 1 && is_reg(f.ops[0], ZYDIS_REGISTER_R12);
  return writes_r12 && (m == ZYDIS_MNEMONIC_LEA || m == ZYDIS_MNEMONIC_MOV ||
                        m == ZYDIS_MNEMONIC_SUB);
}

// The morestack block: spills, CALL runtime.morestack[_noctxt], reloads,
// JMP back to the top of the stack check.
bool is_morestack_block(const std::vector<Insn>& ins, size_t branch, uint64_t target,
                        uint64_t check_start) {
  auto it = std::lower_bound(ins.begin(), ins.end(), target,
                             [](const Insn& i, uint64_t a) { return i.addr < a; });
  if (it == ins.end() || it->addr != target || it <= ins.begin() + branch) return false;
  bool called = false;
  for (; it != ins.end(); ++it) {
    if (it->mnemonic == ZYDIS_MNEMONIC_CALL) called = true;
    if (it->mnemonic == ZYDIS_MNEMONIC_RET) return false;
    if (it->mnemonic == ZYDIS_MNEMONIC_JMP) {
      return called && it->rel_target && *it->rel_target >= ins.front().addr &&
             *it->rel_target <= check_start;
    }
  }
  return false;
}

std::optional<EntrySite> find_stack_check(const ZydisDecoder& dec,
                                          std::span<const uint8_t> code,
                                          const std::vector<Insn>& ins) {
  size_t n = std::min(ins.size(), kPrologueWindow);
  uint64_t entry = ins.front().addr;
  for (size_t i = 0; i + 1 < n; ++i) {
    auto f = decode_full(dec, code, ins[i].addr - entry);
    if (!f) return std::nullopt;
    if (!is_guard_cmp(*f)) {
      if (is_guard_setup(*f)) continue;
      return std::nullopt;
    }
    const Insn& br = ins[i + 1];
    BranchCond cond;
    if (br.mnemonic == ZYDIS_MNEMONIC_JBE) {
      cond = BranchCond::amd64_jbe;
    } else if (br.mnemonic == ZYDIS_MNEMONIC_JB) {
      cond = BranchCond::amd64_jb;
    } else {
      return std::nullopt;
    }
    if (!br.rel_target || !is_morestack_block(ins, i + 1, *br.rel_target, entry)) {
      return std::nullopt;
    }
    return EntrySite{br.addr, EntryKind::stack_check_branch, cond};
  }
  return std::nullopt;
}

bool is_ret(const Insn& in) {
  // C3 = RET, C2 iw = RET imm16. Far returns (CB/CA) never appear in Go code.
  return in.mnemonic == ZYDIS_MNEMONIC_RET && in.legacy_map &&
         (in.opcode == 0xc3 || in.opcode == 0xc2);
}

}  // namespace

Result<ProbeSites> find_probe_sites(std::span<const uint8_t> code,
                                    uint64_t entry, uint64_t deferreturn_addr) {
  if (code.empty()) {
    return make_error(Errc::invalid_argument, "empty function body");
  }
  ZydisDecoder dec = make_decoder();
  auto ins = decode_all(dec, code, entry);
  if (!ins) return ins.error();

  ProbeSites sites;
  sites.entry = find_stack_check(dec, code, *ins).value_or(
      EntrySite{entry, EntryKind::first_instruction, BranchCond::none});
  for (const Insn& in : *ins) {
    if (is_ret(in)) {
      sites.returns.push_back(in.addr);
    } else if (deferreturn_addr != 0 && in.mnemonic == ZYDIS_MNEMONIC_CALL &&
               in.legacy_map && in.opcode == 0xe8 && in.rel_target == deferreturn_addr) {
      sites.deferreturns.push_back(in.addr);
    }
  }
  // No RET (a function that never returns, or ends in a tail call) is for
  // the planner to judge: its entry alone can still be probed.
  return sites;
}

}  // namespace gotrace::arch::amd64
