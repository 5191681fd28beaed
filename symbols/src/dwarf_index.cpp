#include "dwarf_index.h"

#include "text_util.h"

#include <dwarf.h>

#include <algorithm>

namespace gotrace::symbols::detail {

// dwarf_attr_integrate: the out-of-line copy of a function that is also
// inlined elsewhere, and its parameters, carry only DW_AT_abstract_origin;
// their name, type and flags are on the abstract DIE.
std::optional<std::string_view> attr_string(Dwarf_Die* die, unsigned name) {
  Dwarf_Attribute attr;
  if (!dwarf_attr_integrate(die, name, &attr)) return std::nullopt;
  const char* s = dwarf_formstring(&attr);
  if (!s) return std::nullopt;
  return std::string_view(s);
}

std::optional<uint64_t> attr_udata(Dwarf_Die* die, unsigned name) {
  Dwarf_Attribute attr;
  if (!dwarf_attr_integrate(die, name, &attr)) return std::nullopt;
  Dwarf_Word w = 0;
  if (dwarf_formudata(&attr, &w) == 0) return w;
  Dwarf_Addr a = 0;  // DW_AT_go_runtime_type is DW_FORM_addr
  if (dwarf_formaddr(&attr, &a) == 0) return a;
  return std::nullopt;
}

bool attr_flag(Dwarf_Die* die, unsigned name) {
  Dwarf_Attribute attr;
  if (!dwarf_attr_integrate(die, name, &attr)) return false;
  bool b = false;
  if (dwarf_formflag(&attr, &b) == 0) return b;
  Dwarf_Word w = 0;
  return dwarf_formudata(&attr, &w) == 0 && w != 0;
}

std::optional<Dwarf_Die> attr_ref(Dwarf_Die* die, unsigned name) {
  Dwarf_Attribute attr;
  if (!dwarf_attr_integrate(die, name, &attr)) return std::nullopt;
  Dwarf_Die out;
  if (!dwarf_formref_die(&attr, &out)) return std::nullopt;
  return out;
}

Result<std::unique_ptr<DwarfIndex>> DwarfIndex::open(const ElfFile& file) {
  // dwarf_begin_elf decompresses SHF_COMPRESSED and legacy .zdebug_*
  // sections (Go <= 1.18 linkers emit the latter) itself.
  Dwarf* d = dwarf_begin_elf(file.elf(), DWARF_C_READ, nullptr);
  if (!d) return make_error(Errc::unsupported, cat("no usable DWARF in ", file.path(), ": ", dwarf_errmsg(-1)));
  file.release_compressed_debug_sections();
  auto self = std::unique_ptr<DwarfIndex>(new DwarfIndex());
  self->dwarf_.reset(d);
  return self;
}

void DwarfIndex::load_cus() {
  if (cus_loaded_) return;
  cus_loaded_ = true;
  Dwarf_Off off = 0, next = 0;
  size_t hsize = 0;
  while (dwarf_nextcu(dwarf_.get(), off, &next, &hsize, nullptr, nullptr, nullptr) == 0) {
    Dwarf_Off die_off = off + hsize;
    off = next;
    Dwarf_Die cu;
    if (!dwarf_offdie(dwarf_.get(), die_off, &cu)) continue;
    cu_dies_.push_back(die_off);
    size_t idx = cus_.size();
    cus_.push_back(CuInfo{die_off});
    Dwarf_Addr base = 0, start = 0, end = 0;
    ptrdiff_t r = 0;
    while ((r = dwarf_ranges(&cu, r, &base, &start, &end)) > 0)
      if (end > start) ranges_.push_back({start, end, idx});
  }
  std::sort(ranges_.begin(), ranges_.end(), [](const Range& a, const Range& b) { return a.lo < b.lo; });
}

const std::vector<Dwarf_Off>& DwarfIndex::cu_dies() {
  load_cus();
  return cu_dies_;
}

DwarfIndex::CuInfo* DwarfIndex::cu_info_at(uint64_t pc) {
  load_cus();
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), pc,
                             [](uint64_t v, const Range& r) { return v < r.lo; });
  // Ranges of different CUs do not overlap, but scan back a little in
  // case a CU's range list has nested or overlapping entries.
  while (it != ranges_.begin()) {
    --it;
    if (pc >= it->lo && pc < it->hi) return &cus_[it->cu];
    if (it->hi <= pc && pc - it->hi > (1u << 30)) break;
  }
  return nullptr;
}

std::optional<Dwarf_Die> DwarfIndex::cu_at(uint64_t pc) {
  CuInfo* cu = cu_info_at(pc);
  if (!cu) return std::nullopt;
  Dwarf_Die die;
  if (!dwarf_offdie(dwarf_.get(), cu->die_offset, &die)) return std::nullopt;
  return die;
}

void DwarfIndex::index_cu(CuInfo& cu) {
  if (cu.indexed) return;
  cu.indexed = true;
  Dwarf_Die cudie;
  if (!dwarf_offdie(dwarf_.get(), cu.die_offset, &cudie)) return;
  // Go's producer looks like "Go cmd/compile go1.19.8; -N -l regabi";
  // "-N -l" means optimizations and inlining were disabled.
  if (auto producer = attr_string(&cudie, DW_AT_producer))
    cu.optimized = producer->find("-N -l") == std::string_view::npos;
  Dwarf_Die child;
  if (dwarf_child(&cudie, &child) != 0) return;
  do {
    if (dwarf_tag(&child) != DW_TAG_subprogram) continue;
    Dwarf_Addr low = 0;
    if (dwarf_lowpc(&child, &low) == 0) cu.subprograms.try_emplace(low, dwarf_dieoffset(&child));
  } while (dwarf_siblingof(&child, &child) == 0);
}

std::optional<DwarfIndex::Subprogram> DwarfIndex::subprogram_at(uint64_t entry) {
  CuInfo* cu = cu_info_at(entry);
  if (!cu) return std::nullopt;
  index_cu(*cu);
  auto it = cu->subprograms.find(entry);
  if (it == cu->subprograms.end()) return std::nullopt;
  Subprogram sp;
  if (!dwarf_offdie(dwarf_.get(), it->second, &sp.die) || !dwarf_offdie(dwarf_.get(), cu->die_offset, &sp.cu))
    return std::nullopt;
  sp.optimized = cu->optimized;
  return sp;
}

}  // namespace gotrace::symbols::detail
