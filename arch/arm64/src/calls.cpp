#include "gotrace/arch/arm64/calls.h"

#include "gotrace/arch/arm64/insn.h"

#include <algorithm>
#include <cstring>

namespace gotrace::arch::arm64 {

Result<std::vector<uint64_t>> direct_call_targets(std::span<const uint8_t> code, uint64_t entry) {
  if (code.size() % 4 != 0)
    return make_error(Errc::corrupt, "arm64 code is not a whole number of instructions");
  std::vector<uint64_t> out;
  for (size_t off = 0; off < code.size(); off += 4) {
    uint32_t w;
    std::memcpy(&w, code.data() + off, 4);
    if (!is_bl(w)) continue;
    uint64_t t = imm26_target(w, entry + off);
    if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
  }
  return out;
}

}  // namespace gotrace::arch::arm64
