#include "inlined.h"

#include <dwarf.h>

#include <algorithm>

namespace gotrace::symbols::detail {
namespace {

// The inlined copy's first instruction: DW_AT_low_pc, or the lowest start of
// its DW_AT_ranges (Go splits an inlined body when blocks move).
std::optional<uint64_t> first_pc(Dwarf_Die* die) {
  Dwarf_Addr low = 0;
  if (dwarf_lowpc(die, &low) == 0) return low;
  Dwarf_Addr base = 0, start = 0, end = 0;
  std::optional<uint64_t> best;
  for (ptrdiff_t off = 0; (off = dwarf_ranges(die, off, &base, &start, &end)) > 0;)
    if (!best || start < *best) best = start;
  return best;
}

// Far deeper than the Go compiler nests scopes and inlined calls; damaged
// DWARF can nest DIEs tens of thousands deep, which would overflow the
// stack of this recursion.
constexpr int kMaxNesting = 256;

void walk(Dwarf_Die* parent, std::map<std::string, std::vector<uint64_t>, std::less<>>& out, int depth = 0) {
  if (depth > kMaxNesting) return;
  Dwarf_Die child;
  if (dwarf_child(parent, &child) != 0) return;
  do {
    int tag = dwarf_tag(&child);
    if (tag == DW_TAG_inlined_subroutine) {
      if (auto origin = attr_ref(&child, DW_AT_abstract_origin))
        if (auto name = attr_string(&*origin, DW_AT_name))
          if (auto pc = first_pc(&child)) out[std::string(*name)].push_back(*pc);
    }
    // Inlined calls nest in subprograms, lexical blocks and other inlined
    // calls.
    if (tag == DW_TAG_subprogram || tag == DW_TAG_lexical_block || tag == DW_TAG_inlined_subroutine)
      walk(&child, out, depth + 1);
  } while (dwarf_siblingof(&child, &child) == 0);
}

}  // namespace

std::map<std::string, std::vector<uint64_t>, std::less<>> index_inlined_calls(DwarfIndex& index) {
  std::map<std::string, std::vector<uint64_t>, std::less<>> out;
  Dwarf* dbg = index.dwarf();
  for (Dwarf_Off off : index.cu_dies()) {
    Dwarf_Die cu;
    if (dwarf_offdie(dbg, off, &cu)) walk(&cu, out);
  }
  for (auto& [name, pcs] : out) {
    std::sort(pcs.begin(), pcs.end());
    pcs.erase(std::unique(pcs.begin(), pcs.end()), pcs.end());
  }
  return out;
}

}  // namespace gotrace::symbols::detail
