#include "dwarf_types.h"

#include <dwarf.h>

#include <algorithm>

namespace gotrace::symbols::detail {
namespace {

constexpr int kMaxTypedefDepth = 16;
constexpr int kMaxNesting = 1000;

bool is_type_tag(int tag) {
  switch (tag) {
    case DW_TAG_base_type:
    case DW_TAG_pointer_type:
    case DW_TAG_structure_type:
    case DW_TAG_typedef:
    case DW_TAG_array_type:
    case DW_TAG_subroutine_type:
      return true;
    default:
      return false;
  }
}

Kind kind_from_tag(Dwarf_Die* die) {
  switch (dwarf_tag(die)) {
    case DW_TAG_base_type: {
      uint64_t enc = attr_udata(die, DW_AT_encoding).value_or(0);
      uint64_t size = attr_udata(die, DW_AT_byte_size).value_or(0);
      switch (enc) {
        case DW_ATE_boolean: return Kind::bool_;
        case DW_ATE_float: return size == 4 ? Kind::float32 : Kind::float64;
        case DW_ATE_complex_float: return size == 8 ? Kind::complex64 : Kind::complex128;
        case DW_ATE_signed:
          return size == 1 ? Kind::int8 : size == 2 ? Kind::int16 : size == 4 ? Kind::int32 : Kind::int64;
        case DW_ATE_unsigned:
          return size == 1 ? Kind::uint8 : size == 2 ? Kind::uint16 : size == 4 ? Kind::uint32 : Kind::uint64;
        default: return Kind::invalid;
      }
    }
    case DW_TAG_pointer_type: {
      // unsafe.Pointer is a pointer_type without DW_AT_type or go_kind.
      Dwarf_Attribute a;
      return dwarf_attr(die, DW_AT_type, &a) ? Kind::pointer : Kind::unsafe_pointer;
    }
    case DW_TAG_structure_type: return Kind::struct_;
    case DW_TAG_array_type: return Kind::array;
    case DW_TAG_subroutine_type: return Kind::func;
    default: return Kind::invalid;
  }
}

std::string die_name(Dwarf_Die* die) {
  return std::string(attr_string(die, DW_AT_name).value_or(""));
}

}  // namespace

uint64_t TypeTable::runtime_address(uint64_t attr) const {
  if (attr == 0 || types_start_ == 0) return attr;
  // Most values are offsets from runtime.types, but a few (uintptr, seen
  // in Go 1.19) are already absolute; the two ranges cannot overlap.
  if (attr >= types_start_ && attr < types_end_) return attr;
  if (attr < types_end_ - types_start_) return types_start_ + attr;
  return attr;
}

const Type* TypeTable::from_die(Dwarf_Die* die) {
  auto it = cache_.find(dwarf_dieoffset(die));
  if (it != cache_.end()) return it->second;
  // Converting recurses into elements, fields and targets not seen yet.
  // Go's types nest nowhere near this deep, but damaged DWARF can chain
  // thousands of distinct DIEs (*****...int) and overflow the stack; the
  // type at the limit is left unknown instead.
  if (nesting_ >= kMaxNesting) return nullptr;
  ++nesting_;
  const Type* t = convert(die);
  --nesting_;
  return t;
}

const Type* TypeTable::convert(Dwarf_Die* die) {
  Dwarf_Off off = dwarf_dieoffset(die);
  std::string name = die_name(die);
  if (dwarf_tag(die) == DW_TAG_typedef) {
    // The linker emits a typedef "T" pointing at the DIE that describes T
    // (also named "T"), and shape-instantiated generics give parameters
    // local ".paramN" typedefs of "go.shape.*" types. Both are aliases:
    // share the target's Type so each Go type has one object.
    // A target that is itself being resolved as an alias up the stack
    // closes a cycle of typedefs (only damaged DWARF has one): this one
    // then becomes a Type of its own instead of recursing without end.
    if (auto target = attr_ref(die, DW_AT_type)) {
      bool cycle = std::find(aliasing_.begin(), aliasing_.end(), dwarf_dieoffset(&*target)) != aliasing_.end();
      if (!cycle && (name.starts_with(".param") || die_name(&*target) == name)) {
        aliasing_.push_back(off);
        const Type* t = from_die(&*target);
        aliasing_.pop_back();
        cache_[off] = t;
        return t;
      }
    }
  }
  Type& t = storage_.emplace_back();
  cache_[off] = &t;
  t.name = name;

  // The Go kind sits on the first DIE of the typedef chain that has it
  // (map/chan/interface typedefs carry it; plain named types do not).
  Dwarf_Die kind_die = *die, under = *die;
  bool have_kind = false;
  {
    Dwarf_Die cur = *die;
    for (int i = 0; i < kMaxTypedefDepth; ++i) {
      // The linker writes go_kind 0 on pointer types it synthesizes
      // itself (e.g. "*int" in -N builds): treat that as absent.
      if (auto k = attr_udata(&cur, DW_AT_go_kind); k && (*k & 0x1f) != 0) {
        kind_die = cur;
        have_kind = true;
        t.kind = static_cast<Kind>(*k & 0x1f);
        break;
      }
      if (dwarf_tag(&cur) != DW_TAG_typedef) break;
      auto next = attr_ref(&cur, DW_AT_type);
      if (!next) break;
      cur = *next;
    }
    for (int i = 0; i < kMaxTypedefDepth && dwarf_tag(&under) == DW_TAG_typedef; ++i) {
      auto next = attr_ref(&under, DW_AT_type);
      if (!next) break;
      under = *next;
    }
  }
  if (!have_kind) t.kind = kind_from_tag(&under);
  if (t.name.empty()) t.name = die_name(&under);
  uint64_t rt = attr_udata(die, DW_AT_go_runtime_type).value_or(0);
  if (rt == 0 && have_kind) rt = attr_udata(&kind_die, DW_AT_go_runtime_type).value_or(0);
  t.runtime_type = runtime_address(rt);
  fill(t, &kind_die, &under);
  return &t;
}

uint64_t TypeTable::scalar_align(const Type& t) const {
  if (t.kind == Kind::complex64) return 4;
  if (t.kind == Kind::complex128) return 8;
  if (t.size == 0) return 1;
  return std::min(t.size, ptr_size_);
}

void TypeTable::fill_fields(Type& t, Dwarf_Die* structure) {
  Dwarf_Die child;
  if (dwarf_tag(structure) != DW_TAG_structure_type || dwarf_child(structure, &child) != 0) return;
  do {
    if (dwarf_tag(&child) != DW_TAG_member) continue;
    Field f;
    f.name = die_name(&child);
    f.offset = attr_udata(&child, DW_AT_data_member_location).value_or(0);
    f.embedded = attr_flag(&child, DW_AT_go_embedded_field);
    if (auto ft = attr_ref(&child, DW_AT_type)) f.type = from_die(&*ft);
    t.fields.push_back(std::move(f));
  } while (dwarf_siblingof(&child, &child) == 0);
}

void TypeTable::fill(Type& t, Dwarf_Die* kind_die, Dwarf_Die* under) {
  std::optional<uint64_t> byte_size = attr_udata(under, DW_AT_byte_size);
  // Pointer-shaped kinds get size/align before recursing so that cycles
  // (struct T { next *T }) see a complete pointer type.
  switch (t.kind) {
    case Kind::pointer:
      t.size = t.align = ptr_size_;
      if (dwarf_tag(under) == DW_TAG_pointer_type)
        if (auto e = attr_ref(under, DW_AT_type)) t.elem = from_die(&*e);
      return;
    case Kind::unsafe_pointer:
    case Kind::func:
      t.size = t.align = ptr_size_;
      return;
    case Kind::chan:
      // chan T is a typedef to *hchan<T>; the element is in go_elem.
      t.size = t.align = ptr_size_;
      if (auto e = attr_ref(kind_die, DW_AT_go_elem)) t.elem = from_die(&*e);
      return;
    case Kind::map:
      // map[K]V is a typedef to *hash<K,V>; key/value are in go_key/go_elem.
      t.size = t.align = ptr_size_;
      if (auto k = attr_ref(kind_die, DW_AT_go_key)) t.key = from_die(&*k);
      if (auto e = attr_ref(kind_die, DW_AT_go_elem)) t.elem = from_die(&*e);
      if (dwarf_tag(under) == DW_TAG_pointer_type)
        if (auto h = attr_ref(under, DW_AT_type)) t.map_header = from_die(&*h);
      return;
    case Kind::string:
    case Kind::slice:
    case Kind::interface:
      t.size = byte_size.value_or(t.kind == Kind::slice ? 3 * ptr_size_ : 2 * ptr_size_);
      t.align = ptr_size_;
      if (t.kind == Kind::slice)
        if (auto e = attr_ref(kind_die, DW_AT_go_elem)) t.elem = from_die(&*e);
      fill_fields(t, under);
      // Interfaces are typedefs of runtime.eface {_type, data} (empty) or
      // runtime.iface {tab, data} (with methods).
      if (t.kind == Kind::interface)
        t.empty_interface = die_name(under) == "runtime.eface" ||
                            (!t.fields.empty() && t.fields.front().name == "_type");
      return;
    case Kind::struct_:
      t.size = byte_size.value_or(0);
      t.align = 1;
      fill_fields(t, under);
      for (const auto& f : t.fields)
        if (f.type) t.align = std::max(t.align, f.type->align);
      return;
    case Kind::array: {
      if (dwarf_tag(under) != DW_TAG_array_type) break;
      if (auto e = attr_ref(under, DW_AT_type)) t.elem = from_die(&*e);
      Dwarf_Die sub;
      if (dwarf_child(under, &sub) == 0) {
        do {
          if (dwarf_tag(&sub) != DW_TAG_subrange_type) continue;
          if (auto c = attr_udata(&sub, DW_AT_count)) t.array_len = *c;
          else if (auto ub = attr_udata(&sub, DW_AT_upper_bound)) t.array_len = *ub + 1;
          break;
        } while (dwarf_siblingof(&sub, &sub) == 0);
      }
      t.size = byte_size.value_or(t.elem ? t.elem->size * t.array_len : 0);
      t.align = t.elem ? t.elem->align : 1;
      return;
    }
    default:
      break;
  }
  t.size = byte_size.value_or(0);
  t.align = scalar_align(t);
}

void TypeTable::scan() {
  if (scanned_) return;
  scanned_ = true;
  Dwarf* dbg = index_.dwarf();
  // Go places every type DIE at the top level of a CU; only local
  // ".paramN" typedefs live inside subprograms, and those are aliases.
  for (Dwarf_Off cu_off : index_.cu_dies()) {
    Dwarf_Die cu, child;
    if (!dwarf_offdie(dbg, cu_off, &cu) || dwarf_child(&cu, &child) != 0) continue;
    do {
      if (!is_type_tag(dwarf_tag(&child))) continue;
      Dwarf_Off off = dwarf_dieoffset(&child);
      if (auto n = attr_string(&child, DW_AT_name)) by_name_.try_emplace(std::string(*n), off);
      if (auto rt = attr_udata(&child, DW_AT_go_runtime_type); rt && *rt != 0)
        by_runtime_.try_emplace(runtime_address(*rt), off);
    } while (dwarf_siblingof(&child, &child) == 0);
  }
}

const Type* TypeTable::by_runtime_address(uint64_t addr) {
  if (addr == 0) return nullptr;
  scan();
  auto it = by_runtime_.find(addr);
  if (it == by_runtime_.end()) return nullptr;
  Dwarf_Die die;
  if (!dwarf_offdie(index_.dwarf(), it->second, &die)) return nullptr;
  return from_die(&die);
}

const Type* TypeTable::by_name_in_package(std::string_view name, std::string_view pkg) {
  if (scanned_) return by_name(name);
  Dwarf* dbg = index_.dwarf();
  for (Dwarf_Off cu_off : index_.cu_dies()) {
    Dwarf_Die cu, child;
    if (!dwarf_offdie(dbg, cu_off, &cu)) continue;
    auto cu_name = attr_string(&cu, DW_AT_name);
    if (!cu_name || *cu_name != pkg || dwarf_child(&cu, &child) != 0) continue;
    do {
      if (!is_type_tag(dwarf_tag(&child))) continue;
      auto n = attr_string(&child, DW_AT_name);
      if (n && *n == name) return from_die(&child);
    } while (dwarf_siblingof(&child, &child) == 0);
  }
  return by_name(name);  // not where expected: fall back to a full scan
}

std::vector<std::string> TypeTable::names() {
  scan();
  std::vector<std::string> out;
  out.reserve(by_name_.size());
  for (const auto& [name, off] : by_name_) out.push_back(name);
  return out;
}

const Type* TypeTable::by_name(std::string_view name) {
  scan();
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return nullptr;
  Dwarf_Die die;
  if (!dwarf_offdie(index_.dwarf(), it->second, &die)) return nullptr;
  return from_die(&die);
}

}  // namespace gotrace::symbols::detail
