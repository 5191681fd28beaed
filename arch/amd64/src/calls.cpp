#include "gotrace/arch/amd64/calls.h"

#include "decode.h"

#include <algorithm>

namespace gotrace::arch::amd64 {

namespace {

// The addresses `pick` finds in the instructions of `code`, in order of
// first appearance, each once.
template <class Pick>
Result<std::vector<uint64_t>> collect(std::span<const uint8_t> code, uint64_t entry, Pick pick) {
  auto ins = decode_all(make_decoder(), code, entry);
  if (!ins) return ins.error();
  std::vector<uint64_t> out;
  for (const Insn& in : *ins)
    if (std::optional<uint64_t> a = pick(in); a && std::find(out.begin(), out.end(), *a) == out.end())
      out.push_back(*a);
  return out;
}

}  // namespace

Result<std::vector<uint64_t>> direct_call_targets(std::span<const uint8_t> code, uint64_t entry) {
  return collect(code, entry, [](const Insn& in) {
    return in.mnemonic == ZYDIS_MNEMONIC_CALL ? in.rel_target : std::nullopt;
  });
}

Result<std::vector<uint64_t>> address_references(std::span<const uint8_t> code, uint64_t entry) {
  return collect(code, entry, [](const Insn& in) {
    return in.mnemonic == ZYDIS_MNEMONIC_LEA ? in.rip_operand : std::nullopt;
  });
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
