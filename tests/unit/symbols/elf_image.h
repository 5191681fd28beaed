// A whole ELF64 file in memory, to damage or rewrite in tests: find a
// section by name, change its header or bytes, write the result out.
#pragma once

#include "fixture_dir.h"
#include <elf.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

namespace gotrace::symbols::testing {

class ElfImage {
 public:
  explicit ElfImage(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    bytes_.assign(std::istreambuf_iterator<char>(in), {});
    EXPECT_GE(bytes_.size(), sizeof(Elf64_Ehdr)) << path;
  }

  std::vector<uint8_t>& bytes() { return bytes_; }

  // The section header of `name`, in place (nullptr if there is none).
  Elf64_Shdr* section(const std::string& name) {
    for (size_t i = 0; i < ehdr().e_shnum; ++i) {
      Elf64_Shdr* sh = shdr(i);
      if (section_name(*sh) == name) return sh;
    }
    return nullptr;
  }

  // Renames a section in .shstrtab, keeping the length ("X" -> "Y").
  void rename(const std::string& from, const std::string& to) {
    ASSERT_EQ(from.size(), to.size());
    Elf64_Shdr* sh = section(from);
    ASSERT_NE(sh, nullptr) << from;
    Elf64_Shdr* strtab = shdr(ehdr().e_shstrndx);
    std::memcpy(bytes_.data() + strtab->sh_offset + sh->sh_name, to.data(), to.size());
  }

  // The file bytes of a section (must exist).
  uint8_t* contents(const std::string& name) {
    Elf64_Shdr* sh = section(name);
    EXPECT_NE(sh, nullptr) << name;
    return sh ? bytes_.data() + sh->sh_offset : nullptr;
  }

  // The file offset of a link-time address in a PT_LOAD segment.
  std::optional<uint64_t> file_offset(uint64_t vaddr) const {
    const auto& eh = ehdr();
    for (size_t i = 0; i < eh.e_phnum; ++i) {
      Elf64_Phdr ph;
      std::memcpy(&ph, bytes_.data() + eh.e_phoff + i * eh.e_phentsize, sizeof ph);
      if (ph.p_type == PT_LOAD && vaddr >= ph.p_vaddr && vaddr - ph.p_vaddr < ph.p_filesz)
        return vaddr - ph.p_vaddr + ph.p_offset;
    }
    return std::nullopt;
  }

  // The first program header of type `type`, in place (nullptr if none).
  Elf64_Phdr* segment(uint32_t type) {
    const auto& eh = ehdr();
    for (size_t i = 0; i < eh.e_phnum; ++i) {
      auto* ph = reinterpret_cast<Elf64_Phdr*>(bytes_.data() + eh.e_phoff + i * eh.e_phentsize);
      if (ph->p_type == type) return ph;
    }
    return nullptr;
  }

  // Writes the image under the build tree as `name` and returns its path.
  std::string write(const std::string& name) const {
    auto dir = std::filesystem::path(gotrace::testing::fixture_dir()) / "symbols_test_images";
    std::filesystem::create_directories(dir);
    std::string path = (dir / name).string();
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes_.data()), static_cast<std::streamsize>(bytes_.size()));
    return path;
  }

 private:
  const Elf64_Ehdr& ehdr() const { return *reinterpret_cast<const Elf64_Ehdr*>(bytes_.data()); }
  Elf64_Shdr* shdr(size_t i) {
    return reinterpret_cast<Elf64_Shdr*>(bytes_.data() + ehdr().e_shoff + i * ehdr().e_shentsize);
  }
  std::string section_name(const Elf64_Shdr& sh) {
    const Elf64_Shdr* strtab = shdr(ehdr().e_shstrndx);
    return reinterpret_cast<const char*>(bytes_.data() + strtab->sh_offset + sh.sh_name);
  }

  std::vector<uint8_t> bytes_;
};

}  // namespace gotrace::symbols::testing
