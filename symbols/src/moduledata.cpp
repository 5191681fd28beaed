#include "moduledata.h"

#include <array>
#include <cstring>

namespace gotrace::symbols::detail {
namespace {

constexpr uint64_t kWord = 8;  // 64-bit only, as Binary::open checks
constexpr uint64_t kPcHeaderWord = 0;
constexpr uint64_t kMinpcWord = 20;
constexpr uint64_t kTextWord = 22;

// The word at vaddr as the loaded program sees it.
std::optional<uint64_t> loaded_word(const ElfFile& file, uint64_t vaddr) {
  auto bytes = file.read(vaddr, kWord);
  if (!bytes) return std::nullopt;
  uint64_t v = 0;
  std::memcpy(&v, bytes->data(), kWord);
  if (v == 0) return file.relocation_addend(vaddr);
  return v;
}

bool in_text(const ElfFile& file, uint64_t addr) {
  for (auto [lo, hi] : file.exec_ranges())
    if (addr >= lo && addr < hi) return true;
  return false;
}

// moduledata at vaddr, if its pcHeader is the table's and its text words
// make sense: text <= minpc, both in executable code.
std::optional<uint64_t> read_at(const ElfFile& file, uint64_t vaddr, uint64_t pclntab_addr) {
  auto header = loaded_word(file, vaddr + kPcHeaderWord * kWord);
  if (!header || *header != pclntab_addr) return std::nullopt;
  auto minpc = loaded_word(file, vaddr + kMinpcWord * kWord);
  auto text = loaded_word(file, vaddr + kTextWord * kWord);
  if (!minpc || !text || *text > *minpc || !in_text(file, *minpc)) return std::nullopt;
  return *text;
}

}  // namespace

std::optional<uint64_t> moduledata_text(const ElfFile& file, uint64_t pclntab_addr) {
  if (pclntab_addr == 0) return std::nullopt;
  if (const Section* s = file.section(".go.module"); s && s->size >= (kTextWord + 1) * kWord)
    if (auto m = read_at(file, s->addr, pclntab_addr)) return m;
  // moduledata is the one word-aligned datum whose first word points at the
  // table (typelinks and the like point into it, never at its start).
  static constexpr std::array kDataSections{".noptrdata", ".data", ".data.rel.ro"};
  for (const char* name : kDataSections) {
    const Section* s = file.section(name);
    if (!s || s->type != SHT_PROGBITS) continue;
    auto bytes = file.section_bytes(*s);
    if (!bytes) continue;
    for (uint64_t off = 0; off + (kTextWord + 1) * kWord <= bytes->size(); off += kWord) {
      uint64_t v = 0;
      std::memcpy(&v, bytes->data() + off, kWord);
      if (v != pclntab_addr) continue;
      if (auto m = read_at(file, s->addr + off, pclntab_addr)) return m;
    }
  }
  return std::nullopt;
}

}  // namespace gotrace::symbols::detail
