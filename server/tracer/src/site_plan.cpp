#include "site_plan.h"

#include "gotrace/arch/abi.h"
#include "gotrace/arch/calls.h"
#include "line_plan.h"
#include "gotrace/arch/probe_sites.h"
#include "gotrace/arch/stack_abi.h"
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

namespace {

// What a function's sites capture: the parameters at the entry, the results
// at each RET, with their ABI locations.
struct Values {
  symbols::Signature signature;
  std::vector<arch::ValueLocation> param_locs, result_locs;
  bool raw = false;
  bool g_from_tls = false;
};

Result<Values> typed_values(const symbols::Binary& bin, const symbols::Function& fn,
                            arch::Machine m) {
  auto sig = bin.signature(fn);
  if (!sig) return sig.error();
  std::vector<arch::AbiType> in, out;
  for (const auto& p : sig->params) {
    if (!p.type)
      return make_error(Errc::unsupported, fn.name + ": parameter " + p.name + " has no type");
    in.push_back(abi_type_of(*p.type));
  }
  // The hidden generic dictionary pointer takes an integer register of its
  // own: first, or after a method's receiver (symbols::dictionary_position).
  size_t dict_at = 0;
  if (sig->has_dictionary) {
    arch::AbiType dict;
    dict.size = dict.align = 8;
    dict_at = std::min(symbols::dictionary_position(*sig, bin.go_version()), in.size());
    in.insert(in.begin() + static_cast<std::ptrdiff_t>(dict_at), dict);
  }
  for (const auto& r : sig->results) {
    if (!r.type)
      return make_error(Errc::unsupported, fn.name + ": result " + r.name + " has no type");
    out.push_back(abi_type_of(*r.type));
  }
  // Before the register ABI everything was on the stack, and amd64 code
  // kept g only in thread-local storage.
  bool registers = arch::uses_register_abi(m, bin.go_version());
  arch::FrameLayout layout = registers ? arch::assign_frame(m, in, out) : arch::assign_stack_frame(m, in, out);
  if (sig->has_dictionary) layout.params.erase(layout.params.begin() + static_cast<std::ptrdiff_t>(dict_at));
  Values v;
  v.g_from_tls = !registers && m == arch::Machine::amd64 && bin.g_tls_offset().has_value();
  v.signature = std::move(*sig);
  v.param_locs = std::move(layout.params);
  v.result_locs = std::move(layout.results);
  return v;
}

// Without parameter types (a stripped binary, an assembly function) the
// argument frame's size is known: its words are captured where the ABI puts
// them (integer registers, then the stack, for ABIInternal; the stack for
// ABI0) and shown raw, at the entry and again at each return, where results
// have been stored over them.
Values raw_values(const symbols::Binary& bin, const symbols::Function& fn, arch::Machine m) {
  Values v;
  v.raw = true;
  v.signature.decl = bin.pc_to_line(fn.entry).value_or(symbols::SourceLine{});
  unsigned words = std::min<unsigned>(fn.args_size / 8, GT_MAX_WORDS / 2);
  bool registers = !fn.abi0 && arch::uses_register_abi(m, bin.go_version());
  // Where the thread-local slot is unknown (a stripped externally linked
  // binary), R14 is still g at the entry of code called from Go.
  v.g_from_tls = !registers && m == arch::Machine::amd64 && bin.g_tls_offset().has_value();
  int regs = registers ? arch::int_arg_reg_count(m) : 0;
  for (unsigned i = 0; i < words; i++) {
    arch::ValueLocation loc;
    if (static_cast<int>(i) < regs) {
      loc.pieces.push_back({arch::int_arg_reg_dwarf(m, static_cast<int>(i)), false, 0, 8});
    } else {
      loc.on_stack = true;
      loc.stack_offset = arch::stack_args_offset(m) + 8 * static_cast<int64_t>(i - regs);
    }
    v.signature.params.push_back({"~w" + std::to_string(i), &raw_word_type(), false});
    v.param_locs.push_back(loc);
    v.result_locs.push_back(loc);
  }
  return v;
}

// Float parameters arrive in XMM (V) registers, which a uprobe's context
// does not hold. -N -l builds store every parameter to its stack slot right
// after the prologue, and from that instruction on DWARF locates it there:
// as Delve's eBPF tracer does (it probes FirstPCAfterPrologue), the entry is
// probed at the first instruction where every float parameter is in memory
// and every parameter is located, and the parameters are read from DWARF.
// Optimized builds keep floats in registers: none is found, the entry stays
// where it is, and only the ptrace backend reads them there.
struct SpillSite {
  uint64_t pc = 0;
  int64_t cfa = 0;
  std::vector<Placement> places;
};

std::optional<SpillSite> spill_site(const symbols::Binary& bin, const symbols::Function& fn,
                                    std::span<const uint8_t> code, uint64_t stack_check,
                                    const std::vector<symbols::Variable>& params,
                                    const std::vector<arch::ValueLocation>& locs, arch::Machine m) {
  std::vector<bool> is_float(params.size());
  bool any = false;
  for (size_t i = 0; i < params.size() && i < locs.size(); i++)
    for (const arch::RegPiece& r : locs[i].pieces)
      if (r.is_float) is_float[i] = any = true;
  if (!any) return std::nullopt;
  // Only where every call passes: the straight line from the entry, which
  // in -N -l builds holds the prologue and the spills.
  auto starts = arch::straight_line(m, code, fn.entry, stack_check);
  if (!starts) return std::nullopt;
  constexpr size_t kSearched = 48;
  for (size_t k = 1; k < starts->size() && k < kSearched; k++) {
    uint64_t pc = (*starts)[k];
    auto vars = bin.variables_at(fn, pc);
    auto cfa = bin.cfa_offset(pc);
    if (!vars || !cfa) continue;
    SpillSite site{pc, *cfa, {}};
    bool ok = true;
    for (size_t i = 0; ok && i < params.size(); i++) {
      auto v = std::find_if(vars->begin(), vars->end(), [&](const symbols::ScopedVariable& sv) {
        return sv.is_param && !sv.var.is_result && sv.var.name == params[i].name;
      });
      if (v == vars->end() || v->pieces.empty()) {
        ok = false;
        break;
      }
      if (is_float[i])
        for (const symbols::LocationPiece& lp : v->pieces)
          if (lp.kind != symbols::LocationPiece::Kind::frame) ok = false;
      site.places.push_back(placement_from_dwarf(*v, *cfa, m));
    }
    if (ok) return site;
  }
  return std::nullopt;
}

}  // namespace

Result<FunctionPlan> plan_function(const symbols::Binary& bin, const symbols::Function& fn,
                                   const TraceOptions& opts) {
  arch::Machine m = machine_of(bin.machine());
  Result<Values> vals = fn.abi0 || !bin.has_dwarf() ? Result<Values>(raw_values(bin, fn, m))
                                                    : typed_values(bin, fn, m);
  if (!vals) return vals.error();
  if (vals->raw && bin.has_dwarf() && !opts.raw_words) {
    // Assembly among typed Go code: no values, as Delve (g still comes
    // from TLS: the function may use R14 for anything).
    vals->signature.params.clear();
    vals->signature.results.clear();
    vals->raw = false;
  }
  auto code = bin.code(fn);
  if (!code) return code.error();
  uint64_t deferreturn = bin.symbol_address("runtime.deferreturn").value_or(0);
  auto sites = arch::find_probe_sites(m, *code, fn.entry, deferreturn);
  if (!sites) return for_function(fn, sites.error());
  // Without a RET (a function that only panics or exits, a tail call that
  // returns through another function's RET) only the entry is seen: Delve
  // traces it so, printing the entry and no return.
  // Raw results are the words of the argument frame again, now holding the
  // results too.
  std::vector<symbols::Variable> raw_results;
  if (vals->raw)
    for (symbols::Variable w : vals->signature.params) {
      w.is_result = true;
      raw_results.push_back(w);
    }
  uint16_t g_flag = vals->g_from_tls ? GT_SPEC_G_FROM_TLS : 0;
  using Follow = TraceOptions::Follow;
  // Which follow-calls mark a site carries: roots count their goroutine in
  // at the entry and out at each return; every site of a callee filters.
  auto follow_flag = [&](bool entry, bool ret) -> uint16_t {
    if (opts.follow == Follow::callee) return GT_SPEC_UNDER_ROOT;
    if (opts.follow != Follow::root || entry == ret) return 0;
    return entry ? GT_SPEC_ROOT_ENTER : GT_SPEC_ROOT_LEAVE;
  };

  FunctionPlan plan;
  plan.raw_values = vals->raw;
  plan.signature = std::move(vals->signature);
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
    sp.spec.flags = flags | g_flag |
                    follow_flag(!info.is_return || info.entry_and_return, info.is_return || info.entry_and_return);
    sp.spec.branch_cond = cond;
    // One extra frame tells whether the stack was truncated at the depth.
    if (opts.stack_depth > 0)
      sp.spec.stack_frames = static_cast<gt_u8>(std::min(opts.stack_depth + 1, GT_MAX_FRAMES));
    info.values = std::move(sp.values);
    plan.sites.push_back({std::move(info), sp.spec, *off});
    return {};
  };

  const auto& params = plan.signature.params;
  const auto& results = vals->raw ? raw_results : plan.signature.results;
  const auto& param_locs = vals->param_locs;
  const auto& result_locs = vals->result_locs;
  bool entry_is_ret = opts.returns && std::find(sites->returns.begin(), sites->returns.end(),
                                                sites->entry.address) != sites->returns.end();
  SiteInfo entry;
  entry.pc = fn.entry;
  entry.probe = sites->entry.address;
  if (entry_is_ret) {
    std::vector<symbols::Variable> vars = params;
    vars.insert(vars.end(), results.begin(), results.end());
    std::vector<arch::ValueLocation> locs = param_locs;
    locs.insert(locs.end(), result_locs.begin(), result_locs.end());
    entry.entry_and_return = true;
    entry.split = params.size();
    if (auto r = add(plan_site(vars, locs, opts.load), std::move(entry), 0, 0); !r)
      return r.error();
  } else if (auto spill = vals->raw ? std::nullopt
                                     : spill_site(bin, fn, *code,
                                                  sites->entry.kind == arch::EntryKind::stack_check_branch
                                                      ? sites->entry.address
                                                      : 0,
                                                  params, param_locs, m)) {
    entry.probe = spill->pc;
    auto at_entry = bin.cfa_offset(fn.entry);
    entry.sp_adjust = spill->cfa - (at_entry ? *at_entry : 0);
    plan.entry_probe = spill->pc;
    if (auto r = add(plan_site(params, spill->places, opts.load), std::move(entry),
                     frame_is_set(spill->cfa, m) ? GT_SPEC_FRAME_SET : 0, 0);
        !r)
      return r.error();
  } else {
    bool branch = sites->entry.kind == arch::EntryKind::stack_check_branch;
    if (auto r = add(plan_site(params, param_locs, opts.load), std::move(entry),
                     branch ? GT_SPEC_SKIP_BRANCH : 0, branch_cond_code(sites->entry.cond));
        !r)
      return r.error();
  }
  if (opts.returns) {
    SitePlan ret = plan_site(results, result_locs, opts.load);
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
