// DwarfIndex: the Dwarf handle plus the lazily built lookup structures.
//
// Go 1.19 emits no .debug_aranges, so dwarf_addrdie cannot find a CU by
// PC with libdw 0.188. The first address lookup reads only the CU header
// DIEs (their DW_AT_ranges); a CU's subprograms are indexed the first time
// a PC inside it is asked for. Not thread-safe: Binary serializes calls.
#pragma once

#include "elf_file.h"

#include <elfutils/libdw.h>

#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

namespace gotrace::symbols::detail {

struct DwarfDeleter {
  void operator()(Dwarf* d) const { dwarf_end(d); }
};
using DwarfHandle = std::unique_ptr<Dwarf, DwarfDeleter>;

// Go's DWARF extensions (cmd/internal/dwarf).
inline constexpr unsigned DW_AT_go_kind = 0x2900;
inline constexpr unsigned DW_AT_go_key = 0x2901;
inline constexpr unsigned DW_AT_go_elem = 0x2902;
inline constexpr unsigned DW_AT_go_embedded_field = 0x2903;
inline constexpr unsigned DW_AT_go_runtime_type = 0x2904;

class DwarfIndex {
 public:
  // `file` must outlive the index (libdw keeps pointers into its Elf).
  static Result<std::unique_ptr<DwarfIndex>> open(const ElfFile& file);

  Dwarf* dwarf() const { return dwarf_.get(); }
  // Offsets of every CU DIE, in file order.
  const std::vector<Dwarf_Off>& cu_dies();
  std::optional<Dwarf_Die> cu_at(uint64_t pc);
  struct Subprogram {
    Dwarf_Die die;
    Dwarf_Die cu;
    bool optimized = true;
  };
  std::optional<Subprogram> subprogram_at(uint64_t entry);

 private:
  struct CuInfo {
    Dwarf_Off die_offset = 0;
    bool indexed = false;
    bool optimized = true;
    std::unordered_map<uint64_t, Dwarf_Off> subprograms;  // low_pc -> DIE
  };
  struct Range {
    uint64_t lo = 0, hi = 0;
    size_t cu = 0;
  };
  void load_cus();
  CuInfo* cu_info_at(uint64_t pc);
  void index_cu(CuInfo& cu);

  DwarfHandle dwarf_;
  bool cus_loaded_ = false;
  std::vector<Dwarf_Off> cu_dies_;
  std::vector<CuInfo> cus_;
  std::vector<Range> ranges_;  // sorted by lo
};

// Small attribute helpers shared by the DWARF readers.
std::optional<std::string_view> attr_string(Dwarf_Die* die, unsigned name);
std::optional<uint64_t> attr_udata(Dwarf_Die* die, unsigned name);
bool attr_flag(Dwarf_Die* die, unsigned name);
std::optional<Dwarf_Die> attr_ref(Dwarf_Die* die, unsigned name);

}  // namespace gotrace::symbols::detail
