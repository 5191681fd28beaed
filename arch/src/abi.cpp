// Go ABIInternal argument/result assignment (src/cmd/compile/abi-internal.md,
// unchanged in substance Go 1.17..1.19; the compiler's implementation is
// cmd/compile/internal/abi/abiutils.go).
#include "gotrace/arch/abi.h"

#include <utility>

namespace gotrace::arch {
namespace {

constexpr uint64_t kPtrSize = 8;  // both supported machines are 64-bit

uint64_t align_up(uint64_t v, uint64_t a) {
  return a <= 1 ? v : (v + a - 1) / a * a;
}

class Assigner {
 public:
  explicit Assigner(Machine m)
      : m_(m), ni_(int_arg_reg_count(m)), nf_(float_arg_reg_count(m)) {}

  // "Assigning a receiver, argument, or result": all registers or all stack.
  ValueLocation assign(const AbiType& t) {
    ValueLocation loc;
    int saved_i = i_, saved_f = f_;
    // Zero-size values take a (zero-size) stack slot and no register.
    if (t.size != 0 && reg_assign(t, 0, loc.pieces)) return loc;
    i_ = saved_i;
    f_ = saved_f;
    loc.pieces.clear();
    loc.on_stack = true;
    stack_ = align_up(stack_, t.align);
    loc.stack_offset = stack_args_offset(m_) + static_cast<int64_t>(stack_);
    stack_ += t.size;
    return loc;
  }

  // Results restart from register 0 and follow the params' stack area after
  // a pointer-size alignment.
  void start_results() {
    i_ = f_ = 0;
    align_stack();
  }
  void align_stack() { stack_ = align_up(stack_, kPtrSize); }
  uint64_t stack_size() const { return stack_; }

 private:
  bool take_int(uint64_t off, uint64_t size, std::vector<RegPiece>& out) {
    if (i_ >= ni_) return false;
    out.push_back(RegPiece{int_arg_reg_dwarf(m_, i_++), false, off, size});
    return true;
  }
  bool take_float(uint64_t off, uint64_t size, std::vector<RegPiece>& out) {
    if (f_ >= nf_) return false;
    out.push_back(RegPiece{float_arg_reg_dwarf(m_, f_++), true, off, size});
    return true;
  }

  // "Register-assignment of a value V of type T"; `off` is V's offset inside
  // the top-level value. Any failure fails the whole top-level value.
  bool reg_assign(const AbiType& t, uint64_t off, std::vector<RegPiece>& out) {
    using K = AbiType::Kind;
    switch (t.kind) {
      case K::integer:
        // Wider integers would need two registers, which only happens on
        // 32-bit machines; neither supported machine has them.
        return t.size <= kPtrSize && take_int(off, t.size, out);
      case K::floating:
        return take_float(off, t.size, out);
      case K::complex:
        return take_float(off, t.size / 2, out) &&
               take_float(off + t.size / 2, t.size / 2, out);
      case K::string:     // ptr, len
      case K::interface:  // type/itab, data
        return take_int(off, kPtrSize, out) && take_int(off + kPtrSize, kPtrSize, out);
      case K::slice:  // ptr, len, cap
        return take_int(off, kPtrSize, out) &&
               take_int(off + kPtrSize, kPtrSize, out) &&
               take_int(off + 2 * kPtrSize, kPtrSize, out);
      case K::structure: {
        uint64_t natural = 0;  // layout used when the caller gave no offsets
        for (size_t k = 0; k < t.fields.size(); ++k) {
          const AbiType& f = t.fields[k];
          natural = align_up(natural, f.align);
          uint64_t foff = k < t.field_offsets.size() ? t.field_offsets[k] : natural;
          natural = foff + f.size;
          if (f.size == 0) continue;  // zero-size fields take nothing
          if (!reg_assign(f, off + foff, out)) return false;
        }
        return true;
      }
      case K::array:
        // Go never splits arrays of more than one element across registers
        // (indexing would need a dynamic register choice).
        if (t.array_len == 0) return true;
        if (t.array_len == 1 && !t.fields.empty()) {
          return t.fields[0].size == 0 || reg_assign(t.fields[0], off, out);
        }
        return false;
    }
    return false;
  }

  Machine m_;
  int ni_, nf_;
  int i_ = 0, f_ = 0;
  uint64_t stack_ = 0;  // offset inside the stack-args area
};

}  // namespace

FrameLayout assign_frame(Machine m, std::span<const AbiType> params,
                         std::span<const AbiType> results) {
  FrameLayout out;
  Assigner a(m);
  for (const AbiType& p : params) out.params.push_back(a.assign(p));
  a.start_results();
  for (const AbiType& r : results) out.results.push_back(a.assign(r));
  a.align_stack();
  out.stack_args_size = a.stack_size();
  return out;
}

}  // namespace gotrace::arch
