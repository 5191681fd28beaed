#include "type_shape.h"

namespace gotrace::tracer {

using symbols::Kind;
using K = arch::AbiType::Kind;

bool is_float_kind(Kind k) { return k == Kind::float32 || k == Kind::float64; }

arch::AbiType abi_type_of(const symbols::Type& t) {
  arch::AbiType a;
  a.size = t.size;
  a.align = t.align ? t.align : 1;
  switch (t.kind) {
    case Kind::float32:
    case Kind::float64:
      a.kind = K::floating;
      break;
    case Kind::complex64:
    case Kind::complex128:
      a.kind = K::complex;
      break;
    case Kind::string:
      a.kind = K::string;
      break;
    case Kind::slice:
      a.kind = K::slice;
      break;
    case Kind::interface:
      a.kind = K::interface;
      break;
    case Kind::struct_:
      a.kind = K::structure;
      for (const symbols::Field& f : t.fields) {
        if (!f.type) continue;
        a.fields.push_back(abi_type_of(*f.type));
        a.field_offsets.push_back(f.offset);
      }
      break;
    case Kind::array:
      a.kind = K::array;
      a.array_len = t.array_len;
      if (t.elem) a.fields.push_back(abi_type_of(*t.elem));
      break;
    default:
      // bool, ints, uints, uintptr, pointers, maps, chans, funcs,
      // unsafe.Pointer: one integer register.
      a.kind = K::integer;
      break;
  }
  return a;
}

}  // namespace gotrace::tracer
