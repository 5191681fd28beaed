// TypeTable: Go types converted from DWARF DIEs, cached by DIE offset.
// Type objects live in a deque so their addresses never change.
#pragma once

#include "dwarf_index.h"
#include "gotrace/symbols/types.h"

#include <deque>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

namespace gotrace::symbols::detail {

class TypeTable {
 public:
  // [types_start, types_end) is runtime.types..runtime.etypes: the linker
  // stores DW_AT_go_runtime_type mostly as an offset from runtime.types.
  TypeTable(DwarfIndex& index, uint64_t ptr_size, uint64_t types_start, uint64_t types_end)
      : index_(index), ptr_size_(ptr_size), types_start_(types_start), types_end_(types_end) {}

  const Type* from_die(Dwarf_Die* die);
  const Type* by_runtime_address(uint64_t addr);
  const Type* by_name(std::string_view name);
  // Like by_name, but looks only at the compile units of Go package `pkg`,
  // where the linker puts that package's types: finding runtime.g this way
  // reads a few CUs instead of every type DIE of the binary.
  const Type* by_name_in_package(std::string_view name, std::string_view pkg);
  // Every named type, sorted.
  std::vector<std::string> names();

 private:
  const Type* convert(Dwarf_Die* die);
  void fill(Type& t, Dwarf_Die* kind_die, Dwarf_Die* under);
  void fill_fields(Type& t, Dwarf_Die* structure);
  uint64_t runtime_address(uint64_t attr) const;
  uint64_t scalar_align(const Type& t) const;
  void scan();

  DwarfIndex& index_;
  uint64_t ptr_size_;
  uint64_t types_start_, types_end_;
  std::deque<Type> storage_;
  std::unordered_map<Dwarf_Off, const Type*> cache_;
  // Typedefs being resolved as aliases right now (convert's call stack):
  // an alias is cached only once its target is, so a cycle of them would
  // recurse without end.
  std::vector<Dwarf_Off> aliasing_;
  int nesting_ = 0;  // from_die calls on the stack
  bool scanned_ = false;
  std::unordered_map<uint64_t, Dwarf_Off> by_runtime_;
  std::map<std::string, Dwarf_Off, std::less<>> by_name_;
};

}  // namespace gotrace::symbols::detail
