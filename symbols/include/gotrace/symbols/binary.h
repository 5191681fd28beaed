// An opened Go ELF binary: functions, signatures, lines, runtime offsets.
//
// Opening reads only the ELF headers, .symtab, .gopclntab and .go.buildinfo;
// DWARF is indexed lazily, per compile unit, the first time a function's
// signature, line or type is asked for, so tracing one function of a 15 MB
// binary does not decode all of it. Compressed DWARF (SHF_COMPRESSED and
// legacy .zdebug_*) and PIE binaries are handled by libelf/libdw.
//
// Stripped binaries (-ldflags='-s -w': no .symtab, no DWARF) still open:
// functions come from Go's pc-line table (.gopclntab), lines too, and the
// runtime.g offsets from a table by Go version (see warnings()). What needs
// types (signature, variables_at, cfa_offset, type_by_*) fails or finds
// nothing without DWARF.
#pragma once

#include "gotrace/support/result.h"
#include "gotrace/symbols/types.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gotrace::symbols {

enum class Machine : uint8_t { amd64, arm64 };

struct Function {
  std::string name;  // Go name: "main.foo", "main.(*T).M", "main.Max[go.shape.int_0]"
  uint64_t entry = 0;  // link-time virtual address
  uint64_t end = 0;    // one past the last byte
  // The argument frame size the compiler recorded (_func.args in
  // .gopclntab), in bytes: stack-assigned arguments and results, then spill
  // slots for the register-assigned arguments (Go's ABIInternal: so 8 for
  // func(int) int on amd64). 0 when there is none, when it is unknown
  // (assembly without a Go prototype) or the pc-line table is unreadable.
  uint32_t args_size = 0;
  // ABI0: written in assembly with stack arguments, and free to use R14
  // (amd64) for anything but g. Only known from .symtab (".abi0" symbols).
  bool abi0 = false;
};

struct SourceLine {
  std::string file;  // absolute path as recorded by the compiler
  int line = 0;
};

struct Variable {
  std::string name;  // "~r0" for unnamed results, as the compiler names them
  const Type* type = nullptr;
  bool is_result = false;
};

struct Signature {
  std::vector<Variable> params;   // receiver first, in declaration order
  std::vector<Variable> results;  // in declaration order
  SourceLine decl;                // DW_AT_decl_file/line of the function
  bool optimized = false;         // built without -N -l (best effort)
  // A shape-instantiated generic ("pkg.F[go.shape.int_0]", or a method of
  // "pkg.T[go.shape.int_0]"): the compiler passes a hidden dictionary
  // pointer among the integer arguments. It is never listed in `params`.
  bool has_dictionary = false;
  // Its place among the arguments where DWARF says (-N builds list it, as
  // ".dict"), else -1: see dictionary_position().
  int dictionary_index = -1;
  // A method of a generic type (its receiver is params[0]).
  bool generic_method = false;
};

// Where a shaped function's dictionary goes among its arguments (0: before
// all of them). Go 1.18 and 1.19 pass it first; from 1.20 on (the unified
// IR: cmd/compile/internal/noder's shapeSig keeps the receiver and makes the
// dictionary the first of the other parameters) a method's receiver comes
// first. DWARF, where it lists the dictionary, decides.
size_t dictionary_position(const Signature& sig, std::string_view go_version);

// One piece of a variable's value at a PC, from its DWARF location.
struct LocationPiece {
  enum class Kind : uint8_t {
    reg,    // in DWARF register `reg`
    frame,  // in memory at CFA + `offset` (Go's frame base is the CFA)
    absent, // optimized away for these bytes
  };
  Kind kind = Kind::absent;
  int reg = 0;
  int64_t offset = 0;
  uint64_t size = 0;  // bytes; 0 for a location without DW_OP_piece (whole value)
};

// A parameter or local variable visible at a PC.
struct ScopedVariable {
  Variable var;
  bool is_param = false;  // a formal parameter (arguments and results)
  int decl_line = 0;
  int depth = 0;          // lexical nesting: 0 for the function's own scope
  // Where the value is at that PC; empty when DWARF gives no location there.
  std::vector<LocationPiece> pieces;
};

class Binary {
 public:
  // Fails with Errc::not_found (no file), Errc::unsupported (not ELF, not a
  // Go binary, unsupported machine, no .symtab and no pc-line table to be
  // found) or Errc::corrupt (including a damaged .gopclntab when the
  // functions must come from it).
  static Result<std::unique_ptr<Binary>> open(const std::string& path);
  // The same; with `read_dwarf_in_background`, the DWARF (which libdw
  // inflates whole: tens of ms for a large binary) is read by a thread
  // started as soon as the ELF symbols are, so a caller that will need it
  // (a tracer about to plan probes) does not wait for it later.
  struct OpenOptions {
    bool read_dwarf_in_background = false;
  };
  static Result<std::unique_ptr<Binary>> open(const std::string& path, const OpenOptions& opts);
  ~Binary();
  Binary(const Binary&) = delete;
  Binary& operator=(const Binary&) = delete;

  const std::string& path() const;
  Machine machine() const;
  bool is_pie() const;
  bool has_dwarf() const;
  const std::string& go_version() const;  // "go1.19.8", from .go.buildinfo; "" if unknown
  // What the user should know about this binary, one line each, to print
  // once: e.g. that its Go version is outside the runtime.g table used
  // without DWARF ("Go go1.27.1 is newer than gotrace's runtime table (go1.17
  // to go1.25); goroutine ids may be wrong"), or that its .gopclntab could
  // not be read (argument frame sizes unknown). Empty for the common case.
  const std::vector<std::string>& warnings() const;

  // Every function in .text, sorted by name. ABI0 assembly (".abi0"
  // symbols) is listed by its Go name with Function::abi0 set, unless an
  // ABIInternal function of that name exists (then only that one).
  //
  // Without Go functions in .symtab they come from .gopclntab, which gives
  // the same entries and ends, with two differences: every assembly
  // function is left out (the table does not say which ones are ABIInternal
  // like runtime.memmove, and ABI0 ones would not keep g in a register),
  // and the linker writes "[...]" for whatever a name has in brackets: the
  // instantiations of a generic function are all "pkg.F[...]" (sorted by
  // entry), an array's equality function "type..eq.[...]T".
  std::span<const Function> functions() const;
  const Function* find_function(std::string_view name) const;
  const Function* function_at(uint64_t pc) const;
  // Address of any ELF symbol (e.g. "runtime.deferreturn"), including ABI0.
  // Without .symtab: the entry of any function in .gopclntab, by its name
  // there (no ".abi0" suffixes, no data symbols).
  std::optional<uint64_t> symbol_address(std::string_view name) const;

  // Parameters, results and declaration line from DWARF. Without DWARF:
  // Errc::unsupported, "no debug information (stripped binary): values are
  // shown as raw words".
  Result<Signature> signature(const Function& fn) const;
  // The machine code of [fn.entry, fn.end).
  Result<std::span<const uint8_t>> code(const Function& fn) const;

  // From DWARF's line table, or without DWARF from .gopclntab: the same
  // file and line (the Go linker writes both from the same tables), except
  // that compiler-made code is "<autogenerated>" there, "./<autogenerated>"
  // in DWARF.
  std::optional<SourceLine> pc_to_line(uint64_t pc) const;
  // PCs that begin statements of `line` in files whose path ends with `file`
  // (suffix match on a path-component boundary, like Delve). DWARF only:
  // .gopclntab does not mark statements.
  std::vector<uint64_t> line_to_pcs(std::string_view file, int line) const;
  // Where Delve puts a function's breakpoint (FirstPCAfterPrologue): the
  // DWARF row marked prologue_end, else the first statement, else (no
  // DWARF) the entry.
  uint64_t after_prologue(const Function& fn) const;
  // Every source file the DWARF line tables name, sorted (Delve's Sources);
  // read once.
  const std::vector<std::string>& source_files() const;
  // The ELF entry point (e_entry; link-time address): where a launched
  // program is held before it runs its first instruction.
  uint64_t entry_point() const;

  // Where the compiler inlined the function named `name` (DWARF only): the
  // first pc of each inlined copy, in address order. Each lies in the
  // function function_at(pc) (the caller); variables_at there gives the
  // inlined function's parameters.
  std::vector<uint64_t> inlined_calls(std::string_view name) const;
  // The names of every function inlined somewhere, sorted (some have no
  // out-of-line copy, so functions() does not list them).
  std::vector<std::string> inlined_names() const;

  // Parameters and locals of `fn` in scope at `pc`, with their locations
  // there: parameters first, then locals from the outermost scope inwards.
  // Locals declared on a later line than pc's are left out, as Delve does.
  // A pc inside inlined code gives the inlined function's variables.
  Result<std::vector<ScopedVariable>> variables_at(const Function& fn, uint64_t pc) const;
  // CFA - SP at `pc`, from the call frame information (.debug_frame).
  Result<int64_t> cfa_offset(uint64_t pc) const;

  // Offsets inside runtime.g, from DWARF; without DWARF, from gotrace's
  // table by go_version() (the nearest release for one outside it, with a
  // line in warnings()).
  // Where g lives relative to the thread pointer (amd64 FS base), for code
  // that does not keep it in R14 (ABI0). The Go linker puts it at -8; an
  // external linker places the TLS symbol runtime.tlsg in the PT_TLS block,
  // which ends at the thread pointer. Without runtime.tlsg (stripped
  // externally linked binaries): nullopt.
  std::optional<int64_t> g_tls_offset() const;
  Result<uint64_t> g_goid_offset() const;
  Result<uint64_t> g_stack_hi_offset() const;  // g.stack.hi
  // runtime.g.m and runtime.m.curg (g0.m.curg is the goroutine on the
  // system stack); nullopt without DWARF for them.
  std::optional<std::pair<uint64_t, uint64_t>> g_m_curg_offsets() const;

  // Maps a link-time virtual address to its offset in the file (for uprobes).
  Result<uint64_t> file_offset(uint64_t vaddr) const;
  // Reads initialized file-backed data at a link-time address (read-only
  // data such as type descriptors and itabs); nullopt if not file-backed.
  std::optional<std::span<const uint8_t>> static_data(uint64_t vaddr,
                                                      uint64_t size) const;
  // The DWARF type whose DW_AT_go_runtime_type is `addr`, if any.
  const Type* type_by_runtime_address(uint64_t addr) const;
  // The DWARF type with this Go name ("main.Point"), if any.
  const Type* type_by_name(std::string_view name) const;
  // The names of the DWARF types, sorted (Delve's `types`).
  std::vector<std::string> type_names() const;

 private:
  Binary();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gotrace::symbols
