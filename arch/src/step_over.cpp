// Dispatch to the per-machine step-over planners. arm64 would need its own
// emulation of B/BL/CBZ/TBZ/ADR/LDR-literal; until the ptrace backend runs
// there, it is refused up front rather than planned wrongly.
#include "gotrace/arch/step_over.h"

#include "gotrace/arch/amd64/step_over.h"

namespace gotrace::arch {
namespace {

Error amd64_only() {
  return make_error(Errc::unsupported, "ptrace stepping is implemented for amd64 only");
}

}  // namespace

bool condition_holds(Cond c, uint64_t eflags) {
  return amd64::condition_holds(c, eflags);
}

Result<StepOver> plan_step_over(Machine m, std::span<const uint8_t> code,
                                uint64_t address, uint64_t slot) {
  if (m != Machine::amd64) return amd64_only();
  return amd64::plan_step_over(code, address, slot);
}

Result<void> apply_step_over(Machine m, const StepOver& plan, uint64_t slot,
                             ThreadRegisters& regs, const ReadMemory& read,
                             const WriteMemory& write) {
  if (m != Machine::amd64) return amd64_only();
  return amd64::apply_step_over(plan, slot, regs, read, write);
}

}  // namespace gotrace::arch
