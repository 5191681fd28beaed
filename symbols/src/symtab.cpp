#include "symtab.h"

#include "text_util.h"

#include <algorithm>

namespace gotrace::symbols::detail {

Result<SymbolTable> read_symtab(const ElfFile& file) {
  SymbolTable table;
  Elf* elf = file.elf();
  // Only functions in executable sections; the linker also emits
  // zero-size STT_FUNC markers (runtime.text, runtime.etext) that are not
  // functions.
  std::vector<bool> exec_section;
  for (const auto& s : file.sections()) {
    if (exec_section.size() <= s.index) exec_section.resize(s.index + 1);
    exec_section[s.index] = (s.flags & SHF_EXECINSTR) && s.type == SHT_PROGBITS;
  }
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB) continue;
    Elf_Data* data = elf_getdata(scn, nullptr);
    if (!data || sh.sh_entsize == 0)
      return make_error(Errc::corrupt, cat("unreadable .symtab: ", file.path()));
    size_t count = sh.sh_size / sh.sh_entsize;
    for (size_t i = 1; i < count; ++i) {
      GElf_Sym sym;
      if (!gelf_getsym(data, static_cast<int>(i), &sym)) continue;
      const char* name = elf_strptr(elf, sh.sh_link, sym.st_name);
      if (!name || !*name) continue;
      std::string_view n(name);
      table.addresses.try_emplace(std::string(n), sym.st_value);
      if (GELF_ST_TYPE(sym.st_info) != STT_FUNC) continue;
      if (sym.st_shndx >= exec_section.size() || !exec_section[sym.st_shndx]) continue;
      // ABI0 (assembly) functions and wrappers do not keep g in R14/R28.
      if (n.ends_with(".abi0")) continue;
      if (sym.st_size == 0) continue;  // runtime.text/etext markers
      table.functions.push_back(Function{std::string(n), sym.st_value, sym.st_value + sym.st_size});
    }
  }
  std::sort(table.functions.begin(), table.functions.end(),
            [](const Function& a, const Function& b) { return a.name < b.name; });
  table.by_address.resize(table.functions.size());
  for (uint32_t i = 0; i < table.by_address.size(); ++i) table.by_address[i] = i;
  std::sort(table.by_address.begin(), table.by_address.end(), [&](uint32_t a, uint32_t b) {
    return table.functions[a].entry < table.functions[b].entry;
  });
  return table;
}

}  // namespace gotrace::symbols::detail
