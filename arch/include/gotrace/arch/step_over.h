// Stepping a thread over a software breakpoint without removing it.
//
// The ptrace backend writes int3 (0xCC) over the first byte of a probed
// instruction and leaves it there while other threads keep running through
// it. A thread that stops on it is resumed by either emulating the original
// instruction in its registers (every instruction whose effect depends on
// where it sits: relative branches, calls, returns, indirect branches) or by
// running a displaced copy in a scratch "slot", an executable page the tracer
// maps within ±2 GiB of the code, that ends by jumping back. The plan is
// computed once per site from the original bytes; applying it is register
// arithmetic plus at most two 8-byte memory accesses.
//
// A displaced instruction that faults (a Go nil check such as TESTB AL, (CX))
// or is interrupted before it completes (REP STOSQ, a restarted syscall) does
// so with the pc at the slot, and it has not taken effect: x86 faults are
// precise. The tracer must move such a pc back to the original address before
// the signal reaches Go's handler, which only knows the function's own pcs.
#pragma once

#include "gotrace/arch/machine.h"
#include "gotrace/support/result.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace gotrace::arch {

// amd64 condition codes of Jcc: the low nibble of 0x7x / 0x0F 0x8x.
enum class Cond : uint8_t { o, no, b, ae, e, ne, be, a, s, ns, p, np, l, ge, le, g };

// Whether a Jcc with condition `c` is taken given the saved EFLAGS.
bool condition_holds(Cond c, uint64_t eflags);

// The operand of an indirect jump or call, in DWARF register numbers.
// RIP-relative memory is resolved to an absolute address at planning time
// (reg = -1, disp = the absolute address).
struct IndirectOperand {
  bool is_memory = false;
  int reg = -1;    // the register operand, or the memory base (-1: none)
  int index = -1;  // memory index (-1: none)
  uint8_t scale = 1;
  int64_t disp = 0;
};

struct StepOver {
  enum class Kind : uint8_t {
    jump_if,        // Jcc rel8/rel32: pc = cond ? target : next
    jump,           // JMP rel8/rel32
    call,           // CALL rel32: push next, pc = target
    ret,            // RET / RET imm16
    jump_indirect,  // JMP r/m64
    call_indirect,  // CALL r/m64
    displaced,      // run `code` at the slot
  };
  Kind kind = Kind::displaced;
  uint8_t length = 0;         // bytes of the original instruction
  uint64_t next = 0;          // address after it
  uint64_t target = 0;        // jump_if / jump / call
  Cond cond = Cond::o;        // jump_if
  uint16_t ret_pop = 0;       // RET imm16: bytes popped after the return address
  IndirectOperand operand;    // jump_indirect / call_indirect
  std::vector<uint8_t> code;  // displaced: the bytes to write at the slot
};

// Room one displaced site takes in the slot page: the longest instruction
// (15 bytes) plus the longest jump back (14 bytes).
inline constexpr size_t kStepOverSlotBytes = 32;

// Plans stepping over the instruction at `address`. `code` holds the bytes
// from `address` on (the whole instruction; more is fine). `slot` is where a
// displaced copy would be written. Errc::corrupt if the bytes do not decode;
// Errc::unsupported, naming the mnemonic and address, for an instruction that
// can be neither emulated nor displaced (listed in arch/amd64/src/step_over.cpp).
Result<StepOver> plan_step_over(Machine m, std::span<const uint8_t> code,
                                uint64_t address, uint64_t slot);

// A stopped thread's registers: gpr by DWARF number (amd64: 0..15), pc and
// flags (amd64: EFLAGS).
struct ThreadRegisters {
  uint64_t gpr[kMaxDwarfGpr] = {};
  uint64_t pc = 0;
  uint64_t flags = 0;
};

// Thread memory accessors; false means the access faulted.
using ReadMemory = std::function<bool(uint64_t addr, void* out, size_t len)>;
using WriteMemory = std::function<bool(uint64_t addr, const void* in, size_t len)>;

// Sets `regs` (pc, and sp for call/ret, reading the return address or the
// indirect target and writing the pushed return address through the
// callbacks) so that resuming the thread executes the planned instruction
// once; for displaced, pc = `slot`, which must be the slot passed to the plan.
// regs.pc on entry is not read. On a faulting access returns Errc::io naming
// the memory and instruction addresses, and leaves `regs` unchanged.
Result<void> apply_step_over(Machine m, const StepOver& plan, uint64_t slot,
                             ThreadRegisters& regs, const ReadMemory& read,
                             const WriteMemory& write);

}  // namespace gotrace::arch
