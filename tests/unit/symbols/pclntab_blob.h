// Hand-built .gopclntab tables in each layout gotrace reads (Go 1.2, 1.16,
// 1.18, 1.20), for the layouts no Go toolchain here can produce. 64-bit,
// little-endian, in the region order the Go linker uses.
#pragma once

#include "internal.h"

#include <cstdint>
#include <string>
#include <vector>

namespace gotrace::symbols::testing {

using detail::PclnVersion;

struct BlobRow {
  uint32_t end;  // from the function's entry
  int32_t line;
  int32_t file;  // index into BlobFunc::files
};

struct BlobFunc {
  std::string name;
  uint32_t off = 0;  // from the text start
  int32_t args = 0;
  uint8_t func_id = 0;
  uint8_t flag = 0;
  int32_t start_line = 0;  // Go 1.20's _func.startLine
  std::vector<std::string> files;  // the function's compile unit
  std::vector<BlobRow> rows;       // empty: no pc tables at all
  uint32_t sp_end = 0;             // pcsp table end if not the last row's
};

struct BlobSpec {
  PclnVersion version = PclnVersion::go118;
  uint8_t quantum = 1;
  uint64_t text = 0x401000;
  uint32_t text_end = 0;  // the functab's final entry, from text
  uint64_t header_text = 0;  // 1.18+ header textStart; 0: `text`
  std::vector<BlobFunc> funcs;
};

class BlobWriter {
 public:
  std::vector<uint8_t> bytes;
  void u8(uint8_t v) { bytes.push_back(v); }
  void u32(uint32_t v) {
    for (int i = 0; i < 4; ++i) u8(static_cast<uint8_t>(v >> (8 * i)));
  }
  void u64(uint64_t v) {
    for (int i = 0; i < 8; ++i) u8(static_cast<uint8_t>(v >> (8 * i)));
  }
  void uvarint(uint64_t v) {
    for (; v >= 0x80; v >>= 7) u8(static_cast<uint8_t>(v | 0x80));
    u8(static_cast<uint8_t>(v));
  }
  uint32_t cstring(const std::string& s) {
    auto at = static_cast<uint32_t>(bytes.size());
    bytes.insert(bytes.end(), s.begin(), s.end());
    u8(0);
    return at;
  }
  size_t size() const { return bytes.size(); }
};

// A pc-value table: (end pc, value) rows, consecutive equal values merged.
inline std::vector<uint8_t> pc_value_table(const std::vector<std::pair<uint32_t, int32_t>>& rows, uint8_t quantum) {
  BlobWriter w;
  int32_t prev = -1;
  uint32_t pc = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (i + 1 < rows.size() && rows[i + 1].second == rows[i].second) continue;
    int32_t d = rows[i].second - prev;
    w.uvarint((static_cast<uint32_t>(d) << 1) ^ static_cast<uint32_t>(d >> 31));
    w.uvarint((rows[i].first - pc) / quantum);
    prev = rows[i].second;
    pc = rows[i].first;
  }
  w.u8(0);
  return w.bytes;
}

inline std::vector<uint8_t> build_pclntab(const BlobSpec& spec) {
  const bool go12 = spec.version == PclnVersion::go12;
  const bool go118 = spec.version == PclnVersion::go118 || spec.version == PclnVersion::go120;
  const size_t n = spec.funcs.size();

  // Names and file strings, cutab (1.16+) or the global file list (1.2),
  // and the pc tables, each addressed from the start of its own region.
  BlobWriter names, files, pctab, cutab;
  std::vector<uint32_t> name_off(n), cu_off(n), sp(n), file(n), line(n);
  std::vector<uint32_t> global_files;  // Go 1.2: string offsets, numbered from 1
  if (!go12) pctab.u8(0);              // offset 0 means "no table"
  for (size_t i = 0; i < n; ++i) {
    const BlobFunc& f = spec.funcs[i];
    name_off[i] = names.cstring(f.name);
    std::vector<int32_t> fileno;
    cu_off[i] = static_cast<uint32_t>(cutab.size() / 4);
    for (const auto& path : f.files) {
      uint32_t at = (go12 ? names : files).cstring(path);
      if (go12) {
        global_files.push_back(at);
        fileno.push_back(static_cast<int32_t>(global_files.size()));
      } else {
        cutab.u32(at);
        fileno.push_back(static_cast<int32_t>(fileno.size()));
      }
    }
    if (f.rows.empty()) continue;
    std::vector<std::pair<uint32_t, int32_t>> frows, lrows;
    for (const auto& r : f.rows) {
      frows.emplace_back(r.end, fileno[r.file]);
      lrows.emplace_back(r.end, r.line);
    }
    auto put = [&](const std::vector<uint8_t>& table) {
      auto at = static_cast<uint32_t>(pctab.size());
      pctab.bytes.insert(pctab.bytes.end(), table.begin(), table.end());
      return at;
    };
    sp[i] = put(pc_value_table({{f.sp_end ? f.sp_end : f.rows.back().end, 8}}, spec.quantum));
    file[i] = put(pc_value_table(frows, spec.quantum));
    line[i] = put(pc_value_table(lrows, spec.quantum));
  }

  const uint64_t field = go118 ? 4 : 8;
  const uint64_t func_size = go12 ? 40 : spec.version == PclnVersion::go116 ? 44
                                     : spec.version == PclnVersion::go118   ? 40
                                                                            : 44;
  const uint64_t functab_size = (2 * n + 1) * field;
  BlobWriter out;
  uint32_t magic = go12 ? 0xfffffffb : spec.version == PclnVersion::go116 ? 0xfffffffa
                                     : spec.version == PclnVersion::go118 ? 0xfffffff0
                                                                          : 0xfffffff1;
  out.u32(magic);
  out.u8(0);
  out.u8(0);
  out.u8(spec.quantum);
  out.u8(8);

  // Region bases, in the order the linker writes them.
  uint64_t header = go12 ? 16 : go118 ? 8 + 8 * 8 : 8 + 7 * 8;
  uint64_t names_at, cutab_at = 0, files_at = 0, pctab_at, functab_at, funcs_at, filetab12_at = 0;
  if (go12) {
    functab_at = header;
    funcs_at = functab_at + functab_size + 4;
    filetab12_at = funcs_at + n * func_size;
    names_at = filetab12_at + 4 * (global_files.size() + 1);
    pctab_at = names_at + names.size();
  } else {
    names_at = header;
    cutab_at = names_at + names.size();
    files_at = cutab_at + cutab.size();
    pctab_at = files_at + files.size();
    functab_at = pctab_at + pctab.size();
    funcs_at = functab_at + functab_size;
  }
  auto entry = [&](uint64_t off) { return go118 ? off : spec.text + off; };
  auto put_field = [&](uint64_t v) { field == 4 ? out.u32(static_cast<uint32_t>(v)) : out.u64(v); };
  // Table offsets: from the start of the table in Go 1.2, else from pctab.
  auto pc = [&](uint32_t rel, bool has) { return !has ? 0u : static_cast<uint32_t>(go12 ? pctab_at + rel : rel); };

  if (go12) {
    out.u64(n);
  } else {
    out.u64(n);
    out.u64(0);  // nfiles
    if (go118) out.u64(spec.header_text ? spec.header_text : spec.text);
    for (uint64_t v : {names_at, cutab_at, files_at, pctab_at, functab_at}) out.u64(v);
  }
  for (size_t i = 0; i < n; ++i) {
    put_field(entry(spec.funcs[i].off));
    put_field((go12 ? funcs_at : funcs_at - functab_at) + i * func_size);
  }
  put_field(entry(spec.text_end));
  if (go12) out.u32(static_cast<uint32_t>(filetab12_at));

  for (size_t i = 0; i < n; ++i) {
    const BlobFunc& f = spec.funcs[i];
    bool has = !f.rows.empty();
    go118 ? out.u32(f.off) : out.u64(spec.text + f.off);
    out.u32(static_cast<uint32_t>(go12 ? names_at + name_off[i] : name_off[i]));
    out.u32(static_cast<uint32_t>(f.args));
    out.u32(0);  // deferreturn (frame in Go 1.2)
    out.u32(pc(sp[i], has));
    out.u32(pc(file[i], has));
    out.u32(pc(line[i], has));
    out.u32(0);  // npcdata
    if (go12) {
      out.u32(0);  // nfuncdata
      continue;
    }
    out.u32(cu_off[i]);
    if (spec.version == PclnVersion::go120) out.u32(static_cast<uint32_t>(f.start_line));
    out.u8(f.func_id);
    out.u8(f.flag);
    out.u8(0);
    out.u8(0);  // nfuncdata
  }
  if (go12) {
    out.u32(static_cast<uint32_t>(global_files.size() + 1));
    for (uint32_t at : global_files) out.u32(static_cast<uint32_t>(names_at + at));
    out.bytes.insert(out.bytes.end(), names.bytes.begin(), names.bytes.end());
    out.bytes.insert(out.bytes.end(), pctab.bytes.begin(), pctab.bytes.end());
  } else {
    std::vector<uint8_t> tail;
    for (auto* r : {&names, &cutab, &files, &pctab}) tail.insert(tail.end(), r->bytes.begin(), r->bytes.end());
    // The string and table regions sit between the header and the functab.
    out.bytes.insert(out.bytes.begin() + static_cast<std::ptrdiff_t>(header), tail.begin(), tail.end());
  }
  return out.bytes;
}

}  // namespace gotrace::symbols::testing
