// Little-endian integers as the loaders read them: from captured bytes, or
// through a MemoryView.
#pragma once

#include "gotrace/values/variable.h"

#include <cstdint>
#include <optional>
#include <span>

namespace gotrace::values::detail {

// The first `b.size()` (at most 8) bytes of `b` as a little-endian integer.
inline uint64_t le_uint(std::span<const uint8_t> b) {
  uint64_t v = 0;
  for (size_t i = 0; i < b.size() && i < 8; ++i) v |= uint64_t(b[i]) << (8 * i);
  return v;
}

// The `size` (1..8) bytes at `addr`, or nullopt if not captured.
inline std::optional<uint64_t> read_uint(const MemoryView& mem, uint64_t addr, uint64_t size) {
  if (size == 0 || size > 8) return std::nullopt;
  auto b = mem.read(addr, size);
  if (!b || b->size() < size) return std::nullopt;
  return le_uint(b->first(size));
}

}  // namespace gotrace::values::detail
