// The Go type model read from DWARF: plain structs, owned by the Binary that
// produced them (pointers stay valid for the Binary's lifetime).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gotrace::symbols {

// Values match Go's reflect.Kind (and Delve's api.Variable.kind).
enum class Kind : uint8_t {
  invalid = 0,
  bool_ = 1,
  int_ = 2,
  int8 = 3,
  int16 = 4,
  int32 = 5,
  int64 = 6,
  uint = 7,
  uint8 = 8,
  uint16 = 9,
  uint32 = 10,
  uint64 = 11,
  uintptr = 12,
  float32 = 13,
  float64 = 14,
  complex64 = 15,
  complex128 = 16,
  array = 17,
  chan = 18,
  func = 19,
  interface = 20,
  map = 21,
  pointer = 22,
  slice = 23,
  string = 24,
  struct_ = 25,
  unsafe_pointer = 26,
};

struct Type;

struct Field {
  std::string name;
  uint64_t offset = 0;
  const Type* type = nullptr;
  bool embedded = false;
};

struct Type {
  Kind kind = Kind::invalid;
  std::string name;  // Go spelling: "int", "main.Point", "[]int", "*main.T",
                     // "map[string]int", "error", "interface {}"
  uint64_t size = 0;
  uint64_t align = 1;
  // pointer: target; slice/array/chan: element; map: value type.
  const Type* elem = nullptr;
  const Type* key = nullptr;  // map key
  uint64_t array_len = 0;
  // struct: its fields. string/slice/interface: the runtime's layout as DWARF
  // describes it (str/len, array/len/cap, tab|_type/data).
  std::vector<Field> fields;
  bool empty_interface = false;  // interface {} (eface) vs iface
  uint64_t runtime_type = 0;     // DW_AT_go_runtime_type: address of the
                                 // runtime._type descriptor, 0 if absent
  // map: the runtime struct a map value points to, as the compiler
  // describes it per map type (hash<K,V> with its buckets up to Go 1.23,
  // the Swiss table map<K,V> with its tables and groups from 1.24).
  const Type* map_header = nullptr;
};

}  // namespace gotrace::symbols
