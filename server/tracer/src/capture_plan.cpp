#include "capture_plan.h"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>

namespace gotrace::tracer {
namespace {

using symbols::Kind;
using symbols::Type;

// Where an 8-byte word of a value can be read by the BPF program.
struct Src {
  uint8_t kind = GT_SRC_NONE;
  uint16_t idx = 0;
  uint16_t off = 0;
};
using Locator = std::function<std::optional<Src>(uint64_t offset)>;

constexpr uint32_t kDerefByteBudget = 7000;  // of the 8 KiB event payload
constexpr uint32_t kSpeculativeBytes = 64;   // interface data of unknown type

class SpecBuilder {
 public:
  explicit SpecBuilder(gt_spec& spec) : spec_(spec) {}

  std::optional<uint16_t> add_reg(int dwarf) {
    if (spec_.n_word_ops >= GT_MAX_WORD_OPS || words_ >= GT_MAX_WORDS) return std::nullopt;
    spec_.words[spec_.n_word_ops++] = {GT_WORD_REG, static_cast<gt_u8>(dwarf), 0, 0};
    return words_++;
  }
  std::optional<uint16_t> add_stack(int64_t off, uint32_t count) {
    if (spec_.n_word_ops >= GT_MAX_WORD_OPS || count > GT_MAX_STACK_WORDS ||
        words_ + count > GT_MAX_WORDS)
      return std::nullopt;
    spec_.words[spec_.n_word_ops++] = {GT_WORD_STACK, 0, static_cast<gt_u16>(count),
                                       static_cast<gt_s32>(off)};
    uint16_t first = words_;
    words_ += count;
    return first;
  }
  // A dereference of `max` bytes (times len when len is given).
  std::optional<uint16_t> add_deref(Src ptr, std::optional<Src> len, uint16_t elem_size,
                                    uint32_t max, uint32_t add = 0, uint16_t flags = 0) {
    max = std::min<uint32_t>(max, GT_MAX_DEREF_BYTES);
    if (spec_.n_derefs >= GT_MAX_DEREFS || bytes_ + max + 16 > kDerefByteBudget || max == 0)
      return std::nullopt;
    gt_deref_op& op = spec_.derefs[spec_.n_derefs];
    op = {};
    op.ptr_src = ptr.kind;
    op.ptr_idx = ptr.idx;
    op.ptr_off = ptr.off;
    if (len) {
      op.len_src = len->kind;
      op.len_idx = len->idx;
      op.len_off = len->off;
    }
    op.elem_size = elem_size;
    op.max_bytes = static_cast<gt_u16>(max);
    op.add = add;
    op.flags = flags;
    bytes_ += max + 16;
    return spec_.n_derefs++;
  }

 private:
  gt_spec& spec_;
  uint16_t words_ = 0;
  uint32_t bytes_ = 0;
};

Locator in_deref(uint16_t d, uint32_t base) {
  return [d, base](uint64_t off) -> std::optional<Src> {
    uint64_t at = base + off;
    if (at > 0xffff) return std::nullopt;
    return Src{GT_SRC_DEREF, d, static_cast<uint16_t>(at)};
  };
}

Locator shifted(const Locator& loc, uint64_t by) {
  return [loc, by](uint64_t off) { return loc(off + by); };
}

bool needs_memory(const Type& t, int depth = 0) {
  if (depth > 8) return false;
  switch (t.kind) {
    case Kind::string:
    case Kind::slice:
    case Kind::pointer:
    case Kind::interface:
    case Kind::map:
    case Kind::chan:
    case Kind::func:
      return true;
    case Kind::struct_:
      for (const auto& f : t.fields)
        if (f.type && needs_memory(*f.type, depth + 1)) return true;
      return false;
    case Kind::array:
      return t.elem && t.array_len > 0 && needs_memory(*t.elem, depth + 1);
    default:
      return false;
  }
}

class DerefPlanner {
 public:
  DerefPlanner(SpecBuilder& b, const values::LoadConfig& cfg) : b_(b), cfg_(cfg) {}

  // Plans what loading `t`, whose bytes are located by `loc`, will read.
  // `recurse` mirrors Delve's recursion level: pointers are followed while
  // FollowPointers is set or the level allows.
  void plan(const Type& t, const Locator& loc, int recurse) {
    if (recurse > 6) return;
    switch (t.kind) {
      case Kind::string: {
        auto p = loc(0), n = loc(8);
        if (p && n) b_.add_deref(*p, *n, 1, string_cap());
        break;
      }
      case Kind::slice:
        plan_elements(t, loc, recurse);
        break;
      case Kind::pointer: {
        auto p = loc(0);
        if (!p || !t.elem || t.elem->size == 0) break;
        if (!cfg_.follow_pointers && recurse >= cfg_.max_variable_recurse) break;
        if (auto d = b_.add_deref(*p, std::nullopt, 1, static_cast<uint32_t>(t.elem->size)))
          plan(*t.elem, in_deref(*d, 0), recurse + 1);
        break;
      }
      case Kind::interface: {
        auto tab = loc(0), data = loc(8);
        if (!tab || !data) break;
        // A non-empty interface holds an *itab; the dynamic type is at +8.
        if (!t.empty_interface) b_.add_deref(*tab, std::nullopt, 1, 8, 8);
        // The data word points to a value of a type known only at run time:
        // take a page-clamped window, and speculatively the string it would
        // hold if it were one (also *errors.errorString's text).
        if (auto d = b_.add_deref(*data, std::nullopt, 1, kSpeculativeBytes, 0,
                                  GT_DEREF_PAGE_CLAMP)) {
          b_.add_deref(Src{GT_SRC_DEREF, *d, 0}, Src{GT_SRC_DEREF, *d, 8}, 1, string_cap());
        }
        break;
      }
      case Kind::map:  // hmap.count is the first word
      case Kind::func: {  // funcval.fn is the first word
        if (auto p = loc(0)) b_.add_deref(*p, std::nullopt, 1, 8);
        break;
      }
      case Kind::chan: {  // hchan.qcount, hchan.dataqsiz
        if (auto p = loc(0)) b_.add_deref(*p, std::nullopt, 1, 16);
        break;
      }
      case Kind::struct_:
        for (const auto& f : t.fields)
          if (f.type && needs_memory(*f.type)) plan(*f.type, shifted(loc, f.offset), recurse);
        break;
      case Kind::array: {
        if (!t.elem || !needs_memory(*t.elem)) break;
        uint64_t n = std::min<uint64_t>(t.array_len, array_cap(t.array_len));
        for (uint64_t i = 0; i < n; i++) plan(*t.elem, shifted(loc, i * t.elem->size), recurse + 1);
        break;
      }
      default:
        break;
    }
  }

 private:
  uint32_t string_cap() const {
    return cfg_.max_string_len < 0 ? GT_MAX_DEREF_BYTES
                                   : static_cast<uint32_t>(cfg_.max_string_len);
  }
  uint64_t array_cap(uint64_t len) const {
    return cfg_.max_array_values < 0 ? len : static_cast<uint64_t>(cfg_.max_array_values);
  }
  void plan_elements(const Type& t, const Locator& loc, int recurse) {
    if (!t.elem || t.elem->size == 0 || cfg_.max_array_values == 0) return;
    auto p = loc(0), n = loc(8);
    if (!p || !n) return;
    uint64_t esize = t.elem->size;
    uint64_t count = std::min<uint64_t>(array_cap(1u << 20), GT_MAX_DEREF_BYTES / esize);
    if (count == 0) return;
    auto d = b_.add_deref(*p, *n, static_cast<uint16_t>(std::min<uint64_t>(esize, 0xffff)),
                          static_cast<uint32_t>(count * esize));
    if (!d || !needs_memory(*t.elem)) return;
    for (uint64_t i = 0; i < count; i++) plan(*t.elem, in_deref(*d, i * esize), recurse + 1);
  }

  SpecBuilder& b_;
  const values::LoadConfig& cfg_;
};

}  // namespace

Placement placement_of(const arch::ValueLocation& loc, uint64_t size) {
  Placement p;
  if (loc.on_stack) {
    p.pieces.push_back({Piece::Kind::stack, 0, false, loc.stack_offset, 0, size});
  } else {
    for (const arch::RegPiece& r : loc.pieces)
      p.pieces.push_back({Piece::Kind::reg, r.dwarf_reg, r.is_float, 0, r.value_offset, r.size});
  }
  return p;
}

SitePlan plan_site(const std::vector<symbols::Variable>& vars,
                   std::span<const arch::ValueLocation> locs, const values::LoadConfig& cfg) {
  std::vector<Placement> places;
  for (size_t i = 0; i < vars.size() && i < locs.size(); i++)
    places.push_back(placement_of(locs[i], vars[i].type ? vars[i].type->size : 0));
  return plan_site(vars, places, cfg);
}

const symbols::Type& raw_word_type() {
  static const symbols::Type t = [] {
    symbols::Type w;
    w.kind = symbols::Kind::uintptr;
    w.name = "uintptr";
    w.size = w.align = 8;
    return w;
  }();
  return t;
}

SitePlan plan_site(const std::vector<symbols::Variable>& vars,
                   std::span<const Placement> places, const values::LoadConfig& cfg) {
  SitePlan plan;
  SpecBuilder b(plan.spec);
  std::vector<Locator> locators(vars.size());

  // First every value's own words, so dereferences can refer to them.
  for (size_t i = 0; i < vars.size(); i++) {
    const auto& var = vars[i];
    ValuePlan vp;
    vp.name = var.name;
    vp.type = var.type;
    vp.is_result = var.is_result;
    vp.raw_word = var.type == &raw_word_type();
    vp.size = var.type ? var.type->size : 0;
    if (!var.type) {
      vp.unreadable = "no type information";
    } else if (i >= places.size()) {
      vp.unreadable = "no location";
    } else if (!places[i].unreadable.empty()) {
      vp.unreadable = places[i].unreadable;
    } else {
      const auto& pieces = places[i].pieces;
      if (pieces.size() == 1 && pieces[0].kind == Piece::Kind::stack && pieces[0].value_offset == 0) {
        vp.on_stack = true;
        vp.stack_offset = pieces[0].stack_offset;
      }
      std::map<uint64_t, uint16_t> word_at;
      for (const Piece& piece : pieces) {
        if (piece.kind == Piece::Kind::absent) {
          vp.unreadable = "optimized away at this address";
        } else if (piece.kind == Piece::Kind::reg) {
          // Captured by number either way; only a backend that can read
          // float registers fills the word (ValuePlan::in_float_registers).
          if (piece.is_float) vp.in_float_registers = true;
          auto w = b.add_reg(piece.dwarf_reg);
          if (!w) {
            vp.unreadable = "too many values to capture";
          } else {
            vp.chunks.push_back({*w, static_cast<uint32_t>(piece.value_offset),
                                 static_cast<uint32_t>(std::min<uint64_t>(piece.size, 8))});
            if (piece.size == 8) word_at[piece.value_offset] = *w;
          }
        } else {
          uint32_t count = static_cast<uint32_t>((piece.size + 7) / 8);
          if (count > GT_MAX_STACK_WORDS) {
            vp.unreadable = "value too large to capture (" + std::to_string(vp.size) + " bytes)";
          } else if (count > 0) {
            auto first = b.add_stack(piece.stack_offset, count);
            if (!first) {
              vp.unreadable = "too many values to capture";
            } else {
              for (uint32_t w = 0; w < count; w++) {
                uint64_t off = piece.value_offset + w * 8;
                uint32_t n = static_cast<uint32_t>(std::min<uint64_t>(8, piece.size - w * 8));
                vp.chunks.push_back({static_cast<uint16_t>(*first + w), static_cast<uint32_t>(off), n});
                if (n == 8) word_at[off] = static_cast<uint16_t>(*first + w);
              }
            }
          }
        }
        if (!vp.unreadable.empty()) break;
      }
      if (vp.unreadable.empty()) {
        locators[i] = [word_at](uint64_t off) -> std::optional<Src> {
          auto it = word_at.find(off);
          if (it == word_at.end()) return std::nullopt;
          return Src{GT_SRC_WORD, it->second, 0};
        };
      } else {
        vp.chunks.clear();
      }
    }
    plan.values.push_back(std::move(vp));
  }

  DerefPlanner dp(b, cfg);
  for (size_t i = 0; i < vars.size(); i++) {
    if (!plan.values[i].unreadable.empty() || !locators[i] || !vars[i].type) continue;
    dp.plan(*vars[i].type, locators[i], 0);
  }
  return plan;
}

}  // namespace gotrace::tracer
