#include "gotrace/symbols/binary.h"

#include "buildinfo.h"
#include "inlined.h"
#include "dwarf_index.h"
#include "dwarf_types.h"
#include "elf_file.h"
#include "lines.h"
#include "pclntab.h"
#include "runtime_layout.h"
#include "scope.h"
#include "signature.h"
#include "symtab.h"
#include "text_util.h"

#include <algorithm>
#include <mutex>
#include <thread>

namespace gotrace::symbols {

using namespace detail;

namespace {
constexpr std::string_view kNoDebugInfo = "no debug information (stripped binary): values are shown as raw words";
}  // namespace

struct Binary::Impl {
  std::string path;
  std::unique_ptr<ElfFile> file;
  Machine machine = Machine::amd64;
  bool pie = false;
  bool has_dwarf = false;
  std::string go_version;
  SymbolTable symtab;
  std::optional<PclnTable> pcln;  // points into `file`'s mapping
  std::vector<std::string> warnings;

  // Lazy DWARF state. Declared after `file` so it is destroyed first
  // (libdw points into the Elf). Guarded by `mu`: const methods fill it.
  mutable std::mutex mu;
  mutable bool dwarf_tried = false;
  mutable std::unique_ptr<DwarfIndex> dwarf;
  mutable std::unique_ptr<TypeTable> types;
  mutable std::optional<Error> dwarf_error;
  // From DWARF on first use; set by open() from the table without DWARF.
  mutable std::optional<uint64_t> goid_offset, stack_hi_offset;
  // Inlined copies by function name, indexed on first use.
  mutable std::optional<std::map<std::string, std::vector<uint64_t>, std::less<>>> inlined;
  // Asked per request or per hit (a breakpoint's reported address): read
  // from the line tables once.
  mutable std::optional<std::vector<std::string>> sources;
  mutable std::map<uint64_t, uint64_t> after_prologue;  // by entry
  // OpenOptions::read_dwarf_in_background: the reader and what it read.
  // Declared last: joined before anything it reads is destroyed.
  mutable std::optional<Result<std::unique_ptr<DwarfIndex>>> dwarf_read;
  mutable std::jthread dwarf_reader;
  // Requires `mu`. Null without DWARF.
  const std::map<std::string, std::vector<uint64_t>, std::less<>>* inlined_locked() const;

  // Requires `mu`. Null (with dwarf_error set) if the binary has no DWARF.
  DwarfIndex* dwarf_locked() const {
    if (!dwarf_tried) {
      dwarf_tried = true;
      if (dwarf_reader.joinable()) dwarf_reader.join();
      if (!has_dwarf) {
        dwarf_error = make_error(Errc::unsupported, std::string(kNoDebugInfo));
      } else if (auto d = dwarf_read ? std::move(*dwarf_read) : DwarfIndex::open(*file); d) {
        dwarf = std::move(*d);
        auto sym = [&](const char* n) {
          auto it = symtab.addresses.find(n);
          return it == symtab.addresses.end() ? uint64_t{0} : it->second;
        };
        uint64_t ptr_size = file->is64() ? 8 : 4;
        types = std::make_unique<TypeTable>(*dwarf, ptr_size, sym("runtime.types"), sym("runtime.etypes"));
      } else {
        dwarf_error = d.error();
      }
    }
    return dwarf.get();
  }

  Result<uint64_t> g_offsets_locked(bool want_goid) const {
    if (!goid_offset) {
      if (!dwarf_locked()) return *dwarf_error;
      const Type* g = types->by_name_in_package("runtime.g", "runtime");
      if (!g || g->kind != Kind::struct_)
        return make_error(Errc::not_found, cat("no runtime.g type in DWARF of ", path));
      std::optional<uint64_t> goid, hi;
      for (const auto& f : g->fields) {
        if (f.name == "goid") goid = f.offset;
        if (f.name == "stack" && f.type)
          for (const auto& s : f.type->fields)
            if (s.name == "hi") hi = f.offset + s.offset;
      }
      if (!goid || !hi) return make_error(Errc::not_found, cat("runtime.g lacks goid or stack.hi in ", path));
      goid_offset = goid;
      stack_hi_offset = hi;
    }
    return want_goid ? *goid_offset : *stack_hi_offset;
  }
};

Binary::Binary() : impl_(std::make_unique<Impl>()) {}
Binary::~Binary() = default;

Result<std::unique_ptr<Binary>> Binary::open(const std::string& path) { return open(path, OpenOptions{}); }

Result<std::unique_ptr<Binary>> Binary::open(const std::string& path, const OpenOptions& opts) {
  auto file = ElfFile::open(path);
  if (!file) return file.error();
  ElfFile& f = **file;

  auto bin = std::unique_ptr<Binary>(new Binary());
  Impl& impl = *bin->impl_;
  impl.path = path;
  if (!f.is64()) return make_error(Errc::unsupported, cat("32-bit ELF files are not supported: ", path));
  switch (f.machine()) {
    case EM_X86_64: impl.machine = Machine::amd64; break;
    case EM_AARCH64: impl.machine = Machine::arm64; break;
    default:
      return make_error(Errc::unsupported, cat("unsupported machine (need x86-64 or arm64): ", path));
  }
  if (!f.section(".go.buildinfo") && !f.section(".gopclntab"))
    return make_error(Errc::unsupported, cat("not a Go binary (no .go.buildinfo or .gopclntab): ", path));
  impl.pie = f.type() == ET_DYN;
  impl.has_dwarf = f.section(".debug_info") || f.section(".zdebug_info");
  impl.go_version = read_go_version(f).value_or("");

  // From here on the main thread reads the file's bytes, not libelf (which
  // is not thread-safe), so libdw may work on it meanwhile. The reader also
  // indexes the inlined copies, which every function breakpoint looks up.
  if (opts.read_dwarf_in_background && impl.has_dwarf)
    impl.dwarf_reader = std::jthread([&impl, &f] {
      auto d = DwarfIndex::open(f);
      if (d) impl.inlined = index_inlined_calls(**d);
      impl.dwarf_read = std::move(d);
    });
  auto symtab = read_symtab(f);
  if (!symtab) return symtab.error();
  auto pcln = read_pclntab(f, *symtab);
  // A .symtab without Go functions (absent, or only C symbols left by a
  // partial strip) gives way to the pc-line table.
  if (!symtab->addresses.contains("runtime.main")) {
    if (!pcln) return pcln.error();
    impl.symtab = symtab_from_pclntab(*pcln);
  } else {
    impl.symtab = std::move(*symtab);
    if (pcln) {
      for (Function& fn : impl.symtab.functions)
        if (const PclnFunction* p = pcln->function_at(fn.entry); p && p->entry == fn.entry) fn.args_size = p->args;
    } else {
      impl.warnings.push_back(cat(pcln.error().message, " (argument frame sizes are unknown)"));
    }
  }
  if (pcln) impl.pcln = std::move(*pcln);
  // Indexed: their pages need not stay resident (the server's peak memory
  // on a large binary is the point).
  f.release_sections({".symtab", ".strtab", ".gopclntab"});
  if (!impl.has_dwarf) {
    // runtime.g without DWARF: gotrace's table by Go release.
    GLayout layout = g_layout_for(impl.go_version, impl.machine);
    impl.goid_offset = layout.goid;
    impl.stack_hi_offset = layout.stack_hi;
    if (!layout.warning.empty()) impl.warnings.push_back(layout.warning);
  }
  impl.file = std::move(*file);
  return bin;
}

const std::string& Binary::path() const { return impl_->path; }
Machine Binary::machine() const { return impl_->machine; }
uint64_t Binary::entry_point() const { return impl_->file->entry(); }
bool Binary::is_pie() const { return impl_->pie; }
bool Binary::has_dwarf() const { return impl_->has_dwarf; }
const std::string& Binary::go_version() const { return impl_->go_version; }
const std::vector<std::string>& Binary::warnings() const { return impl_->warnings; }

std::span<const Function> Binary::functions() const { return impl_->symtab.functions; }

const Function* Binary::find_function(std::string_view name) const {
  const auto& fns = impl_->symtab.functions;
  auto it = std::lower_bound(fns.begin(), fns.end(), name,
                             [](const Function& f, std::string_view n) { return f.name < n; });
  return it != fns.end() && it->name == name ? &*it : nullptr;
}

const Function* Binary::function_at(uint64_t pc) const {
  const auto& fns = impl_->symtab.functions;
  const auto& idx = impl_->symtab.by_address;
  auto it = std::upper_bound(idx.begin(), idx.end(), pc,
                             [&](uint64_t v, uint32_t i) { return v < fns[i].entry; });
  if (it == idx.begin()) return nullptr;
  const Function& f = fns[*std::prev(it)];
  return pc < f.end ? &f : nullptr;
}

std::optional<uint64_t> Binary::symbol_address(std::string_view name) const {
  auto it = impl_->symtab.addresses.find(std::string(name));
  if (it == impl_->symtab.addresses.end()) return std::nullopt;
  return it->second;
}

Result<Signature> Binary::signature(const Function& fn) const {
  std::lock_guard lock(impl_->mu);
  DwarfIndex* d = impl_->dwarf_locked();
  if (!d) return *impl_->dwarf_error;
  return read_signature(*d, *impl_->types, fn, impl_->path);
}

Result<std::span<const uint8_t>> Binary::code(const Function& fn) const {
  if (fn.end < fn.entry) return make_error(Errc::invalid_argument, cat("bad function range for ", fn.name));
  auto bytes = impl_->file->read(fn.entry, fn.end - fn.entry);
  if (!bytes)
    return make_error(Errc::not_found, cat("code of ", fn.name, " at ", hex(fn.entry), " is not in ", impl_->path));
  return *bytes;
}

std::optional<SourceLine> Binary::pc_to_line(uint64_t pc) const {
  {
    std::lock_guard lock(impl_->mu);
    if (DwarfIndex* d = impl_->dwarf_locked()) return detail::pc_to_line(*d, pc);
  }
  // Immutable after open: no lock needed.
  if (impl_->pcln) return impl_->pcln->line_at(pc);
  return std::nullopt;
}

const std::vector<std::string>& Binary::source_files() const {
  std::lock_guard lock(impl_->mu);
  // Filled once under `mu` and never changed after: the reference stays good.
  if (!impl_->sources) {
    DwarfIndex* d = impl_->dwarf_locked();
    impl_->sources = d ? detail::source_files(*d) : std::vector<std::string>{};
  }
  return *impl_->sources;
}

uint64_t Binary::after_prologue(const Function& fn) const {
  std::lock_guard lock(impl_->mu);
  DwarfIndex* d = impl_->dwarf_locked();
  if (!d) return fn.entry;
  auto [it, fresh] = impl_->after_prologue.try_emplace(fn.entry, fn.entry);
  if (fresh) it->second = detail::prologue_end(*d, fn.entry, fn.end).value_or(fn.entry);
  return it->second;
}

std::vector<uint64_t> Binary::line_to_pcs(std::string_view file, int line) const {
  std::lock_guard lock(impl_->mu);
  DwarfIndex* d = impl_->dwarf_locked();
  if (!d) return {};
  return detail::line_to_pcs(*d, file, line);
}

const std::map<std::string, std::vector<uint64_t>, std::less<>>* Binary::Impl::inlined_locked() const {
  DwarfIndex* d = dwarf_locked();
  if (!d) return nullptr;
  if (!inlined) inlined = index_inlined_calls(*d);
  return &*inlined;
}

std::vector<uint64_t> Binary::inlined_calls(std::string_view name) const {
  std::lock_guard lock(impl_->mu);
  auto* all = impl_->inlined_locked();
  if (!all) return {};
  auto it = all->find(name);
  return it == all->end() ? std::vector<uint64_t>{} : it->second;
}

std::vector<std::string> Binary::inlined_names() const {
  std::lock_guard lock(impl_->mu);
  std::vector<std::string> out;
  if (auto* all = impl_->inlined_locked())
    for (const auto& [name, pcs] : *all) out.push_back(name);
  return out;
}

Result<std::vector<ScopedVariable>> Binary::variables_at(const Function& fn, uint64_t pc) const {
  std::lock_guard lock(impl_->mu);
  DwarfIndex* d = impl_->dwarf_locked();
  if (!d) return *impl_->dwarf_error;
  return read_variables_at(*d, *impl_->types, fn, pc, impl_->path);
}

Result<int64_t> Binary::cfa_offset(uint64_t pc) const {
  std::lock_guard lock(impl_->mu);
  DwarfIndex* d = impl_->dwarf_locked();
  if (!d) return *impl_->dwarf_error;
  return read_cfa_offset(*d, pc, impl_->machine == Machine::arm64 ? 31 : 7, impl_->path);
}

std::optional<int64_t> Binary::g_tls_offset() const {
  const auto& tls = impl_->file->tls();
  if (!tls) return -8;  // the Go linker's own slot
  auto tlsg = symbol_address("runtime.tlsg");
  if (!tlsg) return std::nullopt;
  // The block is padded so that its start keeps the segment's alignment
  // relative to the thread pointer (the formula lld uses; Delve does the
  // same): (tlsoffset % align) == (vaddr % align).
  uint64_t align = tls->align;
  uint64_t memsz = tls->memsz + ((0 - tls->vaddr - tls->memsz) & (align - 1));
  // Subtracted unsigned (wrapping, then read as signed): a damaged symbol
  // value near 2^63 must not be signed overflow.
  return static_cast<int64_t>(*tlsg - memsz);
}

Result<uint64_t> Binary::g_goid_offset() const {
  std::lock_guard lock(impl_->mu);
  return impl_->g_offsets_locked(true);
}

Result<uint64_t> Binary::g_stack_hi_offset() const {
  std::lock_guard lock(impl_->mu);
  return impl_->g_offsets_locked(false);
}

std::optional<std::pair<uint64_t, uint64_t>> Binary::g_m_curg_offsets() const {
  std::lock_guard lock(impl_->mu);
  if (!impl_->dwarf_locked()) return std::nullopt;
  const Type* g = impl_->types->by_name_in_package("runtime.g", "runtime");
  if (!g || g->kind != Kind::struct_) return std::nullopt;
  for (const auto& f : g->fields) {
    if (f.name != "m" || !f.type || f.type->kind != Kind::pointer || !f.type->elem) continue;
    for (const auto& mf : f.type->elem->fields)
      if (mf.name == "curg") return std::pair{f.offset, mf.offset};
  }
  return std::nullopt;
}

Result<uint64_t> Binary::file_offset(uint64_t vaddr) const { return impl_->file->exec_file_offset(vaddr); }

std::optional<std::span<const uint8_t>> Binary::static_data(uint64_t vaddr, uint64_t size) const {
  return impl_->file->read(vaddr, size);
}

const Type* Binary::type_by_runtime_address(uint64_t addr) const {
  std::lock_guard lock(impl_->mu);
  if (!impl_->dwarf_locked()) return nullptr;
  return impl_->types->by_runtime_address(addr);
}

std::vector<std::string> Binary::type_names() const {
  std::lock_guard lock(impl_->mu);
  if (!impl_->dwarf_locked()) return {};
  return impl_->types->names();
}

const Type* Binary::type_by_name(std::string_view name) const {
  std::lock_guard lock(impl_->mu);
  if (!impl_->dwarf_locked()) return nullptr;
  return impl_->types->by_name(name);
}

}  // namespace gotrace::symbols
