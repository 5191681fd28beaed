#include "symtab.h"

#include "moduledata.h"
#include "text_util.h"

#include <algorithm>
#include <cstring>
#include <unordered_set>

namespace gotrace::symbols::detail {
namespace {

void index_functions(SymbolTable& table) {
  std::sort(table.functions.begin(), table.functions.end(), [](const Function& a, const Function& b) {
    return a.name != b.name ? a.name < b.name : a.entry < b.entry;
  });
  table.by_address.resize(table.functions.size());
  for (uint32_t i = 0; i < table.by_address.size(); ++i) table.by_address[i] = i;
  std::sort(table.by_address.begin(), table.by_address.end(), [&](uint32_t a, uint32_t b) {
    return table.functions[a].entry < table.functions[b].entry;
  });
}

// go:textfipsstart and go:textfipsend (Go 1.24+) bracket the FIPS 140
// module's code: the linker emits them as one-byte functions, in .symtab and
// in the pc-line table, but they hold no code to trace.
bool is_linker_marker(std::string_view name) {
  return name == "go:textfipsstart" || name == "go:textfipsend";
}

std::optional<uint64_t> address_of(const SymbolTable& symbols, const char* name) {
  auto it = symbols.addresses.find(name);
  if (it == symbols.addresses.end()) return std::nullopt;
  return it->second;
}

}  // namespace

Result<SymbolTable> read_symtab(const ElfFile& file) {
  SymbolTable table;
  // Only functions in executable sections; the linker also emits
  // zero-size STT_FUNC markers (runtime.text, runtime.etext) that are not
  // functions.
  std::vector<bool> exec_section;
  for (const auto& s : file.sections()) {
    if (exec_section.size() <= s.index) exec_section.resize(s.index + 1);
    exec_section[s.index] = (s.flags & SHF_EXECINSTR) && s.type == SHT_PROGBITS;
  }
  // Read from the file's bytes, not through libelf: libdw may be reading
  // the DWARF through libelf on another thread meanwhile
  // (Binary::OpenOptions), and libelf is not thread-safe. 64-bit
  // little-endian only, as Binary::open checks.
  for (const Section& sh : file.sections()) {
    if (sh.type != SHT_SYMTAB) continue;
    auto data = file.section_bytes(sh);
    const Section* strs = nullptr;
    for (const Section& s : file.sections())
      if (s.index == sh.link) strs = &s;
    auto names = strs ? file.section_bytes(*strs) : std::nullopt;
    if (!data || !names || sh.entsize != sizeof(Elf64_Sym))
      return make_error(Errc::corrupt, cat("unreadable .symtab: ", file.path()));
    size_t count = data->size() / sizeof(Elf64_Sym);
    for (size_t i = 1; i < count; ++i) {
      Elf64_Sym sym;
      std::memcpy(&sym, data->data() + i * sizeof sym, sizeof sym);
      if (sym.st_name >= names->size()) continue;
      const char* start = reinterpret_cast<const char*>(names->data()) + sym.st_name;
      std::string_view n(start, strnlen(start, names->size() - sym.st_name));
      if (n.empty()) continue;
      table.addresses.try_emplace(std::string(n), sym.st_value);
      if (ELF64_ST_TYPE(sym.st_info) != STT_FUNC) continue;
      if (sym.st_shndx >= exec_section.size() || !exec_section[sym.st_shndx]) continue;
      if (sym.st_size == 0) continue;  // runtime.text/etext markers
      if (is_linker_marker(n)) continue;
      Function fn{std::string(n), sym.st_value, sym.st_value + sym.st_size};
      // ABI0 (assembly) code does not keep g in R14; it goes by its Go name,
      // marked, unless an ABIInternal function of that name exists (a
      // wrapper Go callers go through: that one is traced).
      if (n.ends_with(".abi0")) {
        fn.name.resize(fn.name.size() - 5);
        fn.abi0 = true;
      }
      table.functions.push_back(std::move(fn));
    }
  }
  std::unordered_set<std::string> internal;
  for (const Function& f : table.functions)
    if (!f.abi0) internal.insert(f.name);
  std::erase_if(table.functions, [&](const Function& f) { return f.abi0 && internal.count(f.name); });
  index_functions(table);
  return table;
}

Result<PclnTable> read_pclntab(const ElfFile& file, const SymbolTable& symbols) {
  const std::string& path = file.path();
  std::span<const uint8_t> data;
  uint64_t addr = 0;
  // Internally linked PIEs put it in .data.rel.ro.gopclntab; external
  // linkers may merge it into .data.rel.ro, leaving only the symbols.
  const Section* sec = file.section(".gopclntab");
  if (!sec) sec = file.section(".data.rel.ro.gopclntab");
  if (sec) {
    auto bytes = file.section_bytes(*sec);
    if (!bytes) return make_error(Errc::corrupt, cat("section ", sec->name, " lies outside the file: ", path));
    data = *bytes;
    addr = sec->addr;
  } else {
    auto start = address_of(symbols, "runtime.pclntab");
    auto end = address_of(symbols, "runtime.epclntab");
    if (!start || !end)
      return make_error(Errc::unsupported,
                        cat("no Go pc-line table in ", path,
                            ": no .gopclntab section and no runtime.pclntab symbol (an externally linked "
                            "binary stripped of its symbols?)"));
    auto bytes = *end > *start ? file.read(*start, *end - *start) : std::nullopt;
    if (!bytes)
      return make_error(Errc::corrupt, cat("runtime.pclntab..runtime.epclntab (", hex(*start), "..", hex(*end),
                                           ") is not in the file: ", path));
    data = *bytes;
    addr = *start;
  }
  PclnInput in{data, path, 0, file.exec_ranges()};
  // textStart is 0 when a position-independent table leaves it to a
  // dynamic relocation (Go 1.18-1.25; GNU ld may not write it in place),
  // and always from Go 1.26 on, where only moduledata records it.
  if (auto ts = pcln_text_start(data); ts && ts->value == 0) {
    if (auto addend = file.relocation_addend(addr + ts->offset))
      in.text_start = *addend;
    else if (auto text = address_of(symbols, "runtime.text"))
      in.text_start = *text;
    else if (auto module = moduledata_text(file, addr))
      in.text_start = *module;
  }
  return PclnTable::parse(in);
}

SymbolTable symtab_from_pclntab(const PclnTable& pcln) {
  SymbolTable table;
  std::unordered_set<std::string_view> seen;
  for (const PclnFunction& f : pcln.functions()) {  // by entry
    if (f.assembly || is_linker_marker(f.name)) continue;
    bool generic = f.name.find("[...]") != std::string::npos;
    if (!seen.insert(f.name).second && !generic) continue;
    table.functions.push_back(Function{f.name, f.entry, f.end, f.args});
    table.addresses.try_emplace(f.name, f.entry);
  }
  for (const PclnFunction& f : pcln.functions()) table.addresses.try_emplace(f.name, f.entry);
  index_functions(table);
  return table;
}

}  // namespace gotrace::symbols::detail
