#include "capture_plan.h"

#include "gotrace/values/map_layout.h"

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
// A map's slots beyond its first block, and the dereferences its keys and
// elements may take: a map argument leaves room for the values after it.
constexpr uint64_t kMapBlockBytes = 2 * GT_MAX_DEREF_BYTES;
constexpr int kMapNestedOps = 12;
constexpr uint32_t kGatherSlotEstimate = 24;

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
  uint16_t derefs() const { return spec_.n_derefs; }
  // A GT_DEREF_GATHER op: `count` slots `stride` bytes apart from `ptr`
  // (and `len`), `max` bytes (times len) each.
  bool add_gather(Src ptr, std::optional<Src> len, uint16_t elem_size, uint32_t max,
                  uint16_t stride, uint16_t count) {
    max = std::min<uint32_t>(max, GT_MAX_DEREF_BYTES);
    // Budgeted at what slots usually hold (short keys, some slots empty),
    // not the worst case: a gather stops where the event is full, and the
    // loader shows what was not captured as such.
    const uint32_t bytes = count * (std::min<uint32_t>(max, kGatherSlotEstimate) + 16);
    if (count == 0 || !push(ptr, len, elem_size, max, bytes)) return false;
    gt_deref_op& op = spec_.derefs[spec_.n_derefs - 1];
    op.flags = GT_DEREF_GATHER;
    op.stride = stride;
    op.count = count;
    return true;
  }
  // A dereference of `max` bytes (times len when len is given).
  std::optional<uint16_t> add_deref(Src ptr, std::optional<Src> len, uint16_t elem_size,
                                    uint32_t max, uint32_t add = 0, uint16_t flags = 0) {
    max = std::min<uint32_t>(max, GT_MAX_DEREF_BYTES);
    if (!push(ptr, len, elem_size, max, max + 16)) return std::nullopt;
    gt_deref_op& op = spec_.derefs[spec_.n_derefs - 1];
    op.add = add;
    op.flags = flags;
    return spec_.n_derefs - 1;
  }

 private:
  // Appends an op reading from `ptr` (`len` x `elem_size`, at most `max`
  // bytes) if the spec has room for it and for `bytes` more of payload.
  bool push(Src ptr, std::optional<Src> len, uint16_t elem_size, uint32_t max, uint32_t bytes) {
    if (spec_.n_derefs >= GT_MAX_DEREFS || bytes_ + bytes > kDerefByteBudget || max == 0) return false;
    gt_deref_op& op = spec_.derefs[spec_.n_derefs++];
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
    bytes_ += bytes;
    return true;
  }

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

// The bytes of a map's runtime struct to copy: the count is its first word.
uint32_t map_header_bytes(const Type& map) {
  return map.map_header ? static_cast<uint32_t>(std::clamp<uint64_t>(map.map_header->size, 8, 256)) : 8;
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
      case Kind::map:
        plan_map(t, loc, recurse);
        break;
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

  // A map: its runtime struct, the blocks of slots the loader walks first
  // (a small Swiss map's one group, the first table's groups; a classic
  // map's first buckets, bucket 0's overflow, the old buckets of a map being
  // grown) and what the first slots' keys and elements point to. Walks
  // that go further stop where the capture ends ("...+N more").
  void plan_map(const Type& t, const Locator& loc, int recurse) {
    auto p = loc(0);
    if (!p) return;
    auto layout = values::map_layout(t);
    auto hdr = b_.add_deref(*p, std::nullopt, 1, layout ? map_header_bytes(t) : 8);
    if (!hdr || !layout || cfg_.max_array_values == 0 || layout->block_size == 0) return;
    const values::MapLayout& l = *layout;
    const uint64_t want = cfg_.max_array_values < 0 ? 64 : static_cast<uint64_t>(cfg_.max_array_values);
    // Tables are refilled before they are 7/8 full and are at least 7/16 full
    // after growing: 16/7 slots per wanted entry find them.
    const uint64_t blocks = std::max<uint64_t>(1, (want * 16 / 7 + l.slots - 1) / l.slots + 1);
    const uint64_t whole = l.block_size <= GT_MAX_DEREF_BYTES
                               ? 2 * (GT_MAX_DEREF_BYTES - GT_MAX_DEREF_BYTES % l.block_size)
                               : kMapBlockBytes;
    const uint64_t span = std::min<uint64_t>(blocks * l.block_size, whole);
    const Src at_hdr{GT_SRC_DEREF, *hdr, 0};
    auto field_of = [](Src s, uint64_t off) { return Src{s.kind, s.idx, static_cast<uint16_t>(s.off + off)}; };
    int nested = kMapNestedOps;
    if (l.form == values::MapLayout::Form::swiss) {
      // dirLen 0: dirPtr is the group itself.
      Locator group0 = add_span(field_of(at_hdr, l.dir_ptr_off), std::nullopt, l.block_size, 0, l.block_size);
      auto dir = b_.add_deref(field_of(at_hdr, l.dir_ptr_off), field_of(at_hdr, l.dir_len_off), 8, 8);
      std::optional<uint16_t> table;
      if (dir) table = b_.add_deref(Src{GT_SRC_DEREF, *dir, 0}, std::nullopt, 1, static_cast<uint32_t>(l.table_size));
      Locator groups;
      if (table)
        groups = add_span(Src{GT_SRC_DEREF, *table, static_cast<uint16_t>(l.groups_data_off)},
                          Src{GT_SRC_DEREF, *table, static_cast<uint16_t>(l.groups_mask_off)},
                          l.block_size, GT_DEREF_LEN_PLUS_ONE, span);
      plan_blocks(l, group0, 1, recurse, nested);
      if (groups) plan_blocks(l, groups, span / l.block_size, recurse, nested);
    } else {
      Locator buckets = add_span(field_of(at_hdr, l.buckets_off), field_of(at_hdr, l.b_off), l.block_size,
                                 GT_DEREF_LEN_POW2, span);
      std::optional<Src> ovf = buckets ? buckets(l.overflow_off) : std::nullopt;
      Locator overflow = ovf ? add_span(*ovf, std::nullopt, l.block_size, 0, l.block_size) : Locator{};
      add_span(field_of(at_hdr, l.oldbuckets_off), std::nullopt, l.block_size, 0, l.block_size);
      // The other buckets' overflow buckets: their integers and such, not
      // what their keys and elements point to.
      if (buckets && span > l.block_size)
        gather(shifted(buckets, l.block_size), l.overflow_off, std::nullopt, l.block_size,
               span / l.block_size - 1, 1, static_cast<uint32_t>(l.block_size), nested);
      if (buckets) plan_blocks(l, buckets, 1, recurse, nested);
      if (overflow) plan_blocks(l, overflow, 1, recurse, nested);
      if (buckets && span > l.block_size)
        plan_blocks(l, shifted(buckets, l.block_size), span / l.block_size - 1, recurse, nested);
    }
  }

  // `bytes` at the pointer `ptr` in chunks of at most GT_MAX_DEREF_BYTES,
  // each bounded by `len` blocks of `block` bytes when `len` is given; a
  // locator over them.
  Locator add_span(Src ptr, std::optional<Src> len, uint64_t block, uint16_t flags, uint64_t bytes) {
    std::vector<uint16_t> chunks;
    const uint16_t elem = len ? static_cast<uint16_t>(std::min<uint64_t>(block, 0xffff)) : 1;
    // Chunks end on block boundaries, so that no slot is split between two.
    uint64_t chunk = GT_MAX_DEREF_BYTES;
    if (block > 0 && block <= GT_MAX_DEREF_BYTES) chunk -= chunk % block;
    for (uint64_t at = 0; at < bytes; at += chunk) {
      const uint32_t n = static_cast<uint32_t>(std::min<uint64_t>(chunk, bytes - at));
      auto d = b_.add_deref(ptr, len, elem, n, static_cast<uint32_t>(at), flags);
      if (!d) break;
      chunks.push_back(*d);
    }
    if (chunks.empty()) return {};
    return [chunks, chunk](uint64_t off) -> std::optional<Src> {
      const uint64_t k = off / chunk, in = off % chunk;
      if (k >= chunks.size() || in + 8 > chunk) return std::nullopt;
      return Src{GT_SRC_DEREF, chunks[k], static_cast<uint16_t>(in)};
    };
  }

  // What the keys and elements of `nblocks` blocks of slots at `block`
  // point to, within `nested` ops for the whole map (the map must not starve
  // the values after it).
  void plan_blocks(const values::MapLayout& l, const Locator& block, uint64_t nblocks, int recurse,
                   int& nested) {
    if (!needs_memory(*l.slot_key) && !needs_memory(*l.slot_elem)) return;
    for (uint64_t k = 0; k < nblocks && nested > 0; k++) {
      const uint64_t base = k * l.block_size;
      plan_slots(*l.slot_key, l.key_indirect, block, base + l.keys_off, l.key_stride, l.slots, recurse, nested);
      plan_slots(*l.slot_elem, l.elem_indirect, block, base + l.elems_off, l.elem_stride, l.slots, recurse, nested);
    }
  }

  // The `count` values of type `t` (as a slot stores it) at `off`, `off +
  // stride`, ... of `block`. Values that lead to one read each (a string, a
  // slice of plain elements, a pointer to a plain value) take one gather op
  // for all the slots, empty ones costing nothing; others are planned slot
  // by slot. The loader follows an indirect slot's pointer without counting
  // a level.
  void plan_slots(const Type& t, bool indirect, const Locator& block, uint64_t off, uint64_t stride,
                  uint64_t count, int recurse, int& nested) {
    if (nested <= 0) return;
    if (indirect && t.elem) {
      if (!needs_memory(*t.elem)) {
        gather(block, off, std::nullopt, stride, count, 1, static_cast<uint32_t>(t.elem->size), nested);
        return;
      }
      for (uint64_t j = 0; j < count && nested > 0; j++) {
        const uint16_t before = b_.derefs();
        auto p = block(off + j * stride);
        if (!p) continue;
        if (auto d = b_.add_deref(*p, std::nullopt, 1, static_cast<uint32_t>(t.elem->size)))
          plan(*t.elem, in_deref(*d, 0), recurse + 1);
        nested -= b_.derefs() - before;
      }
      return;
    }
    if (!needs_memory(t)) return;
    const int level = recurse + 1;
    switch (t.kind) {
      case Kind::string:
        gather(block, off, off + 8, stride, count, 1, string_cap(), nested);
        return;
      case Kind::slice:
        if (t.elem && t.elem->size && !needs_memory(*t.elem)) {
          const uint64_t n = std::min<uint64_t>(array_cap(1u << 20), GT_MAX_DEREF_BYTES / t.elem->size);
          if (n) gather(block, off, off + 8, stride, count, t.elem->size, static_cast<uint32_t>(n * t.elem->size), nested);
          return;
        }
        break;
      case Kind::pointer:
        if (!t.elem || t.elem->size == 0) return;
        if (!cfg_.follow_pointers && level >= cfg_.max_variable_recurse) return;
        if (!needs_memory(*t.elem)) {
          gather(block, off, std::nullopt, stride, count, 1, static_cast<uint32_t>(t.elem->size), nested);
          return;
        }
        break;
      case Kind::func:
        gather(block, off, std::nullopt, stride, count, 1, 8, nested);
        return;
      case Kind::chan:
        gather(block, off, std::nullopt, stride, count, 1, 16, nested);
        return;
      case Kind::map:
        // A map in a map: its count. Its entries are not walked.
        gather(block, off, std::nullopt, stride, count, 1, map_header_bytes(t), nested);
        return;
      case Kind::struct_:
        for (const auto& f : t.fields)
          if (f.type) plan_slots(*f.type, false, block, off + f.offset, stride, count, level, nested);
        return;
      case Kind::array:
        if (t.elem)
          for (uint64_t i = 0; i < std::min<uint64_t>(t.array_len, array_cap(t.array_len)); i++)
            plan_slots(*t.elem, false, block, off + i * t.elem->size, stride, count, level, nested);
        return;
      default:
        break;
    }
    for (uint64_t j = 0; j < count && nested > 0; j++) {
      const uint16_t before = b_.derefs();
      plan(t, shifted(block, off + j * stride), level);
      nested -= b_.derefs() - before;
    }
  }

  // Gather ops reading a pointer (and a length) at `off` + j x `stride` of
  // `block`, j < count: one op per run of slots inside one captured chunk.
  void gather(const Locator& block, uint64_t off, std::optional<uint64_t> len_off, uint64_t stride,
              uint64_t count, uint64_t elem, uint32_t max, int& nested) {
    if (stride == 0 || stride > 0xffff || elem > 0xffff) return;
    uint64_t j = 0;
    while (j < count && nested > 0) {
      auto p = block(off + j * stride);
      std::optional<Src> n = len_off ? block(*len_off + j * stride) : std::nullopt;
      if (!p || (len_off && (!n || n->idx != p->idx))) {
        j++;
        continue;
      }
      uint64_t run = 1;
      while (j + run < count && run < GT_MAX_GATHER) {
        auto q = block(off + (j + run) * stride);
        auto m = len_off ? block(*len_off + (j + run) * stride) : std::nullopt;
        if (!q || q->idx != p->idx || (len_off && (!m || m->idx != p->idx))) break;
        run++;
      }
      if (!b_.add_gather(*p, n, static_cast<uint16_t>(elem), max, static_cast<uint16_t>(stride),
                         static_cast<uint16_t>(run)))
        return;
      nested--;
      j += run;
    }
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
