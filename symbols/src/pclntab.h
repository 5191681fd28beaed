// Go's pc-line table (.gopclntab): what a stripped binary still says about
// its functions. Every Go binary has it (the runtime needs it for stack
// traces), so it names functions, their entries and sizes, their argument
// frame sizes and pc -> file:line when .symtab and DWARF are gone.
//
// Layouts (debug/gosym and runtime/symtab.go), told apart by the magic:
//   0xfffffffb  Go 1.2-1.15: absolute uintptr entries; names, pc tables and
//               file names addressed from the start of the table.
//   0xfffffffa  Go 1.16-1.17: header of offsets to funcnametab, cutab,
//               filetab, pctab and the functab; per-CU file tables.
//   0xfffffff0  Go 1.18-1.19: adds textStart; functab entries and _func
//               entries become uint32 offsets from it.
//   0xfffffff1  Go 1.20+: _func gains startLine (one more uint32).
// Only little-endian tables are read (gotrace supports amd64 and arm64).
//
// Parsing validates everything it hands out: offsets against the section
// size, functab entries strictly increasing and inside the executable code,
// each _func's own entry against the functab's, and each function's three
// pc tables (sp, file, line: the linker writes all of them) ending at the
// same pc, at or before the next function. Anything else is Errc::corrupt
// naming the file and the fault, never a function with a wrong address.
// File names and lines are decoded when asked for, with bounds checks; a
// damaged one reads as no line.
#pragma once

#include "gotrace/support/result.h"
#include "gotrace/symbols/binary.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gotrace::symbols::detail {

enum class PclnVersion : uint8_t { go12, go116, go118, go120 };

// One function as the table records it.
struct PclnFunction {
  std::string name;  // generic instantiations read "pkg.F[...]": the linker
                     // drops type arguments from pclntab names
  uint64_t entry = 0;
  // The end of the function's code: where its pc tables end (what .symtab
  // calls its size), or the next function's entry when it has no tables.
  uint64_t end = 0;
  uint32_t args = 0;  // _func.args: argument frame bytes; 0 if unknown
  uint8_t func_id = 0;
  // funcFlag_ASM: written in assembly, so it may be ABI0 and not keep g in
  // a register. Go 1.18+ sets it; the 1.2 layout has no flag byte (false),
  // and Go 1.16 leaves that byte zero.
  bool assembly = false;
  // Offsets of the pc-file and pc-line tables (0: none) and the function's
  // compile unit in cutab (1.16+).
  uint32_t pcfile = 0, pcln = 0, cu_offset = 0;
};

struct PclnInput {
  std::span<const uint8_t> data;  // the table; must outlive the PclnTable
  std::string_view what;          // for messages: the file it came from
  // Where 1.18+ entry offsets count from; 0: the header's textStart.
  uint64_t text_start = 0;
  // [lo, hi) address ranges each function must lie in one of (the
  // executable sections); empty: no check.
  std::vector<std::pair<uint64_t, uint64_t>> text_ranges;
};

class PclnTable {
 public:
  static Result<PclnTable> parse(const PclnInput& in);

  PclnVersion version() const { return version_; }
  uint8_t quantum() const { return quantum_; }
  // Sorted by entry, strictly increasing.
  std::span<const PclnFunction> functions() const { return functions_; }
  const PclnFunction* function_at(uint64_t pc) const;
  // The file and line the pc-file and pc-line tables give for pc (the
  // innermost inlined position, as DWARF's line table does).
  std::optional<SourceLine> line_at(uint64_t pc) const;

 private:
  std::optional<int32_t> value_at(uint32_t table, uint64_t entry, uint64_t pc) const;
  std::optional<std::string_view> file_name(const PclnFunction& f, int32_t fileno) const;

  std::span<const uint8_t> data_;
  PclnVersion version_ = PclnVersion::go118;
  uint8_t quantum_ = 1;
  uint64_t pctab_ = 0, cutab_ = 0, filetab_ = 0;  // region offsets in data_
  uint64_t nfiletab_ = 0;                         // Go 1.2: entries in filetab
  std::vector<PclnFunction> functions_;
};

// The textStart word of a 1.18+ header (nullopt for other layouts or a
// table too short to hold it) and its offset from the start of the table.
struct PclnTextStart {
  uint64_t value = 0;
  uint64_t offset = 0;
};
std::optional<PclnTextStart> pcln_text_start(std::span<const uint8_t> data);

}  // namespace gotrace::symbols::detail
