// Go's strconv.Quote (what `%q` prints for a string): Delve quotes names,
// paths and values with it in its messages and listings.
#pragma once

#include <string>
#include <string_view>

namespace gotrace::values {

std::string go_quote(std::string_view s);

}  // namespace gotrace::values
