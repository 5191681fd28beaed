// The .gopclntab parser on hand-built tables in every layout, and on every
// truncation and single-byte corruption of them.
#include "pclntab_blob.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <functional>
#include <sstream>

namespace gotrace::symbols {
namespace {

using detail::PclnFunction;
using detail::PclnVersion;
using detail::PclnInput;
using detail::PclnTable;
using testing::BlobFunc;
using testing::BlobSpec;
using testing::build_pclntab;

constexpr uint64_t kText = 0x401000;

// Four functions: one plain, one with inlined code from a second file, an
// assembly one with an unknown argument size after a gap of padding, and a
// last one without pc tables (its end is the table's text end).
BlobSpec spec_for(PclnVersion v, uint8_t quantum = 1) {
  BlobSpec s;
  s.version = v;
  s.quantum = quantum;
  s.text = kText;
  s.text_end = 0x90;
  s.funcs = {
      {"main.add", 0x00, 16, 0, 0, 0, {"/src/main.go"}, {{0x08, 10, 0}, {0x14, 11, 0}, {0x20, 12, 0}}},
      // startLine 0x0404 puts 4s where Go 1.18 keeps funcID and flag: a
      // reader using the 1.18 offsets on a 1.20 table would see assembly.
      {"main.(*T).inl",
       0x20,
       24,
       0,
       0,
       0x0404,
       {"/src/main.go", "/src/util/util.go"},
       {{0x10, 20, 0}, {0x20, 7, 1}, {0x30, 21, 0}}},
      {"runtime.asmfn", 0x60, INT32_MIN, 21, 4, 0, {"/go/src/runtime/asm_amd64.s"}, {{0x10, 30, 0}}},
      {"main.notables", 0x70, 8, 0, 0, 0, {}, {}},
  };
  return s;
}

PclnInput input(const std::vector<uint8_t>& blob, uint64_t lo = kText, uint64_t hi = kText + 0x90) {
  return PclnInput{blob, "blob", 0, {{lo, hi}}};
}

std::string describe(const PclnFunction& f) {
  std::ostringstream o;
  o << f.name << " " << std::hex << f.entry << "-" << f.end << std::dec << " args=" << f.args
    << " id=" << int(f.func_id) << (f.assembly ? " asm" : "");
  return o.str();
}

std::vector<std::string> describe(const PclnTable& t) {
  std::vector<std::string> out;
  for (const auto& f : t.functions()) out.push_back(describe(f));
  return out;
}

std::string line(const PclnTable& t, uint64_t pc) {
  auto l = t.line_at(pc);
  return l ? l->file + ":" + std::to_string(l->line) : "none";
}

class Layouts : public ::testing::TestWithParam<PclnVersion> {};

TEST_P(Layouts, FunctionsFromEachLayout) {
  auto blob = build_pclntab(spec_for(GetParam()));
  auto t = PclnTable::parse(input(blob));
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->version(), GetParam());
  EXPECT_EQ(t->quantum(), 1);
  bool go12 = GetParam() == PclnVersion::go12;
  // Go 1.2's _func has no funcID or flag byte.
  std::vector<std::string> want = {
      "main.add 401000-401020 args=16 id=0",
      "main.(*T).inl 401020-401050 args=24 id=0",
      go12 ? "runtime.asmfn 401060-401070 args=0 id=0" : "runtime.asmfn 401060-401070 args=0 id=21 asm",
      "main.notables 401070-401090 args=8 id=0",
  };
  EXPECT_EQ(describe(*t), want);
}

TEST_P(Layouts, LinesFromEachLayout) {
  auto blob = build_pclntab(spec_for(GetParam()));
  auto t = PclnTable::parse(input(blob));
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(line(*t, kText + 0x00), "/src/main.go:10");
  EXPECT_EQ(line(*t, kText + 0x07), "/src/main.go:10");
  EXPECT_EQ(line(*t, kText + 0x08), "/src/main.go:11");
  EXPECT_EQ(line(*t, kText + 0x1f), "/src/main.go:12");
  EXPECT_EQ(line(*t, kText + 0x20), "/src/main.go:20");
  EXPECT_EQ(line(*t, kText + 0x30), "/src/util/util.go:7");
  EXPECT_EQ(line(*t, kText + 0x3f), "/src/util/util.go:7");
  EXPECT_EQ(line(*t, kText + 0x40), "/src/main.go:21");
  EXPECT_EQ(line(*t, kText + 0x4f), "/src/main.go:21");
  EXPECT_EQ(line(*t, kText + 0x50), "none");  // padding after main.(*T).inl
  EXPECT_EQ(line(*t, kText + 0x60), "/go/src/runtime/asm_amd64.s:30");
  EXPECT_EQ(line(*t, kText + 0x70), "none");  // no pc tables
  EXPECT_EQ(line(*t, kText - 1), "none");
  EXPECT_EQ(line(*t, kText + 0x90), "none");
  EXPECT_EQ(t->function_at(kText + 0x4f)->name, "main.(*T).inl");
  EXPECT_EQ(t->function_at(kText + 0x50), nullptr);
  EXPECT_EQ(t->function_at(kText + 0x8f)->name, "main.notables");
}

TEST_P(Layouts, EveryTruncationIsCorrupt) {
  auto blob = build_pclntab(spec_for(GetParam()));
  for (size_t len = 0; len < blob.size(); ++len) {
    std::vector<uint8_t> cut(blob.begin(), blob.begin() + static_cast<std::ptrdiff_t>(len));
    auto t = PclnTable::parse(input(cut));
    ASSERT_FALSE(t) << "cut at " << len << " of " << blob.size();
    EXPECT_EQ(t.error().code, Errc::corrupt) << "cut at " << len << ": " << t.error().message;
  }
}

// A damaged byte may go unnoticed in a name, a line or an argument size,
// but never in an address: either the table is refused or every function
// keeps its entry and end.
TEST_P(Layouts, EveryByteFlipIsRefusedOrKeepsAddresses) {
  auto blob = build_pclntab(spec_for(GetParam()));
  auto good = PclnTable::parse(input(blob));
  ASSERT_TRUE(good);
  int refused = 0;
  for (size_t i = 0; i < blob.size(); ++i) {
    for (uint8_t mask : {0x01, 0x80, 0xff}) {
      auto bad = blob;
      bad[i] ^= mask;
      auto t = PclnTable::parse(input(bad));
      if (!t) {
        ++refused;
        EXPECT_TRUE(t.error().code == Errc::corrupt || t.error().code == Errc::unsupported)
            << i << ": " << t.error().message;
        continue;
      }
      ASSERT_EQ(t->functions().size(), good->functions().size()) << "byte " << i << " ^ " << int(mask);
      for (size_t k = 0; k < good->functions().size(); ++k) {
        EXPECT_EQ(t->functions()[k].entry, good->functions()[k].entry) << "byte " << i << " ^ " << int(mask);
        EXPECT_EQ(t->functions()[k].end, good->functions()[k].end) << "byte " << i << " ^ " << int(mask);
      }
      for (uint64_t pc = kText; pc < kText + 0x90; ++pc) (void)t->line_at(pc);
    }
  }
  EXPECT_GT(refused, 0);
}

std::string layout_name(const ::testing::TestParamInfo<PclnVersion>& info) {
  static const char* const names[] = {"go12", "go116", "go118", "go120"};
  return names[static_cast<int>(info.param)];
}

INSTANTIATE_TEST_SUITE_P(Pclntab, Layouts,
                         ::testing::Values(PclnVersion::go12, PclnVersion::go116, PclnVersion::go118,
                                           PclnVersion::go120),
                         layout_name);

TEST(Pclntab, QuantumScalesPcDeltas) {
  // arm64 tables count pc deltas in 4-byte instructions.
  auto blob = build_pclntab(spec_for(PclnVersion::go118, 4));
  auto t = PclnTable::parse(input(blob));
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->quantum(), 4);
  EXPECT_EQ(describe(*t)[1], "main.(*T).inl 401020-401050 args=24 id=0");
  EXPECT_EQ(line(*t, kText + 0x2c), "/src/main.go:20");
  EXPECT_EQ(line(*t, kText + 0x30), "/src/util/util.go:7");
}

TEST(Pclntab, TextStartFromInputOverridesHeader) {
  auto spec = spec_for(PclnVersion::go120);
  spec.header_text = 0x999000;
  auto blob = build_pclntab(spec);
  auto from_header = PclnTable::parse(input(blob, 0x999000, 0x999090));
  ASSERT_TRUE(from_header) << from_header.error().message;
  EXPECT_EQ(from_header->functions()[0].entry, 0x999000u);
  PclnInput in = input(blob);
  in.text_start = kText;
  auto t = PclnTable::parse(in);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->functions()[0].entry, kText);
  EXPECT_EQ(detail::pcln_text_start(blob)->value, 0x999000u);
  EXPECT_EQ(detail::pcln_text_start(blob)->offset, 24u);
  EXPECT_FALSE(detail::pcln_text_start(build_pclntab(spec_for(PclnVersion::go116))));
}

// The header word at `word` (after the 8 fixed bytes): region offsets.
uint64_t header_word(const std::vector<uint8_t>& blob, int word) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | blob[8 + 8 * word + i];
  return v;
}

// One way to damage a table, and what parsing it must say.
struct Damage {
  const char* what;
  PclnVersion version;
  std::function<void(BlobSpec&)> spec;
  std::function<void(std::vector<uint8_t>&)> bytes;
  Errc code;
  std::string message;  // after "corrupt Go pc-line table (.gopclntab) in blob: " for Errc::corrupt
  uint64_t text_hi = kText + 0x90;
};

const Damage kDamages[] = {
    {"bad magic", PclnVersion::go118, {}, [](auto& b) { b[0] = 0x0f; }, Errc::corrupt, "bad magic 0xffffff0f"},
    {"magic of a later Go", PclnVersion::go118, {}, [](auto& b) { b[0] = 0xf2; }, Errc::unsupported,
     "unknown Go pc-line table version (magic 0xfffffff2) in blob: built by a Go release newer than gotrace "
     "knows?"},
    {"unrelocated text start", PclnVersion::go118, [](auto& s) { s.text = 0; }, {}, Errc::unsupported,
     "the Go pc-line table of blob records no text start, and no Go module data (.go.module) says where its code "
     "begins",
     0x90},
    // The _func records follow the functab (9 u32 entries), 40 bytes each.
    {"_func entry", PclnVersion::go118, {}, [](auto& b) { b[header_word(b, 7) + 9 * 4 + 40] += 1; }, Errc::corrupt,
     "function 1 at 0x401020: _func entry 0x401021 disagrees with the function table"},
    {"unsorted", PclnVersion::go116, {}, [](auto& b) { b[header_word(b, 6) + 2 * 8 * 2] = 0x20; }, Errc::corrupt,
     "function 1 at 0x401020: function table not sorted (next entry 0x401020)"},
    {"outside the text", PclnVersion::go12, {}, {}, Errc::corrupt,
     "function 3 at 0x401070: outside the executable code", kText + 0x80},
    {"pc tables disagree", PclnVersion::go120, [](auto& s) { s.funcs[0].sp_end = 0x10; }, {}, Errc::corrupt,
     "main.add at 0x401000: its pc tables end at different pcs (0x401010, 0x401020)"},
    {"pc tables overrun", PclnVersion::go118, [](auto& s) { s.funcs[0].rows.back().end = 0x24; }, {},
     Errc::corrupt, "main.add at 0x401000: malformed pc table at offset 0x1"},
    {"huge function count", PclnVersion::go118, {}, [](auto& b) { std::fill(b.begin() + 8, b.begin() + 16, 0xff); },
     Errc::corrupt, "its function table (18446744073709551615 functions) does not fit"},
    {"negative name offset", PclnVersion::go118, {},
     [](auto& b) { std::fill_n(b.begin() + static_cast<std::ptrdiff_t>(header_word(b, 7) + 9 * 4 + 4), 4, 0xff); },
     Errc::corrupt, "function 0 at 0x401000: bad name offset -1"},
    {"missing pc table", PclnVersion::go116, {},
     [](auto& b) { std::fill_n(b.begin() + static_cast<std::ptrdiff_t>(header_word(b, 6) + 9 * 8 + 8 + 16), 4, 0); },
     Errc::corrupt, "main.add at 0x401000: some of its pc tables are missing"},
};

TEST(Pclntab, DamagedTables) {
  for (const Damage& d : kDamages) {
    SCOPED_TRACE(d.what);
    auto spec = spec_for(d.version);
    if (d.spec) d.spec(spec);
    auto blob = build_pclntab(spec);
    if (d.bytes) d.bytes(blob);
    auto t = PclnTable::parse(input(blob, spec.text, d.text_hi));
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error().code, d.code);
    EXPECT_EQ(t.error().message,
              d.code == Errc::corrupt ? "corrupt Go pc-line table (.gopclntab) in blob: " + d.message : d.message);
  }
}

}  // namespace
}  // namespace gotrace::symbols
