#include "gotrace/arch/calls.h"

#include "gotrace/arch/amd64/calls.h"
#include "gotrace/arch/arm64/calls.h"

namespace gotrace::arch {

Result<std::vector<uint64_t>> direct_call_targets(Machine m, std::span<const uint8_t> code,
                                                  uint64_t entry) {
  switch (m) {
    case Machine::amd64: return amd64::direct_call_targets(code, entry);
    case Machine::arm64: return arm64::direct_call_targets(code, entry);
  }
  return make_error(Errc::invalid_argument, "unknown machine");
}

Result<std::vector<uint64_t>> address_references(Machine m, std::span<const uint8_t> code,
                                                 uint64_t entry) {
  if (m == Machine::arm64) return arm64::address_references(code, entry);
  return amd64::address_references(code, entry);
}

Result<std::vector<uint64_t>> straight_line(Machine m, std::span<const uint8_t> code, uint64_t entry,
                                            uint64_t skip_branch) {
  if (m == Machine::amd64) return amd64::straight_line(code, entry, skip_branch);
  std::vector<uint64_t> out;
  for (uint64_t off = 0; off + 4 <= code.size(); off += 4) {
    uint32_t w = code[off] | code[off + 1] << 8 | code[off + 2] << 16 | static_cast<uint32_t>(code[off + 3]) << 24;
    out.push_back(entry + off);
    // B, BL; B.cond; CBZ/CBNZ; TBZ/TBNZ; BR/BLR/RET (A64 encodings).
    bool transfer = (w & 0x7c000000) == 0x14000000 || (w & 0xff000010) == 0x54000000 ||
                    (w & 0x7e000000) == 0x34000000 || (w & 0x7e000000) == 0x36000000 ||
                    (w & 0xfe000000) == 0xd6000000;
    if (transfer && entry + off != skip_branch) break;
  }
  return out;
}

}  // namespace gotrace::arch
