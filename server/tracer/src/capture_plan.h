// Capture planning: which registers, stack words and pointer targets the BPF
// program must copy at a site so that the values can later be loaded the way
// Delve loads them under a LoadConfig, and how to reassemble each value's
// bytes from the copied words.
//
// Captured memory is always the real content of the target at that address,
// so capturing more than a value needs (an interface's data of unknown size,
// a speculative string behind it) can never make a rendering wrong; capturing
// less makes that part unreadable, never guessed.
#pragma once

#include "gotrace/arch/abi.h"
#include "gotrace/bpf/trace_abi.h"
#include "gotrace/symbols/binary.h"
#include "gotrace/values/variable.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace gotrace::tracer {

// `size` low bytes of captured word `word` go to `value_offset` in the value.
struct Chunk {
  uint16_t word = 0;
  uint32_t value_offset = 0;
  uint32_t size = 0;
};

// The type of a raw ABI word: a value whose type is unknown (no debug
// information, or an assembly function), printed in hex.
const symbols::Type& raw_word_type();

struct ValuePlan {
  std::string name;
  const symbols::Type* type = nullptr;
  bool is_result = false;
  bool is_local = false;  // a local variable (a line site), not an argument
  std::string unreadable;  // set: the value cannot be captured here
  // Some of its words come from float registers, which uprobe contexts
  // (pt_regs) do not hold: readable only from backends that read them.
  bool in_float_registers = false;
  bool raw_word = false;  // of raw_word_type(): printed as 0x...
  uint64_t size = 0;
  std::vector<Chunk> chunks;
  bool on_stack = false;
  int64_t stack_offset = 0;  // from SP at the site, when on_stack
};

struct SitePlan {
  gt_spec spec{};
  std::vector<ValuePlan> values;
};

// Where `size` bytes at `value_offset` of a value are at a site. Inside a
// function body DWARF can split one value between registers and the stack,
// or leave part of it without a location.
struct Piece {
  enum class Kind : uint8_t { reg, stack, absent };
  Kind kind = Kind::absent;
  int dwarf_reg = 0;
  bool is_float = false;
  int64_t stack_offset = 0;  // from SP at the site
  uint64_t value_offset = 0;
  uint64_t size = 0;
};
struct Placement {
  std::vector<Piece> pieces;
  std::string unreadable;  // set: the value has no location here
};

// The ABI's location of a parameter or result as pieces.
Placement placement_of(const arch::ValueLocation& loc, uint64_t size);

// Plans the capture of `vars` placed at `places` (same length) under `cfg`.
SitePlan plan_site(const std::vector<symbols::Variable>& vars,
                   std::span<const Placement> places, const values::LoadConfig& cfg);
// The same for the ABI's locations.
SitePlan plan_site(const std::vector<symbols::Variable>& vars,
                   std::span<const arch::ValueLocation> locs,
                   const values::LoadConfig& cfg);

}  // namespace gotrace::tracer
