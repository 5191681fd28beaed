// Hand-built Go types and a fake captured target for the values tests.
#pragma once

#include "gotrace/values/variable.h"

#include <cstring>
#include <deque>
#include <map>
#include <string>
#include <vector>

namespace gotrace::values::testing {

using symbols::Field;
using symbols::Kind;
using symbols::Type;

class FakeMemory : public MemoryView {
 public:
  void put(uint64_t addr, std::vector<uint8_t> bytes) {
    regions_[addr] = std::move(bytes);
  }
  void put_string(uint64_t addr, const std::string& s) {
    put(addr, std::vector<uint8_t>(s.begin(), s.end()));
  }
  std::optional<std::span<const uint8_t>> read(uint64_t addr,
                                               uint64_t size) const override {
    auto it = regions_.upper_bound(addr);
    if (it == regions_.begin()) return std::nullopt;
    --it;
    const uint64_t off = addr - it->first;
    if (off > it->second.size() || size > it->second.size() - off)
      return std::nullopt;
    return std::span<const uint8_t>(it->second.data() + off, size);
  }

 private:
  std::map<uint64_t, std::vector<uint8_t>> regions_;
};

class FakeTypes : public TypeLookup {
 public:
  std::map<uint64_t, const Type*> by_addr;
  std::map<uint64_t, std::string> funcs;
  const Type* by_runtime_address(uint64_t addr) const override {
    auto it = by_addr.find(addr);
    return it == by_addr.end() ? nullptr : it->second;
  }
  std::string function_name(uint64_t pc) const override {
    auto it = funcs.find(pc);
    return it == funcs.end() ? std::string() : it->second;
  }
};

// Little-endian byte builder for argument values.
class Bytes {
 public:
  Bytes& u64(uint64_t v) { return un(v, 8); }
  Bytes& i64(int64_t v) { return un(static_cast<uint64_t>(v), 8); }
  Bytes& un(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) b_.push_back(static_cast<uint8_t>(v >> (8 * i)));
    return *this;
  }
  Bytes& f64(double d) {
    uint64_t u;
    std::memcpy(&u, &d, 8);
    return u64(u);
  }
  Bytes& f32(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return un(u, 4);
  }
  std::vector<uint8_t> vec() const { return b_; }
  operator std::vector<uint8_t>() const { return b_; }

 private:
  std::vector<uint8_t> b_;
};

// Owns the hand-built types (pointers between them stay valid).
class Types {
 public:
  Types() {
    int_ = basic(Kind::int_, "int", 8);
    uint8_ = basic(Kind::uint8, "uint8", 1);
    bool_ = basic(Kind::bool_, "bool", 1);
    float64_ = basic(Kind::float64, "float64", 8);
    float32_ = basic(Kind::float32, "float32", 4);
    complex128_ = basic(Kind::complex128, "complex128", 16);
    uintptr_ = basic(Kind::uintptr, "uintptr", 8);
    string_ = add({Kind::string, "string", 16, 8});
    const Type* u8ptr = add({Kind::pointer, "*uint8", 8, 8, uint8_});
    string_->fields = {{"str", 0, u8ptr}, {"len", 8, int_}};
    point = struct_("main.Point", {{"X", int_}, {"Y", int_}, {"Name", string_}});
    rect = struct_("main.Rect", {{"W", int_}, {"H", int_}});
    five = struct_("main.Five", {{"A", int_}, {"B", int_}, {"C", int_},
                                 {"D", int_}, {"E", int_}});
    outer = struct_("main.Outer", {{"P", point}, {"N", int_}});
    wait_group = struct_("sync.WaitGroup", {{"state", uintptr_}, {"sema", uintptr_}});
    my_err = struct_("main.MyErr", {{"Code", int_}});
    slice_int = slice("[]int", int_);
    slice_string = slice("[]string", string_);
    ptr_point = pointer("*main.Point", point);
    ptr_wait_group = pointer("*sync.WaitGroup", wait_group);
    ptr_my_err = pointer("*main.MyErr", my_err);
    error = iface("error", false);
    shape = iface("main.Shape", false);
    any = iface("interface {}", true);
    map_string_int = add({Kind::map, "map[string]int", 8, 8, int_, string_});
    array_int3 = add({Kind::array, "[3]int", 24, 8, int_, nullptr, 3});
    func = add({Kind::func, "func(int) int", 8, 8});
    unsafe_ptr = add({Kind::unsafe_pointer, "unsafe.Pointer", 8, 8});
    chan_int = add({Kind::chan, "chan int", 8, 8, int_});
    map_types();
  }

  // map[string]int as the compiler describes it: a Swiss table (Go 1.24+)
  // and a classic hash map (up to 1.23).
  void map_types() {
    // Swiss: map<string,int> -> **table<string,int> -> groups of 8 slots.
    const Type* u16 = basic(Kind::uint16, "uint16", 2);
    const Type* u64 = basic(Kind::uint64, "uint64", 8);
    Type slot{Kind::struct_, "noalg.struct { key string; elem int }", 24, 8};
    slot.fields = {{"key", 0, string_}, {"elem", 16, int_}};
    const Type* slot_t = add(slot);
    const Type* slots = add({Kind::array, "noalg.[8]struct { key string; elem int }", 192, 8, slot_t, nullptr, 8});
    Type group{Kind::struct_, "noalg.map.group[string]int", 200, 8};
    group.fields = {{"ctrl", 0, u64}, {"slots", 8, slots}};
    const Type* group_t = add(group);
    Type ref{Kind::struct_, "groupReference<string,int>", 16, 8};
    ref.fields = {{"data", 0, pointer("*noalg.map.group[string]int", group_t)}, {"lengthMask", 8, u64}};
    const Type* ref_t = add(ref);
    Type table{Kind::struct_, "table<string,int>", 32, 8};
    table.fields = {{"used", 0, u16}, {"capacity", 2, u16}, {"growthLeft", 4, u16},
                    {"localDepth", 6, uint8_}, {"index", 8, int_}, {"groups", 16, ref_t}};
    const Type* table_t = add(table);
    const Type* ptr_table = pointer("*table<string,int>", table_t);
    Type hdr{Kind::struct_, "map<string,int>", 48, 8};
    hdr.fields = {{"used", 0, u64}, {"seed", 8, uintptr_}, {"dirPtr", 16, pointer("**table<string,int>", ptr_table)},
                  {"dirLen", 24, int_}, {"globalDepth", 32, uint8_}};
    swiss_map = add({Kind::map, "map[string]int", 8, 8, int_, string_});
    swiss_map->map_header = add(hdr);

    // Classic: hash<string,int> -> bucket<string,int>.
    const Type* tophash = add({Kind::array, "[8]uint8", 8, 1, uint8_, nullptr, 8});
    const Type* keys = add({Kind::array, "[8]string", 128, 8, string_, nullptr, 8});
    const Type* values = add({Kind::array, "[8]int", 64, 8, int_, nullptr, 8});
    Type* bucket = add({Kind::struct_, "bucket<string,int>", 208, 8});
    const Type* ptr_bucket = pointer("*bucket<string,int>", bucket);
    bucket->fields = {{"tophash", 0, tophash}, {"keys", 8, keys}, {"values", 136, values}, {"overflow", 200, ptr_bucket}};
    Type h{Kind::struct_, "hash<string,int>", 48, 8};
    h.fields = {{"count", 0, int_}, {"flags", 8, uint8_}, {"B", 9, uint8_},
                {"buckets", 16, ptr_bucket}, {"oldbuckets", 24, ptr_bucket}};
    classic_map = add({Kind::map, "map[string]int", 8, 8, int_, string_});
    classic_map->map_header = add(h);
  }

  Type* basic(Kind k, std::string name, uint64_t size) {
    return add({k, std::move(name), size, size});
  }
  Type* struct_(std::string name,
                std::vector<std::pair<std::string, const Type*>> fields) {
    Type t{Kind::struct_, std::move(name)};
    uint64_t off = 0;
    for (auto& [n, ft] : fields) {
      t.fields.push_back({n, off, ft});
      off += ft->size;
    }
    t.size = off;
    t.align = 8;
    return add(std::move(t));
  }
  Type* slice(std::string name, const Type* elem) {
    Type t{Kind::slice, std::move(name), 24, 8, elem};
    const Type* p = add({Kind::pointer, "*" + elem->name, 8, 8, elem});
    t.fields = {{"array", 0, p}, {"len", 8, int_}, {"cap", 16, int_}};
    return add(std::move(t));
  }
  Type* pointer(std::string name, const Type* elem) {
    return add({Kind::pointer, std::move(name), 8, 8, elem});
  }
  Type* iface(std::string name, bool empty) {
    Type t{Kind::interface, std::move(name), 16, 8};
    t.empty_interface = empty;
    t.fields = {{empty ? "_type" : "tab", 0, uintptr_}, {"data", 8, uintptr_}};
    return add(std::move(t));
  }
  Type* add(Type t) {
    store_.push_back(std::move(t));
    return &store_.back();
  }

  Type *int_, *uint8_, *bool_, *float64_, *float32_, *complex128_, *uintptr_,
      *string_;
  Type *point, *rect, *five, *outer, *wait_group, *my_err;
  Type *slice_int, *slice_string, *ptr_point, *ptr_wait_group, *ptr_my_err;
  Type *error, *shape, *any, *map_string_int, *array_int3, *func, *unsafe_ptr,
      *chan_int;
  Type *swiss_map, *classic_map;  // map[string]int with their runtime structs

 private:
  std::deque<Type> store_;
};

}  // namespace gotrace::values::testing
