// Dispatch to the per-machine decoders, plus the branch-condition reference.
#include "gotrace/arch/probe_sites.h"

#include "gotrace/arch/amd64/probe_sites.h"
#include "gotrace/arch/arm64/probe_sites.h"

namespace gotrace::arch {

Result<ProbeSites> find_probe_sites(Machine m, std::span<const uint8_t> code,
                                    uint64_t entry, uint64_t deferreturn_addr) {
  switch (m) {
    case Machine::amd64:
      return amd64::find_probe_sites(code, entry, deferreturn_addr);
    case Machine::arm64:
      return arm64::find_probe_sites(code, entry, deferreturn_addr);
  }
  return make_error(Errc::invalid_argument, "unknown machine");
}

bool entry_branch_taken(BranchCond cond, uint64_t flags) {
  constexpr uint64_t kX86CF = 1u << 0, kX86ZF = 1u << 6;       // EFLAGS
  constexpr uint64_t kA64Z = 1u << 30, kA64C = 1u << 29;        // PSTATE NZCV
  switch (cond) {
    case BranchCond::none: return false;
    case BranchCond::amd64_jbe: return (flags & (kX86CF | kX86ZF)) != 0;
    case BranchCond::amd64_jb: return (flags & kX86CF) != 0;
    case BranchCond::arm64_ls: return (flags & kA64C) == 0 || (flags & kA64Z) != 0;
    case BranchCond::arm64_lo: return (flags & kA64C) == 0;
  }
  return false;
}

}  // namespace gotrace::arch
