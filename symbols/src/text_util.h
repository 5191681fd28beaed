// Small string helpers for error messages (g++ 12 has no <format>).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace gotrace::symbols::detail {

inline std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%#llx", static_cast<unsigned long long>(v));
  return buf;
}

template <class... Parts>
std::string cat(const Parts&... parts) {
  std::string out;
  ((out += std::string_view(parts)), ...);
  return out;
}

}  // namespace gotrace::symbols::detail
