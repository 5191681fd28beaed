// .go.buildinfo in both layouts, and the runtime.g table used without DWARF.
#include "internal.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace gotrace::symbols {
namespace {

using detail::g_layout_for;
using detail::parse_go_version;

// A 32-byte header: magic, pointer size, flags, then two pointers (only
// meaningful without flags & 2).
std::vector<uint8_t> header(uint8_t ptr_size, uint8_t flags, uint64_t version_ptr = 0, bool big_endian = false) {
  std::string magic = "\xff Go buildinf:";
  std::vector<uint8_t> h(magic.begin(), magic.end());
  h.push_back(ptr_size);
  h.push_back(flags);
  for (size_t i = 0; i < ptr_size; ++i) {
    size_t shift = big_endian ? ptr_size - 1 - i : i;
    h.push_back(static_cast<uint8_t>(version_ptr >> (8 * shift)));
  }
  h.resize(32, 0);
  return h;
}

// A fake address space for the pointer form: byte blobs at addresses.
struct Memory {
  std::map<uint64_t, std::vector<uint8_t>> blobs;
  detail::ReadAt reader() const {
    return [this](uint64_t addr, uint64_t size) -> std::optional<std::span<const uint8_t>> {
      auto it = blobs.find(addr);
      if (it == blobs.end() || it->second.size() < size) return std::nullopt;
      return std::span<const uint8_t>(it->second.data(), size);
    };
  }
};

std::vector<uint8_t> le64(uint64_t a, uint64_t b) {
  std::vector<uint8_t> out;
  for (uint64_t v : {a, b})
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
  return out;
}

std::vector<uint8_t> str_bytes(const std::string& s) { return {s.begin(), s.end()}; }

TEST(BuildInfo, InlineStrings) {
  auto sec = header(8, 2);
  sec.push_back(8);
  for (char c : std::string("go1.19.8")) sec.push_back(static_cast<uint8_t>(c));
  sec.push_back(0);  // empty modinfo
  EXPECT_EQ(parse_go_version(sec, Memory{}.reader()), "go1.19.8");
}

TEST(BuildInfo, InlineStringWithTwoByteLengthAfterPadding) {
  // The magic sits at a 16-byte-aligned offset, not necessarily 0.
  std::vector<uint8_t> sec(32, 0xaa);
  auto h = header(8, 2);
  sec.insert(sec.end(), h.begin(), h.end());
  std::string v = "go1.21.0 " + std::string(140, 'x');
  sec.push_back(static_cast<uint8_t>(0x80 | (v.size() & 0x7f)));
  sec.push_back(static_cast<uint8_t>(v.size() >> 7));
  sec.insert(sec.end(), v.begin(), v.end());
  EXPECT_EQ(parse_go_version(sec, Memory{}.reader()), v);
  sec.resize(sec.size() - 1);  // the string runs off the end
  EXPECT_EQ(parse_go_version(sec, Memory{}.reader()), std::nullopt);
}

TEST(BuildInfo, PointerFormBefore118) {
  Memory mem;
  mem.blobs[0x5000] = le64(0x6000, 8);  // runtime.buildVersion: {ptr, len}
  mem.blobs[0x6000] = str_bytes("go1.17.13");
  EXPECT_EQ(parse_go_version(header(8, 0, 0x5000), mem.reader()), "go1.17.1");
  mem.blobs[0x5000] = le64(0x6000, 9);
  EXPECT_EQ(parse_go_version(header(8, 0, 0x5000), mem.reader()), "go1.17.13");
}

TEST(BuildInfo, PointerFormBigEndian32Bit) {
  Memory mem;
  mem.blobs[0x1234] = {0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x06};
  mem.blobs[0x2000] = str_bytes("go1.16");
  EXPECT_EQ(parse_go_version(header(4, 1, 0x1234, true), mem.reader()), "go1.16");
}

TEST(BuildInfo, Malformed) {
  Memory mem;
  mem.blobs[0x5000] = le64(0x6000, 5000);  // absurd length
  mem.blobs[0x6000] = str_bytes("go1.17");
  EXPECT_EQ(parse_go_version(header(8, 0, 0x5000), mem.reader()), std::nullopt);
  EXPECT_EQ(parse_go_version(header(8, 0, 0x7000), mem.reader()), std::nullopt);  // unmapped
  EXPECT_EQ(parse_go_version(header(3, 0, 0x5000), mem.reader()), std::nullopt);  // pointer size
  auto no_magic = header(8, 2);
  no_magic[1] = 'g';
  EXPECT_EQ(parse_go_version(no_magic, mem.reader()), std::nullopt);
  auto h = header(8, 2);
  h.resize(31);  // too short for a header
  EXPECT_EQ(parse_go_version(h, mem.reader()), std::nullopt);
  EXPECT_EQ(parse_go_version(header(8, 2), mem.reader()), std::nullopt);  // no length varint
}

std::string layout(const std::string& version) {
  auto l = g_layout_for(version, Machine::amd64);
  auto a = g_layout_for(version, Machine::arm64);
  EXPECT_EQ(l.goid, a.goid) << version;
  EXPECT_EQ(l.warning, a.warning) << version;
  EXPECT_EQ(l.stack_hi, 8u) << version;
  return std::to_string(l.goid) + (l.warning.empty() ? "" : " " + l.warning);
}

TEST(RuntimeLayout, ByRelease) {
  const std::pair<const char*, const char*> cases[] = {
      {"go1.17", "152"},
      {"go1.19.8", "152"},
      {"go1.21rc2", "152"},
      {"go1.22.12", "152"},
      {"go1.23.0", "160"},
      {"devel go1.24-abcdef Tue Jan 1 00:00:00 2025 +0000", "160"},
      {"go1.25.3", "152"},
      {"go1.26.8", "152"},
      {"go1.27.3", "152"},
      // Outside the table: the nearest layout, and a warning.
      {"go1.28.1",
       "152 Go go1.28.1 is newer than gotrace's runtime table (go1.17 to go1.27); goroutine ids may be wrong"},
      {"go1.16.15",
       "152 Go go1.16.15 is older than gotrace's runtime table (go1.17 to go1.27); goroutine ids may be wrong"},
      {"", "152 the Go version is unknown (no .go.buildinfo); using the go1.27 layout of runtime.g; goroutine ids "
           "may be wrong"},
      {"gccgo",
       "152 Go version \"gccgo\" is not in gotrace's runtime table (go1.17 to go1.27); goroutine ids may be wrong"},
  };
  for (const auto& [version, want] : cases) EXPECT_EQ(layout(version), want) << version;
}

}  // namespace
}  // namespace gotrace::symbols
