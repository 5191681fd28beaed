// A linear sweep of amd64 machine code with Zydis: Go emits no data inside
// .text functions on amd64 (jump tables live in rodata), so every byte of a
// function is an instruction.
#pragma once

#include "gotrace/support/result.h"

#include <Zydis/Zydis.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace gotrace::arch::amd64 {

struct Insn {
  uint64_t addr = 0;
  ZydisMnemonic mnemonic = ZYDIS_MNEMONIC_INVALID;
  uint8_t opcode = 0;
  bool legacy_map = false;                // one-byte opcode map
  std::optional<uint64_t> rel_target;     // JMP/Jcc/CALL rel8/rel32 target
  std::optional<uint64_t> rip_operand;    // the address a [rip+disp32] operand names
};

std::string hex(uint64_t v);
ZydisDecoder make_decoder();
// Every instruction of [entry, entry + code.size()); Errc::corrupt naming
// the first undecodable one.
Result<std::vector<Insn>> decode_all(const ZydisDecoder& dec, std::span<const uint8_t> code,
                                     uint64_t entry);

}  // namespace gotrace::arch::amd64
