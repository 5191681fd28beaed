#include "gotrace/arch/stack_abi.h"

#include "gotrace/support/go_release.h"

namespace gotrace::arch {
namespace {

uint64_t align_up(uint64_t v, uint64_t a) { return a > 1 ? (v + a - 1) / a * a : v; }

ValueLocation at(Machine m, uint64_t offset) {
  ValueLocation loc;
  loc.on_stack = true;
  loc.stack_offset = stack_args_offset(m) + static_cast<int64_t>(offset);
  return loc;
}

}  // namespace

FrameLayout assign_stack_frame(Machine m, std::span<const AbiType> params,
                               std::span<const AbiType> results) {
  FrameLayout f;
  uint64_t off = 0;
  for (const AbiType& t : params) {
    off = align_up(off, t.align);
    f.params.push_back(at(m, off));
    off += t.size;
  }
  off = align_up(off, 8);
  for (const AbiType& t : results) {
    off = align_up(off, t.align);
    f.results.push_back(at(m, off));
    off += t.size;
  }
  f.stack_args_size = align_up(off, 8);
  return f;
}

bool uses_register_abi(Machine m, std::string_view v) {
  std::optional<int> minor = go_minor(v);
  if (!minor) return true;  // no release named: today's ABI
  return *minor >= (m == Machine::amd64 ? 17 : 18);
}

}  // namespace gotrace::arch
