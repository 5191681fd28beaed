#include "line_plan.h"

#include "gotrace/arch/machine.h"

#include <algorithm>

namespace gotrace::tracer {

bool frame_is_set(int64_t cfa, arch::Machine m) { return cfa > (m == arch::Machine::amd64 ? 8 : 0); }

Placement placement_from_dwarf(const symbols::ScopedVariable& v, int64_t cfa, arch::Machine m) {
  Placement p;
  uint64_t size = v.var.type ? v.var.type->size : 0;
  if (v.pieces.empty()) {
    p.unreadable = "optimized away at this address";
    return p;
  }
  uint64_t at = 0;
  for (const symbols::LocationPiece& lp : v.pieces) {
    Piece piece;
    piece.value_offset = at;
    piece.size = lp.size ? lp.size : size - std::min(at, size);
    switch (lp.kind) {
      case symbols::LocationPiece::Kind::reg:
        piece.kind = Piece::Kind::reg;
        piece.dwarf_reg = lp.reg;
        // Float (and vector) registers are not in pt_regs.
        piece.is_float = !arch::pt_regs_offset(m, lp.reg).has_value();
        if (piece.size > 8 && !piece.is_float) {
          p.unreadable = "unsupported location";
          return p;
        }
        break;
      case symbols::LocationPiece::Kind::frame:
        piece.kind = Piece::Kind::stack;
        piece.stack_offset = cfa + lp.offset;
        break;
      case symbols::LocationPiece::Kind::absent:
        piece.kind = Piece::Kind::absent;
        break;
    }
    at += piece.size;
    p.pieces.push_back(piece);
  }
  if (at != size) p.unreadable = "unsupported location";
  return p;
}

Result<LinePlan> plan_line(const symbols::Binary& bin, const symbols::Function& fn, uint64_t pc,
                           const LineCapture& capture, const TraceOptions& opts) {
  auto sig = bin.signature(fn);
  if (!sig) return sig.error();
  auto scope = bin.variables_at(fn, pc);
  if (!scope) return scope.error();
  auto cfa = bin.cfa_offset(pc);
  if (!cfa) return cfa.error();
  auto off = bin.file_offset(pc);
  if (!off) return off.error();

  // Parameters come first and locals outer scope first, so the last of
  // equal names is the one the name means here; the others are shadowed.
  auto innermost = [&](const std::string& name) -> const symbols::ScopedVariable* {
    const symbols::ScopedVariable* found = nullptr;
    for (const auto& v : *scope)
      if (v.var.name == name) found = &v;
    return found;
  };
  // Named variables first, so they have the capture budget first.
  std::vector<const symbols::ScopedVariable*> chosen;
  auto take = [&](const symbols::ScopedVariable* v) {
    if (std::find(chosen.begin(), chosen.end(), v) == chosen.end()) chosen.push_back(v);
  };
  for (const std::string& name : capture.names) {
    const symbols::ScopedVariable* found = innermost(name);
    if (!found) return make_error(Errc::not_found, "could not find symbol value for " + name);
    take(found);
  }
  for (const auto& v : *scope) {
    // Blank parameters (`_`) declare nothing, so they shadow nothing.
    if (v.var.name != "_" && &v != innermost(v.var.name)) continue;
    if (v.is_param ? capture.arguments : capture.locals) take(&v);
  }

  arch::Machine m = machine_of(bin.machine());
  std::vector<symbols::Variable> vars;
  std::vector<Placement> places;
  for (const symbols::ScopedVariable* v : chosen) {
    vars.push_back(v->var);
    places.push_back(placement_from_dwarf(*v, *cfa, m));
  }
  SitePlan sp = plan_site(vars, places, opts.load);
  for (size_t i = 0; i < chosen.size(); i++) sp.values[i].is_local = !chosen[i]->is_param;
  if (opts.stack_depth > 0)
    sp.spec.stack_frames = static_cast<gt_u8>(std::min(opts.stack_depth + 1, GT_MAX_FRAMES));
  // In the body the return address is in the function's own frame.
  if (frame_is_set(*cfa, m)) sp.spec.flags |= GT_SPEC_FRAME_SET;

  LinePlan plan;
  plan.signature = std::move(*sig);
  plan.line = bin.pc_to_line(pc).value_or(symbols::SourceLine{});
  plan.site.info.pc = plan.site.info.probe = pc;
  plan.site.info.values = std::move(sp.values);
  plan.site.spec = sp.spec;
  plan.site.file_offset = *off;
  return plan;
}

}  // namespace gotrace::tracer
