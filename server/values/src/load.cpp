// Builds api.Variable trees the way Delve's proc.(*Variable).loadValue does,
// from captured bytes instead of a live process.
#include "gotrace/values/variable.h"

#include "go_format.h"
#include "map_walk.h"
#include "memory_read.h"
#include "gotrace/values/map_layout.h"

#include <algorithm>
#include <cstring>

namespace gotrace::values {

using symbols::Kind;
using symbols::Type;

LoadConfig load_config_for_verbosity(int verbosity) {
  switch (verbosity) {
    case 1: return {false, 0, 32, 0, 0};
    case 2: return {false, 1, 64, 5, 3};
    case 3: return {false, 2, 128, 10, 10};
    case 4: return {true, 3, 256, 100, -1};
    default: return {false, 0, 64, 0, 3};  // terminal.ShortLoadConfig
  }
}

namespace {

// Delve's maxErrCount: array/map loading stops after this many bad elements.
constexpr int kMaxErrCount = 3;

// Where a value's bytes live: inside the captured argument bytes (fields and
// array elements of a register or stack value) or in target memory (anything
// reached through a pointer).
class Place {
 public:
  static Place in_memory(uint64_t addr) { return Place(addr, {}, false); }
  static Place in_bytes(uint64_t addr, std::span<const uint8_t> b) {
    return Place(addr, b, true);
  }

  uint64_t addr() const { return addr_; }
  Place at(uint64_t off) const {
    if (!inline_) return in_memory(addr_ + off);
    return Place(addr_ + off, off <= bytes_.size() ? bytes_.subspan(off)
                                                   : std::span<const uint8_t>{},
                 true);
  }

  std::optional<std::span<const uint8_t>> read(const MemoryView& mem,
                                               uint64_t off,
                                               uint64_t size) const {
    if (!inline_) return mem.read(addr_ + off, size);
    if (off > bytes_.size() || size > bytes_.size() - off) return std::nullopt;
    return bytes_.subspan(off, size);
  }

  std::optional<uint64_t> read_uint(const MemoryView& mem, uint64_t off,
                                    uint64_t size) const {
    if (size == 0 || size > 8) return std::nullopt;
    auto b = read(mem, off, size);
    if (!b || b->size() < size) return std::nullopt;
    return detail::le_uint(b->first(size));
  }

 private:
  Place(uint64_t a, std::span<const uint8_t> b, bool in)
      : addr_(a), bytes_(b), inline_(in) {}
  uint64_t addr_;
  std::span<const uint8_t> bytes_;
  bool inline_;
};

std::string not_captured(uint64_t addr, uint64_t size) {
  return "could not read " + std::to_string(size) + " bytes at " +
         detail::hex(addr) + ": memory not captured";
}

// The runtime layout of strings, slices and interfaces as DWARF names it,
// with the fixed amd64/arm64 offsets when the type omits its fields.
uint64_t field_offset(const Type& t, std::string_view name, uint64_t dflt) {
  for (const auto& f : t.fields)
    if (f.name == name) return f.offset;
  return dflt;
}

// Go stores these kinds in an interface's data word directly (the runtime's
// kindDirectIface): pointer-shaped types, and structs/arrays made of exactly
// one pointer-shaped element.
bool is_direct_iface(const Type* t) {
  for (int depth = 0; t != nullptr && depth < 16; ++depth) {
    switch (t->kind) {
      case Kind::pointer:
      case Kind::map:
      case Kind::chan:
      case Kind::func:
      case Kind::unsafe_pointer:
        return true;
      case Kind::struct_:
        if (t->fields.size() != 1) return false;
        t = t->fields[0].type;
        break;
      case Kind::array:
        if (t->array_len != 1) return false;
        t = t->elem;
        break;
      default:
        return false;
    }
  }
  return false;
}

class Loader {
 public:
  Loader(const MemoryView& mem, const TypeLookup& types, const LoadConfig& cfg)
      : mem_(mem), types_(types), cfg_(cfg) {}

  // newVariable: names the variable and reads the headers Delve reads
  // eagerly (string and slice headers, array geometry), without loading.
  Variable make(std::string name, const Type& t, const Place& p) const {
    Variable v;
    init(v, std::move(name), t, p);
    return v;
  }

  // make, into a default-constructed Variable where it is to stay.
  void init(Variable& v, std::string name, const Type& t, const Place& p) const {
    v.name = std::move(name);
    v.addr = p.addr();
    v.type = t.name;
    v.real_type = t.name;
    v.kind = t.kind;
    switch (t.kind) {
      case Kind::string:
        if (p.addr() != 0) read_string_header(v, t, p);
        break;
      case Kind::slice: read_slice_header(v, t, p); break;
      case Kind::array:
        v.base = v.addr;
        v.len = static_cast<int64_t>(t.array_len);
        v.cap = -1;
        break;
      default: break;
    }
  }

  // loadValueInternal.
  void load(Variable& v, const Type& t, const Place& p, int recurse) const {
    if (!v.unreadable.empty() || (v.addr == 0 && v.base == 0)) return;
    switch (t.kind) {
      case Kind::pointer:
      case Kind::unsafe_pointer: load_pointer(v, t, p, recurse); break;
      case Kind::chan: load_chan(v, p); break;
      case Kind::map: load_map(v, t, p, recurse); break;
      case Kind::string: load_string(v); break;
      case Kind::slice: load_array_values(v, t, Place::in_memory(v.base), recurse); break;
      case Kind::array: load_array_values(v, t, p, recurse); break;
      case Kind::struct_: load_struct(v, t, p, recurse); break;
      case Kind::interface: load_interface(v, t, p, recurse); break;
      case Kind::complex64:
      case Kind::complex128: load_complex(v, t, p); break;
      case Kind::int_:
      case Kind::int8:
      case Kind::int16:
      case Kind::int32:
      case Kind::int64: {
        uint64_t size = t.size ? t.size : 8;
        auto u = p.read_uint(mem_, 0, size);
        if (!u) return set_unreadable(v, p.addr(), size);
        int64_t n = static_cast<int64_t>(*u << (64 - 8 * size)) >> (64 - 8 * size);
        v.value = std::to_string(n);
        break;
      }
      case Kind::uint:
      case Kind::uint8:
      case Kind::uint16:
      case Kind::uint32:
      case Kind::uint64:
      case Kind::uintptr: {
        uint64_t size = t.size ? t.size : 8;
        auto u = p.read_uint(mem_, 0, size);
        if (!u) return set_unreadable(v, p.addr(), size);
        v.value = std::to_string(*u);
        break;
      }
      case Kind::bool_: {
        auto u = p.read_uint(mem_, 0, 1);
        if (!u) return set_unreadable(v, p.addr(), 1);
        v.value = *u != 0 ? "true" : "false";
        break;
      }
      case Kind::float32:
      case Kind::float64: {
        auto f = read_float(p, 0, t.kind == Kind::float32 ? 4 : 8);
        if (!f) return set_unreadable(v, p.addr(), t.kind == Kind::float32 ? 4 : 8);
        v.value = detail::format_float(*f, t.kind == Kind::float32 ? 32 : 64);
        break;
      }
      case Kind::func: load_func(v, p); break;
      default:
        v.unreadable = "unknown or unsupported kind: \"" +
                       std::string(detail::kind_name(t.kind)) + "\"";
    }
  }

 private:
  void set_unreadable(Variable& v, uint64_t addr, uint64_t size) const {
    v.unreadable = not_captured(addr, size);
  }

  std::optional<double> read_float(const Place& p, uint64_t off, uint64_t size) const {
    auto u = p.read_uint(mem_, off, size);
    if (!u) return std::nullopt;
    if (size == 4) {
      uint32_t bits = static_cast<uint32_t>(*u);
      float f;
      std::memcpy(&f, &bits, 4);
      return f;
    }
    double d;
    std::memcpy(&d, &*u, 8);
    return d;
  }

  // readStringInfo: len first, then the pointer; a nil pointer is "".
  void read_string_header(Variable& v, const Type& t, const Place& p) const {
    const uint64_t str_off = field_offset(t, "str", 0);
    const uint64_t len_off = field_offset(t, "len", 8);
    auto len = p.read_uint(mem_, len_off, 8);
    if (!len) {
      v.unreadable = "could not read string len " + not_captured(p.addr() + len_off, 8);
      return;
    }
    if (static_cast<int64_t>(*len) < 0) {
      v.unreadable = "invalid length: " + std::to_string(static_cast<int64_t>(*len));
      return;
    }
    auto ptr = p.read_uint(mem_, str_off, 8);
    if (!ptr) {
      v.unreadable = "could not read string pointer " + not_captured(p.addr() + str_off, 8);
      return;
    }
    if (*ptr == 0) return;
    v.base = *ptr;
    v.len = static_cast<int64_t>(*len);
  }

  void load_string(Variable& v) const {
    if (v.len == 0) return;
    uint64_t count = static_cast<uint64_t>(v.len);
    if (cfg_.max_string_len >= 0 && count > static_cast<uint64_t>(cfg_.max_string_len))
      count = static_cast<uint64_t>(cfg_.max_string_len);
    if (count == 0) return;
    auto b = mem_.read(v.base, count);
    if (!b || b->size() < count) {
      v.unreadable = "could not read string at " + detail::hex(v.base) +
                     " due to memory not captured";
      return;
    }
    v.value.assign(reinterpret_cast<const char*>(b->data()), count);
  }

  // loadSliceInfo; Delve only reads it when the slice has an address.
  void read_slice_header(Variable& v, const Type& t, const Place& p) const {
    if (p.addr() == 0) return;
    const uint64_t offs[3] = {field_offset(t, "array", 0),
                              field_offset(t, "len", 8),
                              field_offset(t, "cap", 16)};
    uint64_t vals[3];
    for (int i = 0; i < 3; ++i) {
      auto u = p.read_uint(mem_, offs[i], 8);
      if (!u) return set_unreadable(v, p.addr() + offs[i], 8);
      vals[i] = *u;
    }
    v.base = vals[0];
    v.len = static_cast<int64_t>(vals[1]);
    v.cap = static_cast<int64_t>(vals[2]);
    if (t.elem == nullptr) v.unreadable = "Invalid type in slice array";
  }

  void load_array_values(Variable& v, const Type& t, const Place& elems,
                         int recurse) const {
    if (!v.unreadable.empty()) return;
    if (v.len < 0) {
      v.unreadable = "Negative array length";
      return;
    }
    if (t.elem == nullptr) {
      v.unreadable = "array element type unknown";
      return;
    }
    int64_t count = v.len;
    if (cfg_.max_array_values >= 0 && count > cfg_.max_array_values)
      count = cfg_.max_array_values;
    const uint64_t stride = t.elem->size;
    int errcount = 0;
    // Children are loaded where they stay: a Variable is ~200 bytes of
    // strings, and moving each one as the vector grew cost more than
    // loading it. The length comes from the target (it may be garbage, and
    // loading stops at the first uncaptured elements), so the reservation
    // is bounded.
    v.children.reserve(static_cast<size_t>(std::min<int64_t>(count, 64)));
    for (int64_t i = 0; i < count; ++i) {
      Place ep = elems.at(static_cast<uint64_t>(i) * stride);
      Variable& e = v.children.emplace_back();
      init(e, {}, *t.elem, ep);
      load(e, *t.elem, ep, recurse + 1);
      if (!e.unreadable.empty()) ++errcount;
      if (errcount > kMaxErrCount) break;
    }
  }

  void load_struct(Variable& v, const Type& t, const Place& p, int recurse) const {
    v.len = static_cast<int64_t>(t.fields.size());
    if (recurse > cfg_.max_variable_recurse) return;
    size_t n = t.fields.size();
    if (cfg_.max_struct_fields >= 0) n = std::min(n, static_cast<size_t>(cfg_.max_struct_fields));
    v.children.reserve(n);
    for (const auto& f : t.fields) {
      if (cfg_.max_struct_fields >= 0 &&
          static_cast<int>(v.children.size()) >= cfg_.max_struct_fields)
        break;
      if (f.type == nullptr) {
        Variable bad;
        bad.name = f.name;
        bad.unreadable = "field type unknown";
        v.children.push_back(std::move(bad));
        continue;
      }
      Place fp = p.at(f.offset);
      Variable& c = v.children.emplace_back();
      init(c, f.name, *f.type, fp);
      load(c, *f.type, fp, recurse + 1);
    }
  }

  // maybeDereference: the pointee lives in target memory at the pointer's
  // value, named "" like Delve's.
  Variable deref(const Type& ptr_type, const Place& p, Place* pointee) const {
    Variable c;
    auto u = p.read_uint(mem_, 0, 8);
    uint64_t target = u ? *u : 0;
    *pointee = Place::in_memory(target);
    if (ptr_type.elem != nullptr) {
      c = make("", *ptr_type.elem, *pointee);
    } else {
      // unsafe.Pointer and pointers to unknown types point at "void".
      c.addr = target;
      c.type = c.real_type = "void";
    }
    if (!u) c.unreadable = not_captured(p.addr(), 8);
    return c;
  }

  void load_pointer(Variable& v, const Type& t, const Place& p, int recurse) const {
    v.len = 1;
    Place pointee = Place::in_memory(0);
    Variable c = deref(t, p, &pointee);
    if (cfg_.follow_pointers && t.elem != nullptr) {
      // Delve does not count a dereference as a recursion level, except
      // into an interface (which could loop forever).
      int next = recurse + (t.elem->kind == Kind::interface ? 1 : 0);
      load(c, *t.elem, pointee, next);
    } else {
      c.only_addr = true;
    }
    v.children.push_back(std::move(c));
  }

  // loadMap. The entries are walked through captured memory; where the walk
  // reaches memory the probe did not copy, it stops there and the entries
  // not shown count as "...+N more", as entries past MaxArrayValues do.
  void load_map(Variable& v, const Type& t, const Place& p, int recurse) const {
    auto hdr = p.read_uint(mem_, 0, 8);
    if (!hdr) return set_unreadable(v, p.addr(), 8);
    v.base = *hdr;
    if (v.base == 0) return;
    auto layout = map_layout(t);
    if (!layout) {
      // No DWARF for the map's runtime struct: its count is still its
      // first word (hash.count and map.used alike).
      auto n = Place::in_memory(v.base).read_uint(mem_, 0, 8);
      if (!n) return set_unreadable(v, v.base, 8);
      v.len = static_cast<int64_t>(*n);
      return;
    }
    detail::MapWalk walk(*layout, v.base, mem_, static_cast<uint64_t>(std::max(0, cfg_.max_map_buckets)));
    auto n = walk.count();
    if (!n) return set_unreadable(v, v.base + layout->count_off, 8);
    v.len = *n;
    if (v.len <= 0 || cfg_.max_array_values == 0) return;
    int count = 0, errcount = 0;
    detail::MapSlot slot;
    while (walk.next(slot)) {
      // Both first: a second emplace_back could move the first.
      v.children.emplace_back();
      v.children.emplace_back();
      Variable& key = v.children[v.children.size() - 2];
      Variable& elem = v.children.back();
      load_slot_value(key, *layout->slot_key, layout->key_indirect, slot.key_addr, recurse);
      load_slot_value(elem, *layout->slot_elem, layout->elem_indirect, slot.elem_addr, recurse);
      if (!key.unreadable.empty() || !elem.unreadable.empty()) ++errcount;
      ++count;
      if (errcount > kMaxErrCount) break;
      if (count >= cfg_.max_array_values || count >= v.len) break;
    }
  }

  // A key or element of a map: stored inline, or (too large for a slot)
  // behind a pointer that Delve follows without counting a level.
  void load_slot_value(Variable& out, const Type& stored, bool indirect, uint64_t addr,
                       int recurse) const {
    Place sp = Place::in_memory(addr);
    if (indirect && stored.elem != nullptr) {
      Place target = Place::in_memory(0);
      out = deref(stored, sp, &target);
      load(out, *stored.elem, target, recurse + 1);
      return;
    }
    init(out, {}, stored, sp);
    load(out, stored, sp, recurse + 1);
  }

  // Delve loads the whole runtime.hchan; qcount and dataqsiz (the two
  // fields the single-line form prints) are its first two words.
  void load_chan(Variable& v, const Place& p) const {
    auto hdr = p.read_uint(mem_, 0, 8);
    if (!hdr) return set_unreadable(v, p.addr(), 8);
    v.base = *hdr;
    if (v.base == 0) return;
    auto b = mem_.read(v.base, 16);
    if (!b || b->size() < 16) return set_unreadable(v, v.base, 16);
    const char* names[2] = {"qcount", "dataqsiz"};
    for (int i = 0; i < 2; ++i) {
      uint64_t n = detail::le_uint(b->subspan(8 * i, 8));
      Variable c;
      c.name = names[i];
      c.addr = v.base + 8 * i;
      c.type = c.real_type = "uint";
      c.kind = Kind::uint;
      c.value = std::to_string(n);
      v.children.push_back(std::move(c));
    }
    v.len = 2;
  }

  // readFunctionPtr: the variable holds a *funcval whose first word is the
  // entry PC.
  void load_func(Variable& v, const Place& p) const {
    auto closure = p.read_uint(mem_, 0, 8);
    if (!closure) return set_unreadable(v, p.addr(), 8);
    if (*closure == 0) return;  // nil func: value "" prints "nil"
    auto pc = Place::in_memory(*closure).read_uint(mem_, 0, 8);
    if (!pc) return set_unreadable(v, *closure, 8);
    v.base = *pc;
    std::string fn = types_.function_name(*pc);
    // Without symbols the entry address stands in for the name.
    v.value = fn.empty() ? detail::hex(*pc) : fn;
  }

  void load_complex(Variable& v, const Type& t, const Place& p) const {
    const bool c64 = t.kind == Kind::complex64;
    const uint64_t half = c64 ? 4 : 8;
    auto re = read_float(p, 0, half);
    auto im = read_float(p, half, half);
    // api.ConvertVar always gives complex values two float children.
    v.len = 2;
    const char* names[2] = {"real", "imaginary"};
    std::optional<double> parts[2] = {re, im};
    for (int i = 0; i < 2; ++i) {
      Variable c;
      c.name = names[i];
      c.kind = c64 ? Kind::float32 : Kind::float64;
      c.value = parts[i] ? detail::format_float(*parts[i], c64 ? 32 : 64) : "nil";
      v.children.push_back(std::move(c));
    }
    if (!re || !im) return set_unreadable(v, p.addr(), 2 * half);
    v.value = "(" + detail::format_constant_float(*re) + " + " +
              detail::format_constant_float(*im) + "i)";
  }

  // loadInterface / readInterface.
  void load_interface(Variable& v, const Type& t, const Place& p, int recurse) const {
    const uint64_t type_off = field_offset(t, t.empty_interface ? "_type" : "tab", 0);
    const uint64_t data_off = field_offset(t, "data", 8);
    auto word0 = p.read_uint(mem_, type_off, 8);
    if (!word0) return set_unreadable(v, p.addr() + type_off, 8);
    const Place data_place = p.at(data_off);

    if (*word0 == 0) {
      // A nil interface: Delve dereferences the (nil) data pointer, giving
      // an invalid-kind "void" child at address 0 that prints as "nil".
      auto d = data_place.read_uint(mem_, 0, 8);
      Variable c;
      c.addr = d ? *d : 0;
      c.type = c.real_type = "void";
      if (!d) c.unreadable = not_captured(data_place.addr(), 8);
      v.children.push_back(std::move(c));
      return;
    }

    uint64_t rtype = *word0;
    if (!t.empty_interface) {
      // iface: word0 is an *itab; itab._type follows the inter pointer.
      auto ty = Place::in_memory(*word0).read_uint(mem_, 8, 8);
      if (!ty) {
        v.unreadable = "invalid interface type: " + not_captured(*word0 + 8, 8);
        return;
      }
      rtype = *ty;
    }
    const Type* dyn = types_.by_runtime_address(rtype);
    if (dyn == nullptr) {
      v.unreadable = "could not resolve interface type";
      return;
    }

    Variable c;
    Place cp = data_place;
    if (is_direct_iface(dyn)) {
      c = make("data", *dyn, data_place);
    } else {
      auto d = data_place.read_uint(mem_, 0, 8);
      if (!d) {
        c.name = "data";
        c.type = c.real_type = dyn->name;
        c.kind = dyn->kind;
        c.unreadable = not_captured(data_place.addr(), 8);
        v.children.push_back(std::move(c));
        return;
      }
      cp = Place::in_memory(*d);
      c = make("data", *dyn, cp);
    }
    if (recurse <= cfg_.max_variable_recurse) {
      load(c, *dyn, cp, recurse);
    } else {
      c.only_addr = true;
    }
    v.children.push_back(std::move(c));
  }

  const MemoryView& mem_;
  const TypeLookup& types_;
  const LoadConfig& cfg_;
};

}  // namespace

Variable load_variable(std::string name, const symbols::Type& type,
                       std::span<const uint8_t> bytes, const MemoryView& mem,
                       const TypeLookup& types, const LoadConfig& cfg,
                       uint64_t addr) {
  if (addr == 0) addr = kFakeAddressBase;
  Loader loader(mem, types, cfg);
  Place p = Place::in_bytes(addr, bytes);
  Variable v = loader.make(std::move(name), type, p);
  loader.load(v, type, p, 0);
  if (is_fake_address(addr)) v.flags |= kVarFakeAddress;
  return v;
}

std::vector<Variable> result_placeholders(const std::vector<symbols::Variable>& results) {
  static const symbols::Type unknown{};
  std::vector<Variable> out;
  for (const auto& r : results) {
    Variable v = unreadable_variable(r.name, r.type ? *r.type : unknown, "");
    v.flags |= kVarReturnArgument;
    out.push_back(std::move(v));
  }
  return out;
}

Variable unreadable_variable(std::string name, const symbols::Type& type,
                             std::string reason) {
  Variable v;
  v.name = std::move(name);
  v.type = type.name;
  v.real_type = type.name;
  v.kind = type.kind;
  // The printer writes "(unreadable <reason>)"; a reason that already says
  // "unreadable ..." would read twice.
  constexpr std::string_view kPrefix = "unreadable ";
  if (reason.starts_with(kPrefix) && reason.size() > kPrefix.size())
    reason.erase(0, kPrefix.size());
  v.unreadable = std::move(reason);
  return v;
}

}  // namespace gotrace::values
