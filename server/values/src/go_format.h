// Go's fmt/strconv spellings that Delve's printers rely on.
#pragma once

#include "gotrace/symbols/types.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace gotrace::values::detail {

// values::go_quote (gotrace/values/go_quote.h) without the surrounding
// quotes, appended to `out` (printers build one line in place instead of a
// string per value).
void append_go_quote_body(std::string& out, std::string_view s);

// strconv.FormatFloat(f, 'f', -1, bits), with Delve's "+Inf"/"-Inf"/"NaN".
std::string format_float(double f, int bits);

// go/constant's Float.String() ("%.6g", or "%g" when that hides a fraction):
// the spelling of a complex value's parts in Variable.value.
std::string format_constant_float(double f);

// fmt's %#x of an unsigned integer: "0x0" for zero.
std::string hex(uint64_t v);
void append_hex_number(std::string& out, uint64_t v);

// reflect.Kind.String().
std::string_view kind_name(symbols::Kind k);

}  // namespace gotrace::values::detail
