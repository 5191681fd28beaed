// amd64 step-over planning (Zydis) and its application. Internal to `arch`:
// reached through gotrace::arch::plan_step_over / apply_step_over.
#pragma once

#include "gotrace/arch/step_over.h"

#include <cstdint>
#include <span>

namespace gotrace::arch::amd64 {

// Same contracts as the gotrace::arch functions for Machine::amd64.
bool condition_holds(Cond c, uint64_t eflags);
Result<StepOver> plan_step_over(std::span<const uint8_t> code, uint64_t address,
                                uint64_t slot);
Result<void> apply_step_over(const StepOver& plan, uint64_t slot,
                             ThreadRegisters& regs, const ReadMemory& read,
                             const WriteMemory& write);

}  // namespace gotrace::arch::amd64
