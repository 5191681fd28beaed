#include "elf_file.h"

#include "text_util.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

namespace gotrace::symbols::detail {
namespace {

struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

void init_libelf() {
  static std::once_flag once;
  std::call_once(once, [] { elf_version(EV_CURRENT); });
}

Error elf_error(const std::string& what, const std::string& path) {
  return make_error(Errc::corrupt, cat(what, ": ", path, ": ", elf_errmsg(-1)));
}

}  // namespace

Mapping& Mapping::operator=(Mapping&& o) noexcept {
  if (this != &o) {
    if (addr_) ::munmap(addr_, size_);
    addr_ = o.addr_;
    size_ = o.size_;
    o.addr_ = nullptr;
    o.size_ = 0;
  }
  return *this;
}

Mapping::~Mapping() {
  if (addr_) ::munmap(addr_, size_);
}

void Mapping::release(uint64_t offset, uint64_t size) const {
  const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  uint64_t begin = (offset + page - 1) / page * page;
  uint64_t end = std::min<uint64_t>(offset + size, size_) / page * page;
  if (!addr_ || begin >= end) return;
  ::madvise(static_cast<char*>(addr_) + begin, end - begin, MADV_DONTNEED);
}

void ElfFile::release_sections(std::initializer_list<std::string_view> names) const {
  for (const Section& s : sections_)
    if (std::find(names.begin(), names.end(), s.name) != names.end()) map_.release(s.offset, s.size);
}

void ElfFile::release_compressed_debug_sections() const {
  for (const Section& s : sections_)
    if ((s.flags & SHF_COMPRESSED) || s.name.starts_with(".zdebug_")) map_.release(s.offset, s.size);
}

Result<std::unique_ptr<ElfFile>> ElfFile::open(const std::string& path) {
  init_libelf();
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.fd < 0) {
    int e = errno;
    if (e == ENOENT || e == ENOTDIR)
      return make_error(Errc::not_found, cat("no such file: ", path));
    if (e == EACCES) return make_error(Errc::permission, cat("cannot read ", path, ": ", std::strerror(e)));
    return make_error(Errc::io, cat("cannot open ", path, ": ", std::strerror(e)));
  }
  struct stat st {};
  if (::fstat(fd.fd, &st) != 0)
    return make_error(Errc::io, cat("cannot stat ", path, ": ", std::strerror(errno)));
  if (!S_ISREG(st.st_mode)) return make_error(Errc::unsupported, cat("not a regular file: ", path));
  if (static_cast<size_t>(st.st_size) < EI_NIDENT)
    return make_error(Errc::unsupported, cat("not an ELF file: ", path));

  auto self = std::unique_ptr<ElfFile>(new ElfFile());
  self->path_ = path;
  void* addr = ::mmap(nullptr, st.st_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd.fd, 0);
  if (addr == MAP_FAILED)
    return make_error(Errc::io, cat("cannot mmap ", path, ": ", std::strerror(errno)));
  self->map_ = Mapping(addr, st.st_size);
  if (std::memcmp(addr, ELFMAG, SELFMAG) != 0)
    return make_error(Errc::unsupported, cat("not an ELF file: ", path));

  self->elf_.reset(elf_memory(static_cast<char*>(addr), st.st_size));
  if (!self->elf_ || elf_kind(self->elf_.get()) != ELF_K_ELF)
    return make_error(Errc::unsupported, cat("not an ELF file: ", path));
  Elf* elf = self->elf_.get();

  GElf_Ehdr eh;
  if (!gelf_getehdr(elf, &eh)) return elf_error("bad ELF header", path);
  self->machine_ = eh.e_machine;
  self->type_ = eh.e_type;
  self->entry_ = eh.e_entry;
  self->is64_ = eh.e_ident[EI_CLASS] == ELFCLASS64;
  self->little_endian_ = eh.e_ident[EI_DATA] == ELFDATA2LSB;

  size_t shstrndx = 0;
  if (elf_getshdrstrndx(elf, &shstrndx) != 0) return elf_error("bad section header string table", path);
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh)) return elf_error("bad section header", path);
    const char* name = elf_strptr(elf, shstrndx, sh.sh_name);
    Section s;
    s.name = name ? name : "";
    s.index = elf_ndxscn(scn);
    s.type = sh.sh_type;
    s.flags = sh.sh_flags;
    s.addr = sh.sh_addr;
    s.offset = sh.sh_offset;
    s.size = sh.sh_size;
    s.link = sh.sh_link;
    s.entsize = sh.sh_entsize;
    self->sections_.push_back(std::move(s));
  }

  size_t phnum = 0;
  if (elf_getphdrnum(elf, &phnum) != 0) return elf_error("bad program headers", path);
  for (size_t i = 0; i < phnum; ++i) {
    GElf_Phdr ph;
    if (!gelf_getphdr(elf, i, &ph)) return elf_error("bad program header", path);
    if (ph.p_type == PT_TLS) self->tls_ = TlsSegment{ph.p_vaddr, ph.p_memsz, ph.p_align ? ph.p_align : 1};
    if (ph.p_type != PT_LOAD) continue;
    if (ph.p_offset > static_cast<uint64_t>(st.st_size) || ph.p_filesz > st.st_size - ph.p_offset)
      return make_error(Errc::corrupt, cat("PT_LOAD segment outside the file: ", path));
    self->loads_.push_back({ph.p_vaddr, ph.p_offset, ph.p_filesz, ph.p_memsz, ph.p_flags});
  }
  return self;
}

const Section* ElfFile::section(std::string_view name) const {
  for (const auto& s : sections_)
    if (s.name == name) return &s;
  return nullptr;
}

std::optional<std::span<const uint8_t>> ElfFile::section_bytes(const Section& s) const {
  auto img = map_.bytes();
  if (s.type == SHT_NOBITS || s.offset > img.size() || s.size > img.size() - s.offset) return std::nullopt;
  return img.subspan(s.offset, s.size);
}

std::optional<std::span<const uint8_t>> ElfFile::read(uint64_t vaddr, uint64_t size) const {
  for (const auto& seg : loads_) {
    if (vaddr < seg.vaddr || vaddr - seg.vaddr >= seg.filesz) continue;
    uint64_t off = vaddr - seg.vaddr;
    if (size > seg.filesz - off) return std::nullopt;
    return map_.bytes().subspan(seg.offset + off, size);
  }
  return std::nullopt;
}

Result<uint64_t> ElfFile::exec_file_offset(uint64_t vaddr) const {
  for (const auto& seg : loads_) {
    if (!(seg.flags & PF_X)) continue;
    if (vaddr >= seg.vaddr && vaddr - seg.vaddr < seg.filesz) return vaddr - seg.vaddr + seg.offset;
  }
  return make_error(Errc::not_found,
                    cat("address ", hex(vaddr), " is not in an executable segment of ", path_));
}

std::vector<std::pair<uint64_t, uint64_t>> ElfFile::exec_ranges() const {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  for (const auto& s : sections_)
    if ((s.flags & SHF_EXECINSTR) && s.type == SHT_PROGBITS) out.emplace_back(s.addr, s.addr + s.size);
  if (!out.empty()) return out;
  for (const auto& seg : loads_)
    if (seg.flags & PF_X) out.emplace_back(seg.vaddr, seg.vaddr + seg.filesz);
  return out;
}

std::optional<uint64_t> ElfFile::relocation_addend(uint64_t vaddr) const {
  // The file's bytes, not libelf: libdw may be using libelf on another
  // thread (Binary::OpenOptions). 64-bit only, as Binary::open checks.
  for (const Section& sh : sections_) {
    if (sh.type != SHT_RELA || sh.entsize != sizeof(Elf64_Rela)) continue;
    auto data = section_bytes(sh);
    if (!data) continue;
    for (size_t off = 0; off + sizeof(Elf64_Rela) <= data->size(); off += sizeof(Elf64_Rela)) {
      Elf64_Rela rela;
      std::memcpy(&rela, data->data() + off, sizeof rela);
      if (rela.r_offset == vaddr) return static_cast<uint64_t>(rela.r_addend);
    }
  }
  return std::nullopt;
}

}  // namespace gotrace::symbols::detail
