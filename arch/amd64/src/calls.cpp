#include "gotrace/arch/amd64/calls.h"

#include "decode.h"

#include <algorithm>

namespace gotrace::arch::amd64 {

Result<std::vector<uint64_t>> direct_call_targets(std::span<const uint8_t> code, uint64_t entry) {
  auto ins = decode_all(make_decoder(), code, entry);
  if (!ins) return ins.error();
  std::vector<uint64_t> out;
  for (const Insn& in : *ins)
    if (in.mnemonic == ZYDIS_MNEMONIC_CALL && in.rel_target &&
        std::find(out.begin(), out.end(), *in.rel_target) == out.end())
      out.push_back(*in.rel_target);
  return out;
}

Result<std::vector<uint64_t>> straight_line(std::span<const uint8_t> code, uint64_t entry, uint64_t skip_branch) {
  auto ins = decode_all(make_decoder(), code, entry);
  if (!ins) return ins.error();
  std::vector<uint64_t> out;
  for (const Insn& in : *ins) {
    out.push_back(in.addr);
    bool transfer = in.rel_target.has_value() || in.mnemonic == ZYDIS_MNEMONIC_RET ||
                    in.mnemonic == ZYDIS_MNEMONIC_JMP || in.mnemonic == ZYDIS_MNEMONIC_CALL;
    if (transfer && in.addr != skip_branch) break;
  }
  return out;
}

}  // namespace gotrace::arch::amd64
