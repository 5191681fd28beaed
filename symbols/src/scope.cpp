#include "scope.h"

#include "lines.h"
#include "text_util.h"

#include <dwarf.h>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <string>
#include <utility>

namespace gotrace::symbols::detail {
namespace {

struct Op {
  uint8_t atom = 0;
  uint64_t number = 0;
};

// DWARF stack arithmetic wraps at the address size; damaged DWARF can add
// its way past INT64_MAX, which must not be signed overflow (UB) here.
int64_t wrapping_add(int64_t a, uint64_t b) { return static_cast<int64_t>(static_cast<uint64_t>(a) + b); }

// The Go compiler describes every location with a handful of operations:
// registers, DW_OP_fbreg / DW_OP_call_frame_cfa (its frame base is always the
// CFA) and DW_OP_piece for values split across places. Anything else leaves
// the variable without a location rather than guessing.
std::vector<LocationPiece> decode_location(const std::vector<Op>& ops) {
  std::vector<LocationPiece> pieces;
  LocationPiece cur;
  bool have = false;
  size_t n = ops.size();
  for (size_t i = 0; i < n; i++) {
    const Op& op = ops[i];
    uint8_t a = op.atom;
    if (a >= DW_OP_reg0 && a <= DW_OP_reg31) {
      cur = {LocationPiece::Kind::reg, a - DW_OP_reg0, 0, 0};
      have = true;
    } else if (a == DW_OP_regx) {
      cur = {LocationPiece::Kind::reg, static_cast<int>(op.number), 0, 0};
      have = true;
    } else if (a == DW_OP_fbreg) {
      cur = {LocationPiece::Kind::frame, 0, static_cast<int64_t>(op.number), 0};
      have = true;
    } else if (a == DW_OP_call_frame_cfa) {
      cur = {LocationPiece::Kind::frame, 0, 0, 0};
      have = true;
    } else if (a == DW_OP_plus_uconst && have && cur.kind == LocationPiece::Kind::frame) {
      cur.offset = wrapping_add(cur.offset, op.number);
    } else if ((a == DW_OP_consts || a == DW_OP_constu) && i + 1 < n && ops[i + 1].atom == DW_OP_plus &&
               have && cur.kind == LocationPiece::Kind::frame) {
      cur.offset = wrapping_add(cur.offset, op.number);
      i++;
    } else if (a == DW_OP_piece) {
      if (!have) cur = {LocationPiece::Kind::absent, 0, 0, 0};
      cur.size = op.number;
      pieces.push_back(cur);
      have = false;
    } else {
      return {};
    }
  }
  if (have) {
    if (!pieces.empty()) return {};  // a trailing location without its piece size
    pieces.push_back(cur);
  }
  return pieces;
}

// Go writes single expressions as DW_FORM_block1 in DWARF 4 CUs, which
// libdw's dwarf_getlocation rejects (it wants exprloc from version 4 on), so
// the few operations the compiler uses are decoded here.
std::optional<std::vector<Op>> parse_block(const uint8_t* p, size_t len) {
  const uint8_t* end = p + len;
  auto uleb = [&](uint64_t& v) {
    v = 0;
    for (int shift = 0; p < end && shift < 64; shift += 7) {
      uint8_t b = *p++;
      v |= uint64_t{b & 0x7fu} << shift;
      if (!(b & 0x80)) return true;
    }
    return false;
  };
  auto sleb = [&](uint64_t& v) {
    v = 0;
    int shift = 0;
    while (p < end && shift < 64) {
      uint8_t b = *p++;
      v |= uint64_t{b & 0x7fu} << shift;
      shift += 7;
      if (!(b & 0x80)) {
        if (shift < 64 && (b & 0x40)) v |= ~uint64_t{0} << shift;
        return true;
      }
    }
    return false;
  };
  std::vector<Op> ops;
  while (p < end) {
    Op op{*p++, 0};
    bool ok = true;
    switch (op.atom) {
      case DW_OP_regx:
      case DW_OP_piece:
      case DW_OP_plus_uconst:
      case DW_OP_constu:
        ok = uleb(op.number);
        break;
      case DW_OP_fbreg:
      case DW_OP_consts:
        ok = sleb(op.number);
        break;
      case DW_OP_call_frame_cfa:
      case DW_OP_plus:
        break;
      default:
        if (op.atom < DW_OP_reg0 || op.atom > DW_OP_reg31) return std::nullopt;
    }
    if (!ok) return std::nullopt;
    ops.push_back(op);
  }
  return ops;
}

std::vector<LocationPiece> location_at(Dwarf_Die* die, uint64_t pc) {
  Dwarf_Attribute attr;
  if (!dwarf_attr_integrate(die, DW_AT_location, &attr)) return {};
  Dwarf_Block block;
  if (dwarf_whatform(&attr) != DW_FORM_sec_offset && dwarf_formblock(&attr, &block) == 0) {
    auto ops = parse_block(block.data, block.length);
    return ops ? decode_location(*ops) : std::vector<LocationPiece>{};
  }
  Dwarf_Op* expr = nullptr;
  size_t len = 0;
  if (dwarf_getlocation_addr(&attr, pc, &expr, &len, 1) != 1 || len == 0) return {};
  std::vector<Op> ops;
  for (size_t i = 0; i < len; i++) ops.push_back({expr[i].atom, expr[i].number});
  return decode_location(ops);
}

}  // namespace

Result<std::vector<ScopedVariable>> read_variables_at(DwarfIndex& index, TypeTable& types,
                                                      const Function& fn, uint64_t pc,
                                                      const std::string& path) {
  if (pc < fn.entry || pc >= fn.end)
    return make_error(Errc::invalid_argument, cat(hex(pc), " is not inside ", fn.name));
  auto sp = index.subprogram_at(fn.entry);
  if (!sp)
    return make_error(Errc::not_found, cat("no DWARF subprogram for ", fn.name, " at ", hex(fn.entry), " in ", path));
  int line = 0;
  if (auto l = pc_to_line(index, pc)) line = l->line;

  std::vector<ScopedVariable> out;
  // The parameters in `out`, by (depth, name): a set rather than a search
  // of `out` per parameter, which damaged DWARF with thousands of them
  // would make quadratic.
  std::set<std::pair<int, std::string>> params_seen;
  Dwarf_Die scope = sp->die;
  int depth = 0;
  for (;;) {
    Dwarf_Die child;
    std::optional<Dwarf_Die> inner;
    bool inner_inlined = false;
    if (dwarf_child(&scope, &child) == 0) {
      do {
        int tag = dwarf_tag(&child);
        if (tag == DW_TAG_formal_parameter || tag == DW_TAG_variable) {
          ScopedVariable v;
          v.var.name = std::string(attr_string(&child, DW_AT_name).value_or(""));
          if (v.var.name.empty() || v.var.name == ".dict") continue;
          v.is_param = tag == DW_TAG_formal_parameter;
          v.var.is_result = v.is_param && attr_flag(&child, DW_AT_variable_parameter);
          v.decl_line = static_cast<int>(attr_udata(&child, DW_AT_decl_line).value_or(0));
          if (!v.is_param && line > 0 && v.decl_line > line) continue;
          // Go 1.18 can emit the same parameter DIE twice (golang/go#51725).
          if (v.is_param && v.var.name != "_" && !params_seen.emplace(depth, v.var.name).second) continue;
          if (auto t = attr_ref(&child, DW_AT_type)) v.var.type = types.from_die(&*t);
          v.depth = depth;
          v.pieces = location_at(&child, pc);
          out.push_back(std::move(v));
        } else if ((tag == DW_TAG_lexical_block || tag == DW_TAG_inlined_subroutine) && !inner &&
                   dwarf_haspc(&child, pc) > 0) {
          inner = child;
          inner_inlined = tag == DW_TAG_inlined_subroutine;
        }
      } while (dwarf_siblingof(&child, &child) == 0);
    }
    if (!inner) break;
    if (inner_inlined) {
      // Inside inlined code only the inlined function's variables exist.
      out.clear();
      params_seen.clear();
      depth = 0;
    } else {
      depth++;
    }
    scope = *inner;
  }
  std::stable_sort(out.begin(), out.end(), [](const ScopedVariable& a, const ScopedVariable& b) {
    return a.is_param > b.is_param;
  });
  return out;
}

Result<int64_t> read_cfa_offset(DwarfIndex& index, uint64_t pc, int sp_dwarf_reg, const std::string& path) {
  Dwarf_CFI* cfi = dwarf_getcfi(index.dwarf());  // owned by the Dwarf handle
  if (!cfi) return make_error(Errc::unsupported, cat("no .debug_frame in ", path));
  Dwarf_Frame* frame = nullptr;
  if (dwarf_cfi_addrframe(cfi, pc, &frame) != 0)
    return make_error(Errc::not_found, cat("no call frame information for ", hex(pc), " in ", path));
  std::unique_ptr<Dwarf_Frame, decltype(&std::free)> owned(frame, &std::free);
  Dwarf_Op* ops = nullptr;
  size_t nops = 0;
  if (dwarf_frame_cfa(frame, &ops, &nops) != 0 || nops != 1 || ops[0].atom != DW_OP_bregx ||
      static_cast<int>(ops[0].number) != sp_dwarf_reg)
    return make_error(Errc::unsupported, cat("the CFA at ", hex(pc), " is not SP-relative in ", path));
  return static_cast<int64_t>(ops[0].number2);
}

}  // namespace gotrace::symbols::detail
