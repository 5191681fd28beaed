#include "pclntab.h"

#include "byte_reader.h"
#include "text_util.h"

#include <algorithm>
#include <climits>

namespace gotrace::symbols::detail {
namespace {

constexpr uint32_t kMagic12 = 0xfffffffb;
constexpr uint32_t kMagic116 = 0xfffffffa;
constexpr uint32_t kMagic118 = 0xfffffff0;
constexpr uint32_t kMagic120 = 0xfffffff1;
constexpr uint8_t kFuncFlagAsm = 1 << 2;  // runtime funcFlag_ASM / abi.FuncFlagAsm

// Where the fields this reader uses sit in a _func, per layout. The entry
// comes first (uintptr before 1.18, uint32 offset since), then nameoff,
// args, deferreturn, pcsp, pcfile, pcln, npcdata as int32s; 1.16 adds
// cuOffset, 1.20 adds startLine after it, then the funcID and flag bytes
// (the flag byte is padding in Go 1.16, so reads as 0 there). `size` is
// the fixed part before pcdata/funcdata.
struct FuncLayout {
  uint64_t entry_size;
  uint64_t size;
  uint64_t func_id_at;
  bool has_cu;
  bool has_flag;
};

FuncLayout func_layout(PclnVersion v, uint64_t ptr) {
  switch (v) {
    case PclnVersion::go12: return {ptr, ptr + 32, ptr + 28, false, false};
    case PclnVersion::go116: return {ptr, ptr + 36, ptr + 32, true, true};
    case PclnVersion::go118: return {4, 40, 36, true, true};
    case PclnVersion::go120: return {4, 44, 40, true, true};
  }
  return {4, 44, 40, true, true};
}

uint64_t nameoff_at(const FuncLayout& l) { return l.entry_size; }
uint64_t args_at(const FuncLayout& l) { return l.entry_size + 4; }
uint64_t pcsp_at(const FuncLayout& l) { return l.entry_size + 12; }
uint64_t pcfile_at(const FuncLayout& l) { return l.entry_size + 16; }
uint64_t pcln_at(const FuncLayout& l) { return l.entry_size + 20; }
uint64_t cu_at(const FuncLayout& l) { return l.entry_size + 28; }

std::optional<PclnVersion> version_of(uint32_t magic) {
  switch (magic) {
    case kMagic12: return PclnVersion::go12;
    case kMagic116: return PclnVersion::go116;
    case kMagic118: return PclnVersion::go118;
    case kMagic120: return PclnVersion::go120;
    default: return std::nullopt;
  }
}

// One step of a pc-value table (runtime.step): a zigzag value delta, then a
// pc delta in units of the instruction quantum. A zero value delta ends the
// table, except as the first entry.
struct PcValueCursor {
  std::span<const uint8_t> data;
  uint64_t pos;
  uint64_t pc;
  uint32_t quantum;
  int32_t value = -1;
  bool first = true;

  // false at the end of the table; nullopt if malformed.
  std::optional<bool> step() {
    uint64_t at = pos;
    auto uv = read_uvarint(data, at, 35);
    if (!uv || *uv > UINT32_MAX) return std::nullopt;
    if (*uv == 0 && !first) return false;
    first = false;
    auto pcd = read_uvarint(data, at, 35);
    if (!pcd || *pcd > UINT32_MAX) return std::nullopt;
    pos = at;
    uint32_t u = static_cast<uint32_t>(*uv);
    uint32_t delta = (u & 1) ? ~(u >> 1) : (u >> 1);
    value = static_cast<int32_t>(static_cast<uint32_t>(value) + delta);
    pc += *pcd * quantum;
    return true;
  }
};

bool in_ranges(const std::vector<std::pair<uint64_t, uint64_t>>& ranges, uint64_t lo, uint64_t hi) {
  if (ranges.empty()) return true;
  return std::any_of(ranges.begin(), ranges.end(),
                     [&](const auto& r) { return r.first <= lo && hi <= r.second; });
}

class Parser {
 public:
  explicit Parser(const PclnInput& in) : in_(in), d_(in.data) {}

  Error corrupt(const std::string& what) const {
    return make_error(Errc::corrupt, cat("corrupt Go pc-line table (.gopclntab) in ", in_.what, ": ", what));
  }

  std::optional<uint64_t> word(uint64_t off, size_t n) const { return read_uint(d_, off, n); }

  // Where the pc table at `table` (an offset in pctab) ends, decoding it
  // for a function at `entry` that must end by `limit`.
  std::optional<uint64_t> table_end(uint64_t pctab, uint32_t table, uint64_t entry, uint64_t limit,
                                    uint32_t quantum) const {
    if (pctab + table >= d_.size()) return std::nullopt;
    PcValueCursor c{d_, pctab + table, entry, quantum};
    for (;;) {
      auto more = c.step();
      if (!more) return std::nullopt;
      if (!*more) return c.pc;
      if (c.pc > limit) return std::nullopt;
    }
  }

 private:
  const PclnInput& in_;
  std::span<const uint8_t> d_;
};

}  // namespace

std::optional<PclnTextStart> pcln_text_start(std::span<const uint8_t> data) {
  auto magic = read_uint(data, 0, 4);
  if (!magic || data.size() < 8) return std::nullopt;
  auto v = version_of(static_cast<uint32_t>(*magic));
  if (v != PclnVersion::go118 && v != PclnVersion::go120) return std::nullopt;
  uint64_t ptr = data[7];
  if (ptr != 4 && ptr != 8) return std::nullopt;
  auto value = read_uint(data, 8 + 2 * ptr, ptr);
  if (!value) return std::nullopt;
  return PclnTextStart{*value, 8 + 2 * ptr};
}

Result<PclnTable> PclnTable::parse(const PclnInput& in) {
  Parser p(in);
  std::span<const uint8_t> d = in.data;
  const uint64_t size = d.size();
  if (size < 16) return p.corrupt(cat("too short for its header (", std::to_string(size), " bytes)"));
  uint32_t magic = static_cast<uint32_t>(*read_uint(d, 0, 4));
  auto version = version_of(magic);
  if (!version) {
    if ((magic & 0xfffffff0u) == 0xfffffff0u)
      return make_error(Errc::unsupported, cat("unknown Go pc-line table version (magic ", hex(magic), ") in ",
                                               in.what, ": built by a Go release newer than gotrace knows?"));
    return p.corrupt(cat("bad magic ", hex(magic)));
  }
  if (d[4] != 0 || d[5] != 0) return p.corrupt("nonzero header padding");
  uint8_t quantum = d[6], ptr = d[7];
  if (quantum != 1 && quantum != 2 && quantum != 4)
    return p.corrupt(cat("bad instruction size quantum ", std::to_string(quantum)));
  if (ptr != 4 && ptr != 8) return p.corrupt(cat("bad pointer size ", std::to_string(ptr)));

  PclnTable t;
  t.data_ = d;
  t.version_ = *version;
  t.quantum_ = quantum;
  const bool go118 = *version == PclnVersion::go118 || *version == PclnVersion::go120;

  // Header words after the 8 fixed bytes.
  auto header_word = [&](uint64_t i) { return p.word(8 + i * ptr, ptr); };
  uint64_t nfunc = 0, names = 0, functab = 0, funcbase = 0, text_start = 0;
  if (*version == PclnVersion::go12) {
    nfunc = header_word(0).value_or(0);
    functab = 8 + ptr;
  } else {
    uint64_t nwords = go118 ? 8 : 7;
    if (size < 8 + nwords * ptr) return p.corrupt("too short for its header");
    uint64_t w = 0;
    nfunc = *header_word(w++);
    w++;  // nfiles: the cutab is indexed per compile unit instead
    if (go118) text_start = *header_word(w++);
    names = *header_word(w++);
    t.cutab_ = *header_word(w++);
    t.filetab_ = *header_word(w++);
    t.pctab_ = *header_word(w++);
    functab = *header_word(w++);
    funcbase = functab;
    for (uint64_t off : {names, t.cutab_, t.filetab_, t.pctab_, functab})
      if (off >= size) return p.corrupt(cat("header offset ", hex(off), " is past its end (", hex(size), ")"));
  }
  if (go118 && in.text_start != 0) text_start = in.text_start;
  if (go118 && text_start == 0)
    return make_error(Errc::unsupported, cat("the Go pc-line table of ", in.what,
                                             " records no text start, and no Go module data (.go.module) says where its code begins"));

  const uint64_t field = go118 ? 4 : ptr;
  if (nfunc == 0) return p.corrupt("it lists no functions");
  if (functab > size || nfunc > (size - functab) / (2 * field) || (2 * nfunc + 1) * field > size - functab)
    return p.corrupt(cat("its function table (", std::to_string(nfunc), " functions) does not fit"));
  if (*version == PclnVersion::go12) {
    auto fileoff = p.word(functab + (2 * nfunc + 1) * field, 4);
    if (!fileoff || *fileoff + 4 > size) return p.corrupt("its file table offset is out of range");
    t.filetab_ = *fileoff;
    t.nfiletab_ = *p.word(t.filetab_, 4);
    if (t.nfiletab_ > (size - t.filetab_) / 4) return p.corrupt("its file table does not fit");
  }

  const FuncLayout layout = func_layout(*version, ptr);
  auto entry_at = [&](uint64_t i) { return *p.word(functab + 2 * i * field, field) + (go118 ? text_start : 0); };
  t.functions_.reserve(nfunc);
  for (uint64_t i = 0; i < nfunc; ++i) {
    uint64_t entry = entry_at(i);
    uint64_t next = entry_at(i + 1);
    auto where = [&] { return cat("function ", std::to_string(i), " at ", hex(entry)); };
    if (next <= entry) return p.corrupt(cat(where(), ": function table not sorted (next entry ", hex(next), ")"));
    if (!in_ranges(in.text_ranges, entry, next)) return p.corrupt(cat(where(), ": outside the executable code"));
    uint64_t funcoff = *p.word(functab + (2 * i + 1) * field, field);
    if (funcoff > size - funcbase || layout.size > size - funcbase - funcoff)
      return p.corrupt(cat(where(), ": _func record out of range"));
    uint64_t off = funcbase + funcoff;
    uint64_t own_entry = *p.word(off, layout.entry_size) + (go118 ? text_start : 0);
    if (own_entry != entry)
      return p.corrupt(cat(where(), ": _func entry ", hex(own_entry), " disagrees with the function table"));

    PclnFunction f;
    f.entry = entry;
    auto nameoff = static_cast<int32_t>(*p.word(off + nameoff_at(layout), 4));
    auto name = nameoff < 0 ? std::nullopt : read_cstring(d, names + static_cast<uint64_t>(nameoff));
    if (!name || name->empty()) return p.corrupt(cat(where(), ": bad name offset ", std::to_string(nameoff)));
    f.name = std::string(*name);
    auto named = [&] { return cat(f.name, " at ", hex(entry)); };
    // ArgsSizeUnknown (INT32_MIN) marks assembly without a Go prototype.
    auto args = static_cast<int32_t>(*p.word(off + args_at(layout), 4));
    f.args = args > 0 ? static_cast<uint32_t>(args) : 0;
    auto pcsp = static_cast<uint32_t>(*p.word(off + pcsp_at(layout), 4));
    f.pcfile = static_cast<uint32_t>(*p.word(off + pcfile_at(layout), 4));
    f.pcln = static_cast<uint32_t>(*p.word(off + pcln_at(layout), 4));
    if (layout.has_cu) f.cu_offset = static_cast<uint32_t>(*p.word(off + cu_at(layout), 4));
    if (*version != PclnVersion::go12) f.func_id = d[off + layout.func_id_at];
    if (layout.has_flag) f.assembly = d[off + layout.func_id_at + 1] & kFuncFlagAsm;

    // The pc tables cover exactly the function's code; they must agree.
    // The linker writes all three for every function, or (in this reader's
    // tests) none, when the end is the next entry.
    int tables = (pcsp != 0) + (f.pcfile != 0) + (f.pcln != 0);
    if (tables != 0 && tables != 3) return p.corrupt(cat(named(), ": some of its pc tables are missing"));
    std::optional<uint64_t> end;
    for (uint32_t table : {pcsp, f.pcfile, f.pcln}) {
      if (table == 0) continue;
      auto e = p.table_end(t.pctab_, table, entry, next, quantum);
      if (!e || *e <= entry) return p.corrupt(cat(named(), ": malformed pc table at offset ", hex(table)));
      if (end && *end != *e)
        return p.corrupt(cat(named(), ": its pc tables end at different pcs (", hex(*end), ", ", hex(*e), ")"));
      end = e;
    }
    f.end = end.value_or(next);
    t.functions_.push_back(std::move(f));
  }
  return t;
}

const PclnFunction* PclnTable::function_at(uint64_t pc) const {
  auto it = std::upper_bound(functions_.begin(), functions_.end(), pc,
                             [](uint64_t v, const PclnFunction& f) { return v < f.entry; });
  if (it == functions_.begin()) return nullptr;
  const PclnFunction& f = *std::prev(it);
  return pc < f.end ? &f : nullptr;
}

std::optional<int32_t> PclnTable::value_at(uint32_t table, uint64_t entry, uint64_t pc) const {
  if (table == 0 || pctab_ + table >= data_.size()) return std::nullopt;
  PcValueCursor c{data_, pctab_ + table, entry, quantum_};
  for (;;) {
    auto more = c.step();
    if (!more || !*more) return std::nullopt;
    if (pc < c.pc) return c.value;
  }
}

std::optional<std::string_view> PclnTable::file_name(const PclnFunction& f, int32_t fileno) const {
  if (version_ == PclnVersion::go12) {
    // Entry 0 of the Go 1.2 file table holds its length.
    if (fileno <= 0 || static_cast<uint64_t>(fileno) >= nfiletab_) return std::nullopt;
    auto off = read_uint(data_, filetab_ + 4 * static_cast<uint64_t>(fileno), 4);
    if (!off) return std::nullopt;
    return read_cstring(data_, *off);
  }
  if (fileno < 0) return std::nullopt;
  auto off = read_uint(data_, cutab_ + 4 * (uint64_t{f.cu_offset} + static_cast<uint64_t>(fileno)), 4);
  if (!off || *off == UINT32_MAX) return std::nullopt;
  return read_cstring(data_, filetab_ + *off);
}

std::optional<SourceLine> PclnTable::line_at(uint64_t pc) const {
  const PclnFunction* f = function_at(pc);
  if (!f) return std::nullopt;
  auto fileno = value_at(f->pcfile, f->entry, pc);
  auto line = value_at(f->pcln, f->entry, pc);
  if (!fileno || !line || *line <= 0) return std::nullopt;
  auto file = file_name(*f, *fileno);
  if (!file || file->empty()) return std::nullopt;
  return SourceLine{std::string(*file), *line};
}

}  // namespace gotrace::symbols::detail
