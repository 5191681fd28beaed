#include "decode.h"

#include <cstdio>

namespace gotrace::arch::amd64 {

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%#llx", static_cast<unsigned long long>(v));
  return buf;
}

ZydisDecoder make_decoder() {
  ZydisDecoder dec;
  ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
  return dec;
}

Result<std::vector<Insn>> decode_all(const ZydisDecoder& dec,
                                     std::span<const uint8_t> code,
                                     uint64_t entry) {
  std::vector<Insn> out;
  out.reserve(code.size() / 4);
  size_t off = 0;
  while (off < code.size()) {
    ZydisDecodedInstruction zi;
    if (!ZYAN_SUCCESS(ZydisDecoderDecodeInstruction(
            &dec, nullptr, code.data() + off, code.size() - off, &zi))) {
      return make_error(Errc::corrupt, "undecodable amd64 instruction at offset " +
                                           hex(off) + " (address " + hex(entry + off) + ")");
    }
    Insn in;
    in.addr = entry + off;
    in.mnemonic = zi.mnemonic;
    in.opcode = zi.opcode;
    in.legacy_map = zi.opcode_map == ZYDIS_OPCODE_MAP_DEFAULT;
    if (zi.raw.imm[0].is_relative) {
      in.rel_target = in.addr + zi.length + static_cast<uint64_t>(zi.raw.imm[0].value.s);
    }
    // mod 00, r/m 101 without a SIB byte is RIP-relative in 64-bit mode.
    if ((zi.attributes & ZYDIS_ATTRIB_HAS_MODRM) && zi.raw.modrm.mod == 0 && zi.raw.modrm.rm == 5)
      in.rip_operand = in.addr + zi.length + static_cast<uint64_t>(zi.raw.disp.value);
    out.push_back(in);
    off += zi.length;
  }
  return out;
}

}  // namespace gotrace::arch::amd64
