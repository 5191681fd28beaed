#include "lines.h"

#include <algorithm>

namespace gotrace::symbols::detail {

bool path_suffix_match(std::string_view path, std::string_view suffix) {
  if (suffix.empty() || !path.ends_with(suffix)) return false;
  if (path.size() == suffix.size() || suffix.front() == '/') return true;
  return path[path.size() - suffix.size() - 1] == '/';
}

std::optional<SourceLine> pc_to_line(DwarfIndex& index, uint64_t pc) {
  auto cu = index.cu_at(pc);
  if (!cu) return std::nullopt;
  Dwarf_Line* l = dwarf_getsrc_die(&*cu, pc);
  if (!l) return std::nullopt;
  int lineno = 0;
  const char* src = dwarf_linesrc(l, nullptr, nullptr);
  if (!src || dwarf_lineno(l, &lineno) != 0) return std::nullopt;
  return SourceLine{src, lineno};
}

std::vector<std::string> source_files(DwarfIndex& index) {
  std::vector<std::string> out;
  Dwarf* dbg = index.dwarf();
  for (Dwarf_Off cu_off : index.cu_dies()) {
    Dwarf_Die cu;
    Dwarf_Files* files = nullptr;
    size_t nfiles = 0;
    if (!dwarf_offdie(dbg, cu_off, &cu) || dwarf_getsrcfiles(&cu, &files, &nfiles) != 0) continue;
    for (size_t i = 0; i < nfiles; ++i)
      if (const char* name = dwarf_filesrc(files, i, nullptr, nullptr); name && *name) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// Delve's FirstPCAfterPrologue: the row marked prologue_end, else the first
// statement.
std::optional<uint64_t> prologue_end(DwarfIndex& index, uint64_t entry, uint64_t end) {
  auto cu = index.cu_at(entry);
  if (!cu) return std::nullopt;
  Dwarf_Lines* lines = nullptr;
  size_t nlines = 0;
  if (dwarf_getsrclines(&*cu, &lines, &nlines) != 0) return std::nullopt;
  std::optional<uint64_t> first_stmt;
  for (size_t i = 0; i < nlines; ++i) {
    Dwarf_Line* l = dwarf_onesrcline(lines, i);
    Dwarf_Addr addr = 0;
    if (!l || dwarf_lineaddr(l, &addr) != 0 || addr < entry || addr >= end) continue;
    bool flag = false, seq_end = false;
    if (dwarf_lineendsequence(l, &seq_end) == 0 && seq_end) continue;
    if (dwarf_lineprologueend(l, &flag) == 0 && flag) return addr;
    if (!first_stmt && dwarf_linebeginstatement(l, &flag) == 0 && flag) first_stmt = addr;
  }
  return first_stmt;
}

std::vector<uint64_t> line_to_pcs(DwarfIndex& index, std::string_view file, int line) {
  std::vector<uint64_t> pcs;
  Dwarf* dbg = index.dwarf();
  for (Dwarf_Off cu_off : index.cu_dies()) {
    Dwarf_Die cu;
    if (!dwarf_offdie(dbg, cu_off, &cu)) continue;
    // Check the CU's file table first so CUs that cannot match are skipped
    // without walking their rows.
    Dwarf_Files* files = nullptr;
    size_t nfiles = 0;
    if (dwarf_getsrcfiles(&cu, &files, &nfiles) != 0) continue;
    bool any = false;
    for (size_t i = 0; i < nfiles && !any; ++i) {
      const char* name = dwarf_filesrc(files, i, nullptr, nullptr);
      any = name && path_suffix_match(name, file);
    }
    if (!any) continue;
    Dwarf_Lines* lines = nullptr;
    size_t nlines = 0;
    if (dwarf_getsrclines(&cu, &lines, &nlines) != 0) continue;
    for (size_t i = 0; i < nlines; ++i) {
      Dwarf_Line* l = dwarf_onesrcline(lines, i);
      int lineno = 0;
      bool stmt = false, end = false;
      if (!l || dwarf_lineno(l, &lineno) != 0 || lineno != line) continue;
      if (dwarf_linebeginstatement(l, &stmt) != 0 || !stmt) continue;
      if (dwarf_lineendsequence(l, &end) == 0 && end) continue;
      const char* src = dwarf_linesrc(l, nullptr, nullptr);
      if (!src || !path_suffix_match(src, file)) continue;
      Dwarf_Addr addr = 0;
      if (dwarf_lineaddr(l, &addr) == 0) pcs.push_back(addr);
    }
  }
  std::sort(pcs.begin(), pcs.end());
  pcs.erase(std::unique(pcs.begin(), pcs.end()), pcs.end());
  return pcs;
}

}  // namespace gotrace::symbols::detail
