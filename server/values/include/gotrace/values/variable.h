// Delve's value model: a loaded variable tree shaped like api.Variable, built
// from bytes captured at a probe hit, and Delve's printers for it.
//
// Loading follows Delve's proc.loadValue limits (api.LoadConfig): strings are
// cut at MaxStringLen, arrays/slices/maps keep MaxArrayValues children,
// structs MaxStructFields fields, pointers are followed only with
// FollowPointers or while MaxVariableRecurse allows. Memory the probe did not
// capture makes that part of the value unreadable; it never guesses.
#pragma once

#include "gotrace/symbols/binary.h"
#include "gotrace/symbols/types.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace gotrace::values {

// Delve api.LoadConfig. -1 means unlimited.
struct LoadConfig {
  bool follow_pointers = false;
  int max_variable_recurse = 0;
  int max_string_len = 64;
  int max_array_values = 0;
  int max_struct_fields = 3;
  // Not in the API: Delve sets it to 100 x MaxArrayValues when it loads a
  // function's arguments (EvalScope.FunctionArguments), 0 (no bound) else.
  int max_map_buckets = 0;

  bool operator==(const LoadConfig&) const = default;
};

// The load configs `dlv trace -v N` uses (Delve HEAD): 0 is ShortLoadConfig.
LoadConfig load_config_for_verbosity(int verbosity);

// api.Variable flags.
enum VariableFlags : uint32_t {
  kVarEscaped = 1,
  kVarShadowed = 2,
  kVarConstant = 4,
  kVarArgument = 8,
  kVarReturnArgument = 16,
  kVarFakeAddress = 32,
  kVarCPtr = 64,
  kVarCPURegister = 128,
};

// Mirrors Delve's api.Variable (service/api/types.go).
struct Variable {
  std::string name;
  uint64_t addr = 0;
  bool only_addr = false;
  std::string type;       // Go type name as Delve prints it
  std::string real_type;  // after resolving typedefs
  uint32_t flags = 0;
  symbols::Kind kind = symbols::Kind::invalid;
  std::string value;  // scalars and strings: the value; otherwise empty
  int64_t len = 0;
  int64_t cap = 0;
  std::vector<Variable> children;
  uint64_t base = 0;  // pointer/slice/string data address
  std::string unreadable;  // non-empty: why the value could not be read
};

// A parameter or result of the function (Delve lists both as arguments), as
// opposed to a local variable.
inline bool is_argument(const Variable& v) {
  return (v.flags & (kVarArgument | kVarReturnArgument)) != 0;
}

// Sparse memory of the target as captured at the probe hit (dereferenced
// blobs), plus static read-only data from the binary.
class MemoryView {
 public:
  virtual ~MemoryView() = default;
  // The `size` bytes at `addr`, or nullopt if they were not captured.
  virtual std::optional<std::span<const uint8_t>> read(uint64_t addr,
                                                       uint64_t size) const = 0;
};

// Finds the DWARF type of a runtime._type address (interfaces' dynamic types).
class TypeLookup {
 public:
  virtual ~TypeLookup() = default;
  virtual const symbols::Type* by_runtime_address(uint64_t addr) const = 0;
  // The name of the function containing `pc` (func values), "" if unknown.
  virtual std::string function_name(uint64_t /*pc*/) const { return {}; }
};

// Delve gives values assembled from registers fake addresses
// 0xbeef000000000000 + 0x100*i (i = the variable's index among the
// function's register-resident variables) and flags them kVarFakeAddress.
// Printing depends on the address (an interface holding a pointer prints the
// address of its data word, `0xbeef000000000108`), so callers should pass it.
constexpr uint64_t kFakeAddressBase = 0xbeef000000000000ULL;
constexpr bool is_fake_address(uint64_t addr) {
  return (addr >> 48) == 0xbeef;
}

// Builds the variable `name` of type `type` whose in-memory bytes are
// `bytes` (reassembled from registers or copied from the stack), located at
// `addr` (its stack address, or a fake address for register values; 0 means
// kFakeAddressBase). Fields and array elements inside `bytes` are read from
// `bytes`; everything behind a pointer is read through `mem`. A fake `addr`
// sets kVarFakeAddress in flags; the caller adds kVarArgument etc.
Variable load_variable(std::string name, const symbols::Type& type,
                       std::span<const uint8_t> bytes, const MemoryView& mem,
                       const TypeLookup& types, const LoadConfig& cfg,
                       uint64_t addr = 0);

// A variable that could not be read at all (e.g. "unreadable float register").
Variable unreadable_variable(std::string name, const symbols::Type& type,
                             std::string reason);

// Placeholders for a function's results at its entry, as Delve lists them
// in breakpointInfo.arguments (flag ReturnArgument, no value): not printed,
// but they tell the client the function has results.
std::vector<Variable> result_placeholders(const std::vector<symbols::Variable>& results);

// Delve's api.Variable.SinglelineString() / MultilineString(indent, fmt).
std::string single_line(const Variable& v);
std::string multi_line(const Variable& v, const std::string& indent);
// The same, appended to `out`.
void append_single_line(std::string& out, const Variable& v);
void append_multi_line(std::string& out, const Variable& v, std::string_view indent);
// api.FormatTraceVariable (Delve 1.27.2): how `dlv trace -v N` prints one
// value: 0 with its type, 1 its shortened type as "<T>", 2 on one line and
// 3-4 on several, with shortened types.
void append_trace_value(std::string& out, const Variable& v, int verbosity);

}  // namespace gotrace::values
