#include "buildinfo.h"

#include "byte_reader.h"

#include <cstring>

namespace gotrace::symbols::detail {
namespace {

constexpr std::string_view kMagic = "\xff Go buildinf:";  // 14 bytes
constexpr size_t kHeaderSize = 32;

}  // namespace

std::optional<std::string> parse_go_version(std::span<const uint8_t> data, const ReadAt& read) {
  // debug/buildinfo searches 16-byte-aligned positions for the magic; the
  // linker places it at the start, but follow the reader to be safe.
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
    uint64_t pos = kHeaderSize;
    auto len = read_uvarint(hdr, pos);
    if (!len || *len > hdr.size() - pos) return std::nullopt;
    return std::string(reinterpret_cast<const char*>(hdr.data() + pos), *len);
  }
  // Before 1.18: two pointers, to runtime.buildVersion and runtime.modinfo,
  // each a Go string header {ptr, len} in the data segment.
  if (ptr_size != 4 && ptr_size != 8) return std::nullopt;
  auto version_addr = read_uint(hdr, 16, ptr_size, big_endian);
  if (!version_addr) return std::nullopt;
  auto header = read(*version_addr, 2 * ptr_size);
  if (!header) return std::nullopt;
  auto str = read_uint(*header, 0, ptr_size, big_endian);
  auto len = read_uint(*header, ptr_size, ptr_size, big_endian);
  if (!str || !len || *len > 4096) return std::nullopt;
  auto s = read(*str, *len);
  if (!s || s->size() != *len) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(s->data()), s->size());
}

std::optional<std::string> read_go_version(const ElfFile& file) {
  const Section* sec = file.section(".go.buildinfo");
  if (!sec) return std::nullopt;
  auto bytes = file.section_bytes(*sec);
  if (!bytes) return std::nullopt;
  return parse_go_version(*bytes, [&](uint64_t addr, uint64_t size) { return file.read(addr, size); });
}

}  // namespace gotrace::symbols::detail
