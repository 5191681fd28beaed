// A small command-line parser with Delve/cobra conventions: long flags
// (--flag value, --flag=value), short flags (-s 2, -s=2), and "--" ending the
// flags so the rest goes to the traced program.
#pragma once

#include "gotrace/support/result.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gotrace::cli {

struct FlagSpec {
  std::string long_name;   // "stack"
  char short_name = 0;     // 's'
  bool takes_value = true;
};

struct ParsedArgs {
  std::map<std::string, std::string> values;  // by long name; "true" for switches
  std::vector<std::string> positional;
  std::vector<std::string> passthrough;  // after "--"
  bool has(const std::string& f) const { return values.count(f) != 0; }
  std::optional<std::string> get(const std::string& f) const {
    auto it = values.find(f);
    if (it == values.end()) return std::nullopt;
    return it->second;
  }
};

Result<ParsedArgs> parse_args(const std::vector<std::string>& args,
                              const std::vector<FlagSpec>& flags);

// Parses an integer flag value in [min, max], naming the flag on error.
Result<long> parse_int_flag(const std::string& flag, const std::string& value, long min,
                            long max);

// Sets `out` from --flag when given (parse_int_flag's checks); leaves it
// alone otherwise.
template <class T>
Result<void> read_int_flag(const ParsedArgs& parsed, const std::string& flag, long min, long max, T& out) {
  auto v = parsed.get(flag);
  if (!v) return {};
  auto n = parse_int_flag(flag, *v, min, max);
  if (!n) return n.error();
  out = static_cast<T>(*n);
  return {};
}

// --ring-size BYTES: the kernel event ring, a power of two of at least one
// page (nullopt when absent).
Result<std::optional<uint32_t>> ring_size_flag(const ParsedArgs& parsed);

}  // namespace gotrace::cli
