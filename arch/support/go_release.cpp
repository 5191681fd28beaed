#include "gotrace/support/go_release.h"

#include <cctype>

namespace gotrace {

std::optional<int> go_minor(std::string_view v) {
  size_t at = v.find("go1.");
  if (at == std::string_view::npos) return std::nullopt;
  size_t i = at + 4;
  int minor = 0;
  size_t digits = 0;
  for (; i < v.size() && std::isdigit(static_cast<unsigned char>(v[i])) && digits < 4; ++i, ++digits)
    minor = minor * 10 + (v[i] - '0');
  if (digits == 0) return std::nullopt;
  return minor;
}

}  // namespace gotrace
