#include "site_plan.h"

#include "gotrace/arch/abi.h"
#include "gotrace/arch/probe_sites.h"
#include "type_shape.h"

#include <algorithm>

namespace gotrace::tracer {
namespace {

uint8_t branch_cond_code(arch::BranchCond c) {
  switch (c) {
    case arch::BranchCond::amd64_jbe: return GT_COND_AMD64_JBE;
    case arch::BranchCond::amd64_jb: return GT_COND_AMD64_JB;
    case arch::BranchCond::arm64_ls: return GT_COND_ARM64_LS;
    case arch::BranchCond::arm64_lo: return GT_COND_ARM64_LO;
    case arch::BranchCond::none: return 0;
  }
  return 0;
}

Error for_function(const symbols::Function& fn, const Error& e) {
  return make_error(e.code, fn.name + ": " + e.message);
}

}  // namespace

arch::Machine machine_of(symbols::Machine m) {
  return m == symbols::Machine::arm64 ? arch::Machine::arm64 : arch::Machine::amd64;
}

Result<FunctionPlan> plan_function(const symbols::Binary& bin, const symbols::Function& fn,
                                   const TraceOptions& opts) {
  auto sig = bin.signature(fn);
  if (!sig) return sig.error();
  auto code = bin.code(fn);
  if (!code) return code.error();
  arch::Machine m = machine_of(bin.machine());
  uint64_t deferreturn = bin.symbol_address("runtime.deferreturn").value_or(0);
  auto sites = arch::find_probe_sites(m, *code, fn.entry, deferreturn);
  if (!sites) return for_function(fn, sites.error());

  std::vector<arch::AbiType> in, out;
  if (sig->has_dictionary) {
    // The hidden generic dictionary pointer takes the first integer register.
    arch::AbiType dict;
    dict.size = dict.align = 8;
    in.push_back(dict);
  }
  for (const auto& p : sig->params) {
    if (!p.type)
      return make_error(Errc::unsupported, fn.name + ": parameter " + p.name + " has no type");
    in.push_back(abi_type_of(*p.type));
  }
  for (const auto& r : sig->results) {
    if (!r.type)
      return make_error(Errc::unsupported, fn.name + ": result " + r.name + " has no type");
    out.push_back(abi_type_of(*r.type));
  }
  arch::FrameLayout layout = arch::assign_frame(m, in, out);
  if (sig->has_dictionary) layout.params.erase(layout.params.begin());

  FunctionPlan plan;
  plan.signature = std::move(*sig);
  plan.entry_line = bin.pc_to_line(fn.entry).value_or(plan.signature.decl);
  plan.entry_probe = sites->entry.address;
  // Only RETs: since Go 1.18 runtime.deferreturn always returns to its caller,
  // which then reaches a RET, so RET probes see every return exactly once;
  // probing the deferreturn call as well (as Delve 1.20.2 does) prints two
  // return lines per call.
  plan.return_probes = sites->returns;

  auto add = [&](SitePlan sp, SiteInfo info, uint16_t flags, uint8_t cond) -> Result<void> {
    auto off = bin.file_offset(info.probe);
    if (!off) return for_function(fn, off.error());
    sp.spec.flags = flags;
    sp.spec.branch_cond = cond;
    // One extra frame tells whether the stack was truncated at the depth.
    if (opts.stack_depth > 0)
      sp.spec.stack_frames = static_cast<gt_u8>(std::min(opts.stack_depth + 1, GT_MAX_FRAMES));
    info.values = std::move(sp.values);
    plan.sites.push_back({std::move(info), sp.spec, *off});
    return {};
  };

  const auto& params = plan.signature.params;
  const auto& results = plan.signature.results;
  bool entry_is_ret = opts.returns && std::find(sites->returns.begin(), sites->returns.end(),
                                                sites->entry.address) != sites->returns.end();
  SiteInfo entry;
  entry.pc = fn.entry;
  entry.probe = sites->entry.address;
  if (entry_is_ret) {
    std::vector<symbols::Variable> vars = params;
    vars.insert(vars.end(), results.begin(), results.end());
    std::vector<arch::ValueLocation> locs = layout.params;
    locs.insert(locs.end(), layout.results.begin(), layout.results.end());
    entry.entry_and_return = true;
    entry.split = params.size();
    if (auto r = add(plan_site(vars, locs, opts.load), std::move(entry), 0, 0); !r)
      return r.error();
  } else {
    bool branch = sites->entry.kind == arch::EntryKind::stack_check_branch;
    if (auto r = add(plan_site(params, layout.params, opts.load), std::move(entry),
                     branch ? GT_SPEC_SKIP_BRANCH : 0, branch_cond_code(sites->entry.cond));
        !r)
      return r.error();
  }
  if (opts.returns) {
    SitePlan ret = plan_site(results, layout.results, opts.load);
    for (uint64_t r : sites->returns) {
      if (entry_is_ret && r == sites->entry.address) continue;
      SiteInfo info;
      info.is_return = true;
      info.pc = info.probe = r;
      if (auto res = add(ret, std::move(info), GT_SPEC_RETURN, 0); !res) return res.error();
    }
  }
  return plan;
}

}  // namespace gotrace::tracer
