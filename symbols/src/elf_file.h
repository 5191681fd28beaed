// ElfFile: one read-only view of an ELF file (mmap + libelf), with the
// section and segment tables copied out so callers never touch libelf.
#pragma once

#include "gotrace/support/result.h"

#include <gelf.h>
#include <libelf.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gotrace::symbols::detail {

struct ElfDeleter {
  void operator()(Elf* e) const { elf_end(e); }
};
using ElfHandle = std::unique_ptr<Elf, ElfDeleter>;

// The whole file mapped copy-on-write: libelf may decompress .zdebug
// sections through an ELF_C_READ_MMAP_PRIVATE handle, which assumes the
// image is writable; MAP_PRIVATE keeps such writes away from the file.
class Mapping {
 public:
  Mapping() = default;
  Mapping(void* addr, size_t size) : addr_(addr), size_(size) {}
  Mapping(Mapping&& o) noexcept : addr_(o.addr_), size_(o.size_) { o.addr_ = nullptr; o.size_ = 0; }
  Mapping& operator=(Mapping&& o) noexcept;
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  ~Mapping();
  std::span<const uint8_t> bytes() const { return {static_cast<const uint8_t*>(addr_), size_}; }
  void* data() const { return addr_; }
  // Gives back the resident pages wholly inside [offset, offset + size): the
  // mapping is a private copy of the file, so a later read faults the same
  // bytes back in.
  void release(uint64_t offset, uint64_t size) const;

 private:
  void* addr_ = nullptr;
  size_t size_ = 0;
};

struct Section {
  std::string name;
  size_t index = 0;
  uint32_t type = 0;
  uint64_t flags = 0;
  uint64_t addr = 0;
  uint64_t offset = 0;
  uint64_t size = 0;
  uint32_t link = 0;     // sh_link: a symbol table's string table
  uint64_t entsize = 0;  // sh_entsize
};

struct Segment {  // PT_LOAD only
  uint64_t vaddr = 0;
  uint64_t offset = 0;
  uint64_t filesz = 0;
  uint64_t memsz = 0;
  uint32_t flags = 0;
};

struct TlsSegment {  // PT_TLS
  uint64_t vaddr = 0;
  uint64_t memsz = 0;
  uint64_t align = 1;
};

class ElfFile {
 public:
  static Result<std::unique_ptr<ElfFile>> open(const std::string& path);

  const std::string& path() const { return path_; }
  Elf* elf() const { return elf_.get(); }
  uint16_t machine() const { return machine_; }
  uint16_t type() const { return type_; }
  uint64_t entry() const { return entry_; }  // e_entry, link-time
  bool is64() const { return is64_; }
  bool little_endian() const { return little_endian_; }
  const std::vector<Section>& sections() const { return sections_; }
  const Section* section(std::string_view name) const;
  // File bytes of a section as stored (still compressed if SHF_COMPRESSED).
  std::optional<std::span<const uint8_t>> section_bytes(const Section& s) const;
  std::optional<std::span<const uint8_t>> read(uint64_t vaddr, uint64_t size) const;
  Result<uint64_t> exec_file_offset(uint64_t vaddr) const;
  // [addr, addr + size) of every executable section (.text, .plt...), or
  // without section headers of every executable PT_LOAD segment.
  std::vector<std::pair<uint64_t, uint64_t>> exec_ranges() const;
  // The addend of the dynamic relocation (SHT_RELA) that fills the word at
  // `vaddr`, if there is one: what a position-independent binary stores
  // there at load time when the file itself holds 0.
  std::optional<uint64_t> relocation_addend(uint64_t vaddr) const;
  // The thread-local storage segment, if any (externally linked binaries).
  const std::optional<TlsSegment>& tls() const { return tls_; }
  // Once libdw has inflated the compressed debug sections it reads only its
  // copies: the compressed bytes need not stay resident.
  void release_compressed_debug_sections() const;
  // The same for sections read once while indexing (the symbol table, its
  // names, the pc-line table): later lookups fault back what they touch.
  void release_sections(std::initializer_list<std::string_view> names) const;

 private:
  std::string path_;
  Mapping map_;
  ElfHandle elf_;
  uint16_t machine_ = 0;
  uint16_t type_ = 0;
  uint64_t entry_ = 0;
  bool is64_ = false;
  bool little_endian_ = true;
  std::vector<Section> sections_;
  std::vector<Segment> loads_;
  std::optional<TlsSegment> tls_;
};

}  // namespace gotrace::symbols::detail
