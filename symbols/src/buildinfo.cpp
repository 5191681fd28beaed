#include "buildinfo.h"

#include <cstring>

namespace gotrace::symbols::detail {
namespace {

constexpr std::string_view kMagic = "\xff Go buildinf:";  // 14 bytes
constexpr size_t kHeaderSize = 32;

uint64_t read_uint(std::span<const uint8_t> b, size_t n, bool big_endian) {
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) {
    size_t idx = big_endian ? i : n - 1 - i;
    v = (v << 8) | b[idx];
  }
  return v;
}

std::optional<uint64_t> uvarint(std::span<const uint8_t> b, size_t& pos) {
  uint64_t v = 0;
  for (int shift = 0; pos < b.size() && shift < 64; shift += 7) {
    uint8_t c = b[pos++];
    v |= uint64_t(c & 0x7f) << shift;
    if (!(c & 0x80)) return v;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> read_go_version(const ElfFile& file) {
  const Section* sec = file.section(".go.buildinfo");
  if (!sec) return std::nullopt;
  auto bytes = file.section_bytes(*sec);
  if (!bytes) return std::nullopt;
  // debug/buildinfo searches 16-byte-aligned positions for the magic; the
  // linker places it at the start, but follow the reader to be safe.
  std::span<const uint8_t> data = *bytes;
  size_t at = std::string_view::npos;
  for (size_t off = 0; off + kHeaderSize <= data.size(); off += 16) {
    if (std::memcmp(data.data() + off, kMagic.data(), kMagic.size()) == 0) {
      at = off;
      break;
    }
  }
  if (at == std::string_view::npos) return std::nullopt;
  auto hdr = data.subspan(at);
  size_t ptr_size = hdr[14];
  uint8_t flags = hdr[15];
  bool big_endian = flags & 1;

  if (flags & 2) {
    // Go 1.18+: varint-prefixed strings inline after the header.
    size_t pos = kHeaderSize;
    auto len = uvarint(hdr, pos);
    if (!len || *len > hdr.size() - pos) return std::nullopt;
    return std::string(reinterpret_cast<const char*>(hdr.data() + pos), *len);
  }
  // Before 1.18: two pointers, to runtime.buildVersion and runtime.modinfo,
  // each a Go string header {ptr, len} in the data segment.
  if ((ptr_size != 4 && ptr_size != 8) || 16 + ptr_size > hdr.size()) return std::nullopt;
  uint64_t version_addr = read_uint(hdr.subspan(16, ptr_size), ptr_size, big_endian);
  auto header = file.read(version_addr, 2 * ptr_size);
  if (!header) return std::nullopt;
  uint64_t str = read_uint(header->subspan(0, ptr_size), ptr_size, big_endian);
  uint64_t len = read_uint(header->subspan(ptr_size, ptr_size), ptr_size, big_endian);
  if (len > 4096) return std::nullopt;
  auto s = file.read(str, len);
  if (!s) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(s->data()), s->size());
}

}  // namespace gotrace::symbols::detail
