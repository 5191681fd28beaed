// Bounds-checked reads from untrusted bytes (.gopclntab, .go.buildinfo):
// every accessor returns nullopt instead of reading past the end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace gotrace::symbols::detail {

// An unsigned integer of `n` bytes (1..8) at `off`.
inline std::optional<uint64_t> read_uint(std::span<const uint8_t> b, uint64_t off, size_t n,
                                         bool big_endian = false) {
  if (n == 0 || n > 8 || off > b.size() || n > b.size() - off) return std::nullopt;
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) {
    size_t idx = big_endian ? i : n - 1 - i;
    v = (v << 8) | b[off + idx];
  }
  return v;
}

// A LEB128 unsigned varint at `pos`, advancing it; nullopt if it runs off
// the end or is longer than `max_bits` allow.
inline std::optional<uint64_t> read_uvarint(std::span<const uint8_t> b, uint64_t& pos, int max_bits = 64) {
  uint64_t v = 0;
  for (int shift = 0; pos < b.size() && shift < max_bits; shift += 7) {
    uint8_t c = b[pos++];
    v |= uint64_t(c & 0x7f) << shift;
    if (!(c & 0x80)) return v;
  }
  return std::nullopt;
}

// The NUL-terminated string at `off`; nullopt without a NUL before the end.
inline std::optional<std::string_view> read_cstring(std::span<const uint8_t> b, uint64_t off) {
  if (off >= b.size()) return std::nullopt;
  const auto* start = reinterpret_cast<const char*>(b.data() + off);
  std::string_view rest(start, b.size() - off);
  size_t nul = rest.find('\0');
  if (nul == std::string_view::npos) return std::nullopt;
  return rest.substr(0, nul);
}

}  // namespace gotrace::symbols::detail
