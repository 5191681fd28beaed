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

// Go materializes an address as ADRP Xd, page; ADD Xd, Xd, #lo12.
Result<std::vector<uint64_t>> address_references(std::span<const uint8_t> code, uint64_t entry) {
  if (code.size() % 4 != 0)
    return make_error(Errc::corrupt, "arm64 code is not a whole number of instructions");
  std::vector<uint64_t> out;
  for (size_t off = 0; off + 8 <= code.size(); off += 4) {
    uint32_t adrp, add;
    std::memcpy(&adrp, code.data() + off, 4);
    std::memcpy(&add, code.data() + off + 4, 4);
    if ((adrp & 0x9f000000u) != 0x90000000u || (add & 0xffc00000u) != 0x91000000u) continue;
    uint32_t rd = adrp & 31u;
    if ((add & 31u) != rd || ((add >> 5) & 31u) != rd) continue;
    int64_t pages = static_cast<int64_t>(((adrp >> 5) & 0x7ffffu) << 2 | ((adrp >> 29) & 3u));
    if (pages & (int64_t{1} << 20)) pages -= int64_t{1} << 21;
    uint64_t page = ((entry + off) & ~uint64_t{0xfff}) + static_cast<uint64_t>(pages * 4096);
    uint64_t addr = page + ((add >> 10) & 0xfffu);
    if (std::find(out.begin(), out.end(), addr) == out.end()) out.push_back(addr);
  }
  return out;
}

}  // namespace gotrace::arch::arm64
