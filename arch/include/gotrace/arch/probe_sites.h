// Probe placement from a function's machine code (tracing-facts §4.2, §5.1).
//
// Entry: a uprobe on an instruction the kernel emulates costs ~0.8 µs, one it
// single-steps out of line ~4.2 µs. Every splittable Go function begins
//   amd64: CMPQ 0x10(R14), SP ; JBE morestack      (or LEAQ -x(SP), R12 ;
//          CMPQ 0x10(R14), R12 ; JBE)  for large frames
//   arm64: MOVD 16(R28), R16 ; CMP R16, RSP ; BLS morestack   (variants)
// so the entry probe goes on that conditional branch, with all argument
// registers still live; the BPF program drops the pass whose flags say the
// branch will be taken (it goes to morestack and re-enters the function), which
// makes entry events exactly-once. NOSPLIT functions have no stack check and
// take their first instruction.
//
// Returns: every RET, plus every CALL runtime.deferreturn (never uretprobes:
// Go moves stacks and uretprobes rewrite the return address).
#pragma once

#include "gotrace/arch/machine.h"
#include "gotrace/support/result.h"

#include <cstdint>
#include <span>
#include <vector>

namespace gotrace::arch {

enum class EntryKind : uint8_t {
  stack_check_branch,  // conditional branch of the stack-check prologue
  first_instruction,   // no stack check: probe the entry address
};

// How to tell from the flags saved at the branch whether it will be taken.
enum class BranchCond : uint8_t {
  none,
  amd64_jbe,  // taken if CF=1 or ZF=1
  amd64_jb,   // taken if CF=1
  arm64_ls,   // taken if C=0 or Z=1
  arm64_lo,   // taken if C=0
};

// Whether the stack-check branch goes to morestack given the flags saved at
// the probe (pt_regs flags/pstate, see pt_regs_flags_offset). Such a pass
// re-runs the function after growing the stack, so it is not an entry event.
// Always false for BranchCond::none. The BPF program implements the same test;
// this is its reference.
bool entry_branch_taken(BranchCond cond, uint64_t flags);

struct EntrySite {
  uint64_t address = 0;  // virtual address of the probed instruction
  EntryKind kind = EntryKind::first_instruction;
  BranchCond cond = BranchCond::none;
};

struct ProbeSites {
  EntrySite entry;
  std::vector<uint64_t> returns;       // addresses of RET instructions
  std::vector<uint64_t> deferreturns;  // addresses of CALL runtime.deferreturn
};

// Decodes `code` (the bytes of [entry, entry+code.size())) and finds the probe
// sites. `deferreturn_addr` is the address of runtime.deferreturn (0 if
// unknown). Fails with Errc::corrupt if the bytes do not decode, and with
// Errc::unsupported if the function has no RET (tail call, never returns).
// In the unsupported case nothing may be probed: the caller decides.
Result<ProbeSites> find_probe_sites(Machine m, std::span<const uint8_t> code,
                                    uint64_t entry, uint64_t deferreturn_addr);

}  // namespace gotrace::arch
