// amd64 step-over plans (Zydis) and their application to a stopped thread.
//
// Emulated, because their effect depends on the address they sit at:
//   Jcc rel8/rel32, JMP rel8/rel32, CALL rel32, RET, RET imm16,
//   JMP r/m64, CALL r/m64 (register, base+index*scale+disp, or RIP-relative).
// Displaced, byte for byte with a RIP-relative disp32 rebased to the slot,
// then a jump back: every other instruction, which covers all Go emits at
// function entries and statement starts (CMPQ, MOVQ, PUSHQ, SUBQ, LEAQ,
// XORPS, MOVUPS, NOP, REP STOSQ ...). SYSCALL is displaced too: it saves the
// pc after it, inside the slot, in RCX, and the kernel returns there, to the
// jump back; nothing reads that RCX as an address.
// Refused:
//   INT3, INT n, INT1, INTO, UD0/1/2: they trap by design, and from the slot
//     the signal would carry a pc that is in no Go function;
//   LOOP*, JRCXZ, XBEGIN and every other instruction that reads or writes RIP
//     (far JMP/CALL/RET, IRETQ, SYSRET ...): Go never emits them in functions
//     it compiles, and emulating them is not worth the risk;
//   EIP-relative (0x67) operands, 0x66-prefixed branches, FS/GS-based indirect
//     targets (the segment base is not in the register file);
//   a RIP-relative operand out of ±2 GiB reach of the slot.
#include "gotrace/arch/amd64/step_over.h"

#include <Zydis/Zydis.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gotrace::arch::amd64 {
namespace {

constexpr size_t kJmpRel32Bytes = 5;   // E9 rel32
constexpr size_t kJmpAbsBytes = 14;    // FF 25 00000000, then the address
static_assert(ZYDIS_MAX_INSTRUCTION_LENGTH + kJmpAbsBytes <= kStepOverSlotBytes);

constexpr int kDwarfRsp = 7;  // machine.h numbering

// DWARF numbering of the 64-bit GPRs (machine.h).
constexpr std::array<ZydisRegister, 16> kDwarfGprs = {
    ZYDIS_REGISTER_RAX, ZYDIS_REGISTER_RDX, ZYDIS_REGISTER_RCX, ZYDIS_REGISTER_RBX,
    ZYDIS_REGISTER_RSI, ZYDIS_REGISTER_RDI, ZYDIS_REGISTER_RBP, ZYDIS_REGISTER_RSP,
    ZYDIS_REGISTER_R8,  ZYDIS_REGISTER_R9,  ZYDIS_REGISTER_R10, ZYDIS_REGISTER_R11,
    ZYDIS_REGISTER_R12, ZYDIS_REGISTER_R13, ZYDIS_REGISTER_R14, ZYDIS_REGISTER_R15,
};

std::string hex(uint64_t v) {
  char buf[18] = {'0', 'x'};
  auto end = std::to_chars(buf + 2, std::end(buf), v, 16).ptr;
  return std::string(buf, end);
}

int dwarf_gpr(ZydisRegister r) {
  auto it = std::ranges::find(kDwarfGprs, r);
  return it == kDwarfGprs.end() ? -1 : static_cast<int>(it - kDwarfGprs.begin());
}

bool fits_i32(int64_t v) {
  return v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max();
}

// Signed distance from `from` to `to`, modulo 2^64 as the CPU computes it.
int64_t distance(uint64_t from, uint64_t to) { return static_cast<int64_t>(to - from); }

// Little-endian `v` into code[at, at + bytes), growing `code` as needed.
void put_le(std::vector<uint8_t>& code, size_t at, uint64_t v, size_t bytes) {
  if (code.size() < at + bytes) code.resize(at + bytes);
  for (size_t i = 0; i < bytes; ++i) code[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

struct Decoded {
  ZydisDecodedInstruction insn;
  ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
  uint64_t address = 0;
  std::span<const uint8_t> bytes;  // exactly the instruction
};

Error refuse(const Decoded& d, std::string_view why) {
  return make_error(Errc::unsupported,
                    std::string("cannot step over ") + ZydisMnemonicGetString(d.insn.mnemonic) +
                        " at " + hex(d.address) + ": " + std::string(why));
}

// Target of a relative branch, or address of a RIP-relative memory operand
// (the only operands it is called with, for which Zydis cannot fail).
uint64_t absolute(const Decoded& d, const ZydisDecodedOperand& op) {
  ZyanU64 out = 0;
  ZydisCalcAbsoluteAddress(&d.insn, &op, d.address, &out);
  return out;
}

bool is_ip(ZydisRegister r) {
  return r == ZYDIS_REGISTER_RIP || r == ZYDIS_REGISTER_EIP || r == ZYDIS_REGISTER_IP;
}

// Including hidden operands: that is how Zydis reports implicit RIP use.
bool touches_ip(const Decoded& d) {
  for (uint8_t i = 0; i < d.insn.operand_count; ++i) {
    const auto& op = d.ops[i];
    if (op.type == ZYDIS_OPERAND_TYPE_REGISTER && is_ip(op.reg.value)) return true;
  }
  return false;
}

const ZydisDecodedOperand* ip_relative_memory(const Decoded& d) {
  for (uint8_t i = 0; i < d.insn.operand_count_visible; ++i) {
    const auto& op = d.ops[i];
    if (op.type == ZYDIS_OPERAND_TYPE_MEMORY && is_ip(op.mem.base)) return &op;
  }
  return nullptr;
}

bool traps_by_design(const ZydisDecodedInstruction& insn) {
  return insn.meta.category == ZYDIS_CATEGORY_INTERRUPT ||
         insn.mnemonic == ZYDIS_MNEMONIC_UD0 || insn.mnemonic == ZYDIS_MNEMONIC_UD1 ||
         insn.mnemonic == ZYDIS_MNEMONIC_UD2;
}

// Checks shared by every emulated branch. With a 0x66 prefix Intel CPUs
// ignore the prefix but AMD ones take a 16-bit target: even the length of the
// instruction depends on the vendor.
std::optional<Error> branch_refusal(const Decoded& d) {
  if (d.insn.meta.branch_type == ZYDIS_BRANCH_TYPE_FAR) {
    return refuse(d, "far branches change CS and are not emulated");
  }
  if ((d.insn.attributes & ZYDIS_ATTRIB_HAS_OPERANDSIZE) != 0) {
    return refuse(d, "a 0x66 prefix makes a branch's meaning depend on the CPU vendor");
  }
  return std::nullopt;
}

Result<StepOver> plan_jcc(const Decoded& d, StepOver s) {
  const auto& insn = d.insn;
  bool short_jcc = insn.opcode_map == ZYDIS_OPCODE_MAP_DEFAULT && (insn.opcode & 0xf0) == 0x70;
  bool near_jcc = insn.opcode_map == ZYDIS_OPCODE_MAP_0F && (insn.opcode & 0xf0) == 0x80;
  if (!short_jcc && !near_jcc) {
    return refuse(d, "only Jcc among conditional branches is emulated (not LOOP, JRCXZ, XBEGIN)");
  }
  if (auto e = branch_refusal(d)) return *e;
  s.kind = StepOver::Kind::jump_if;
  s.cond = static_cast<Cond>(insn.opcode & 0x0f);
  s.target = absolute(d, d.ops[0]);
  return s;
}

Result<IndirectOperand> indirect_operand(const Decoded& d) {
  const auto& op = d.ops[0];
  IndirectOperand out;
  if (op.type == ZYDIS_OPERAND_TYPE_REGISTER) {
    out.reg = dwarf_gpr(op.reg.value);
    if (out.reg < 0) return refuse(d, "the target register is not a 64-bit GPR");
    return out;
  }
  if (op.mem.segment == ZYDIS_REGISTER_FS || op.mem.segment == ZYDIS_REGISTER_GS) {
    return refuse(d, "an FS/GS-based target needs the segment base, which is not in the registers");
  }
  if (d.insn.address_width != 64) return refuse(d, "32-bit addressing (0x67) is not emulated");
  out.is_memory = true;
  if (op.mem.base == ZYDIS_REGISTER_RIP) {
    out.disp = static_cast<int64_t>(absolute(d, op));
    return out;
  }
  if (op.mem.base != ZYDIS_REGISTER_NONE && (out.reg = dwarf_gpr(op.mem.base)) < 0) {
    return refuse(d, "the target's base is not a 64-bit GPR");
  }
  if (op.mem.index != ZYDIS_REGISTER_NONE) {
    if ((out.index = dwarf_gpr(op.mem.index)) < 0) {
      return refuse(d, "the target's index is not a 64-bit GPR");
    }
    out.scale = op.mem.scale;
  }
  out.disp = op.mem.disp.value;
  return out;
}

// JMP or CALL: rel8/rel32 is `direct`, r/m64 is `indirect`.
Result<StepOver> plan_near(const Decoded& d, StepOver s, StepOver::Kind direct,
                           StepOver::Kind indirect) {
  if (auto e = branch_refusal(d)) return *e;
  const auto& op = d.ops[0];
  if (op.type == ZYDIS_OPERAND_TYPE_IMMEDIATE && op.imm.is_relative) {
    s.kind = direct;
    s.target = absolute(d, op);
    return s;
  }
  auto operand = indirect_operand(d);
  if (!operand) return operand.error();
  s.kind = indirect;
  s.operand = *operand;
  return s;
}

Result<StepOver> plan_ret(const Decoded& d, StepOver s) {
  if (auto e = branch_refusal(d)) return *e;
  s.kind = StepOver::Kind::ret;
  if (d.insn.operand_count_visible == 1) s.ret_pop = static_cast<uint16_t>(d.ops[0].imm.value.u);
  return s;
}

// Back to `to` from `at` (the end of the copied instruction in the slot).
void append_jump_back(std::vector<uint8_t>& code, uint64_t at, uint64_t to) {
  int64_t rel = distance(at + kJmpRel32Bytes, to);
  if (fits_i32(rel)) {
    code.push_back(0xe9);
    put_le(code, code.size(), static_cast<uint64_t>(rel), 4);
    return;
  }
  // jmp qword ptr [rip+0]: the absolute target sits right after it.
  code.insert(code.end(), {0xff, 0x25, 0x00, 0x00, 0x00, 0x00});
  put_le(code, code.size(), to, 8);
}

Result<StepOver> plan_displaced(const Decoded& d, uint64_t slot, StepOver s) {
  if (touches_ip(d) && d.insn.mnemonic != ZYDIS_MNEMONIC_SYSCALL) {
    return refuse(d, "it reads or writes RIP and is not one of the emulated branches");
  }
  s.kind = StepOver::Kind::displaced;
  s.code.assign(d.bytes.begin(), d.bytes.end());
  if (const auto* mem = ip_relative_memory(d)) {
    if (mem->mem.base != ZYDIS_REGISTER_RIP) {
      return refuse(d, "EIP-relative (0x67) operands are not relocated");
    }
    uint64_t operand = absolute(d, *mem);
    int64_t disp = distance(slot + s.length, operand);
    if (!fits_i32(disp)) {
      return refuse(d, "its RIP-relative operand " + hex(operand) +
                           " is out of ±2 GiB reach of the slot at " + hex(slot));
    }
    // In 64-bit mode a RIP-relative displacement is always 32 bits.
    put_le(s.code, d.insn.raw.disp.offset, static_cast<uint64_t>(disp), 4);
  }
  append_jump_back(s.code, slot + s.length, s.next);
  return s;
}

}  // namespace

bool condition_holds(Cond c, uint64_t eflags) {
  auto flag = [eflags](int bit) { return ((eflags >> bit) & 1) != 0; };
  bool cf = flag(0), pf = flag(2), zf = flag(6), sf = flag(7), of = flag(11);
  // Odd condition codes are the negation of the even one before them.
  auto code = static_cast<unsigned>(c);
  bool holds = false;
  switch (code >> 1) {
    case 0: holds = of; break;
    case 1: holds = cf; break;
    case 2: holds = zf; break;
    case 3: holds = cf || zf; break;
    case 4: holds = sf; break;
    case 5: holds = pf; break;
    case 6: holds = sf != of; break;
    case 7: holds = zf || sf != of; break;
  }
  return (code & 1) != 0 ? !holds : holds;
}

Result<StepOver> plan_step_over(std::span<const uint8_t> code, uint64_t address,
                                uint64_t slot) {
  ZydisDecoder dec;
  ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
  Decoded d;
  d.address = address;
  if (!ZYAN_SUCCESS(ZydisDecoderDecodeFull(&dec, code.data(), code.size(), &d.insn, d.ops))) {
    return make_error(Errc::corrupt, "undecodable amd64 instruction at " + hex(address));
  }
  d.bytes = code.first(d.insn.length);
  if (traps_by_design(d.insn)) {
    return refuse(d, "it traps by design, and from the slot its signal would carry a pc "
                     "in no Go function");
  }
  StepOver s;
  s.length = d.insn.length;
  s.next = address + d.insn.length;
  if (d.insn.meta.category == ZYDIS_CATEGORY_COND_BR) return plan_jcc(d, std::move(s));
  switch (d.insn.mnemonic) {
    case ZYDIS_MNEMONIC_JMP:
      return plan_near(d, std::move(s), StepOver::Kind::jump, StepOver::Kind::jump_indirect);
    case ZYDIS_MNEMONIC_CALL:
      return plan_near(d, std::move(s), StepOver::Kind::call, StepOver::Kind::call_indirect);
    case ZYDIS_MNEMONIC_RET:
      return plan_ret(d, std::move(s));
    default:
      return plan_displaced(d, slot, std::move(s));
  }
}

// --- application ------------------------------------------------------------

namespace {

class Stepper {
 public:
  Stepper(const StepOver& plan, ThreadRegisters& regs, const ReadMemory& read,
          const WriteMemory& write)
      : plan_(plan), regs_(regs), read_(read), write_(write) {}

  Result<uint64_t> load(uint64_t addr, std::string_view what) const {
    uint64_t v = 0;
    if (!read_(addr, &v, sizeof v)) return fault("read", what, addr);
    return v;
  }

  Result<void> push(uint64_t v) {
    uint64_t sp = regs_.gpr[kDwarfRsp] - sizeof v;
    if (!write_(sp, &v, sizeof v)) return fault("write", "the return address", sp);
    regs_.gpr[kDwarfRsp] = sp;
    return {};
  }

  // Read before any push: CALL computes its target from the old RSP.
  Result<uint64_t> indirect_target() const {
    const IndirectOperand& op = plan_.operand;
    if (!op.is_memory) return regs_.gpr[op.reg];
    uint64_t addr = static_cast<uint64_t>(op.disp);
    if (op.reg >= 0) addr += regs_.gpr[op.reg];
    if (op.index >= 0) addr += regs_.gpr[op.index] * op.scale;
    return load(addr, "the branch target");
  }

 private:
  Error fault(std::string_view verb, std::string_view what, uint64_t addr) const {
    return make_error(Errc::io, std::string("cannot ") + std::string(verb) + " " +
                                    std::string(what) + " at " + hex(addr) +
                                    " stepping over the instruction at " +
                                    hex(plan_.next - plan_.length));
  }

  const StepOver& plan_;
  ThreadRegisters& regs_;
  const ReadMemory& read_;
  const WriteMemory& write_;
};

}  // namespace

Result<void> apply_step_over(const StepOver& plan, uint64_t slot, ThreadRegisters& regs,
                             const ReadMemory& read, const WriteMemory& write) {
  // Work on a copy so a fault leaves the thread as it was.
  ThreadRegisters out = regs;
  Stepper step(plan, out, read, write);
  switch (plan.kind) {
    case StepOver::Kind::jump_if:
      out.pc = amd64::condition_holds(plan.cond, out.flags) ? plan.target : plan.next;
      break;
    case StepOver::Kind::jump:
      out.pc = plan.target;
      break;
    case StepOver::Kind::call: {
      if (auto r = step.push(plan.next); !r) return r.error();
      out.pc = plan.target;
      break;
    }
    case StepOver::Kind::jump_indirect:
    case StepOver::Kind::call_indirect: {
      auto target = step.indirect_target();
      if (!target) return target.error();
      if (plan.kind == StepOver::Kind::call_indirect) {
        if (auto r = step.push(plan.next); !r) return r.error();
      }
      out.pc = *target;
      break;
    }
    case StepOver::Kind::ret: {
      auto ra = step.load(out.gpr[kDwarfRsp], "the return address");
      if (!ra) return ra.error();
      out.gpr[kDwarfRsp] += sizeof(uint64_t) + plan.ret_pop;
      out.pc = *ra;
      break;
    }
    case StepOver::Kind::displaced:
      out.pc = slot;
      break;
  }
  regs = out;
  return {};
}

}  // namespace gotrace::arch::amd64
