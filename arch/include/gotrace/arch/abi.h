// Go ABIInternal register assignment (Go 1.17+ amd64, 1.18+ arm64), following
// src/cmd/compile/abi-internal.md. DWARF gives names and types, but in
// optimized builds it leaves results and unused parameters without locations
// (tracing-facts §4.3), so this model is the source of truth for where a value
// lives at entry and at RET.
#pragma once

#include "gotrace/arch/machine.h"

#include <cstdint>
#include <span>
#include <vector>

namespace gotrace::arch {

// The shape of a Go type as far as the ABI cares.
struct AbiType {
  enum class Kind : uint8_t {
    integer,    // bool, intN, uintN, uintptr, pointers, maps, chans, funcs,
                // unsafe.Pointer: one integer register if size <= ptr size
    floating,   // float32, float64: one float register
    complex,    // complex64/128: two float registers
    string,     // 2 integer registers (ptr, len)
    slice,      // 3 integer registers (ptr, len, cap)
    interface,  // 2 integer registers (type/itab, data)
    structure,  // fields assigned recursively
    array,      // len 0: nothing; len 1: the element; len > 1: stack
  };
  Kind kind = Kind::integer;
  uint64_t size = 0;
  uint64_t align = 1;
  std::vector<AbiType> fields;          // structure: field types
  std::vector<uint64_t> field_offsets;  // structure: byte offset per field
  uint64_t array_len = 0;               // array: element is fields[0]
};

// One register-held piece of a value: `size` bytes at `value_offset` inside
// the value's in-memory layout live in the low bytes of `dwarf_reg`.
struct RegPiece {
  int dwarf_reg = 0;
  bool is_float = false;
  uint64_t value_offset = 0;
  uint64_t size = 0;
};

// Where one parameter or result lives. Either entirely in registers or
// entirely on the stack (never split), per the ABI.
struct ValueLocation {
  bool on_stack = false;
  // on_stack: offset from SP at entry (params) or at RET (results) to the
  // value, already including stack_args_offset().
  int64_t stack_offset = 0;
  std::vector<RegPiece> pieces;  // !on_stack: in value order
};

struct FrameLayout {
  std::vector<ValueLocation> params;   // receiver first
  std::vector<ValueLocation> results;
  uint64_t stack_args_size = 0;  // bytes of stack args + results area
};

// Assigns parameters (receiver first) and results. Results restart from
// register 0 and are valid at RET.
FrameLayout assign_frame(Machine m, std::span<const AbiType> params,
                         std::span<const AbiType> results);

}  // namespace gotrace::arch
