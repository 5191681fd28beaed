#include "fixture_dir.h"
#include "fixture.h"

#include <algorithm>
#include <cstring>
#include <fstream>

namespace gotrace::symbols {
namespace {

using testing::fixture;
using testing::fixture_path;

class TypesBinary : public ::testing::TestWithParam<const char*> {
 protected:
  const Binary& bin() { return fixture(GetParam()); }
};

TEST_P(TypesBinary, Basics) {
  EXPECT_EQ(bin().path(), fixture_path(GetParam()));
  EXPECT_EQ(bin().machine(), Machine::amd64);
  EXPECT_FALSE(bin().is_pie());
  EXPECT_TRUE(bin().has_dwarf());
  EXPECT_EQ(bin().go_version(), gotrace::testing::go_version());
}

TEST_P(TypesBinary, FunctionsSortedByNameAbi0ByItsGoName) {
  auto fns = bin().functions();
  ASSERT_GT(fns.size(), 100u);
  EXPECT_TRUE(std::is_sorted(fns.begin(), fns.end(),
                             [](const Function& a, const Function& b) { return a.name < b.name; }));
  for (const auto& f : fns) {
    EXPECT_FALSE(f.name.ends_with(".abi0")) << f.name;
    EXPECT_LT(f.entry, f.end) << f.name;
  }
  for (const std::string& name :
       {std::string("main.ints"), std::string("main.(*Counter).Add"), std::string("main.Point.Sum"),
        gotrace::testing::shaped("main.Max[go.shape.int_0]"), gotrace::testing::shaped("main.Max[go.shape.float64_0]"),
        std::string("main.main"), std::string("main.main.func1"), std::string("runtime.casgstatus")}) {
    const Function* f = bin().find_function(name);
    ASSERT_NE(f, nullptr) << name;
    EXPECT_EQ(f->name, name);
    EXPECT_EQ(bin().function_at(f->entry), f) << name;
    EXPECT_EQ(bin().function_at(f->end - 1), f) << name;
  }
  // Assembly only (ABI0): listed by its Go name, marked.
  const Function* rt0 = bin().find_function("runtime.rt0_go");
  ASSERT_NE(rt0, nullptr);
  EXPECT_TRUE(rt0->abi0);
  EXPECT_EQ(rt0->entry, bin().symbol_address("runtime.rt0_go.abi0"));
  EXPECT_EQ(bin().find_function("runtime.rt0_go.abi0"), nullptr);
  // Both an ABIInternal wrapper and the ABI0 body: only the wrapper, which Go
  // callers go through.
  const Function* args = bin().find_function("runtime.args");
  ASSERT_NE(args, nullptr);
  EXPECT_FALSE(args->abi0);
  EXPECT_EQ(args->entry, bin().symbol_address("runtime.args"));
  EXPECT_NE(args->entry, bin().symbol_address("runtime.args.abi0"));
  EXPECT_FALSE(bin().find_function("main.ints")->abi0);
  EXPECT_EQ(bin().find_function("main.nosuch"), nullptr);
  EXPECT_EQ(bin().function_at(0), nullptr);
}

TEST_P(TypesBinary, SymbolAddressIncludesAbi0) {
  auto rt0 = bin().symbol_address("runtime.rt0_go.abi0");
  ASSERT_TRUE(rt0.has_value());
  EXPECT_NE(*rt0, 0u);
  EXPECT_EQ(bin().symbol_address("runtime.deferreturn"), bin().find_function("runtime.deferreturn")->entry);
  EXPECT_FALSE(bin().symbol_address("no.such.symbol").has_value());
}

TEST_P(TypesBinary, FileOffsetNonPie) {
  const Function* f = bin().find_function("main.ints");
  ASSERT_NE(f, nullptr);
  ASSERT_GE(f->entry, 0x400000u);
  ASSERT_LT(f->entry, 0x500000u);
  auto off = bin().file_offset(f->entry);
  ASSERT_TRUE(off) << off.error().message;
  EXPECT_EQ(*off, f->entry - 0x400000);
  EXPECT_FALSE(bin().file_offset(0x10));
  EXPECT_EQ(bin().file_offset(0x10).error().code, Errc::not_found);
}

TEST_P(TypesBinary, CodeMatchesFileBytes) {
  const Function* f = bin().find_function("main.ints");
  auto code = bin().code(*f);
  ASSERT_TRUE(code) << code.error().message;
  EXPECT_EQ(code->size(), f->end - f->entry);
  std::ifstream in(fixture_path(GetParam()), std::ios::binary);
  in.seekg(static_cast<std::streamoff>(*bin().file_offset(f->entry)));
  std::vector<char> want(code->size());
  in.read(want.data(), static_cast<std::streamsize>(want.size()));
  EXPECT_TRUE(std::equal(want.begin(), want.end(), code->begin(),
                         [](char a, uint8_t b) { return static_cast<uint8_t>(a) == b; }));
}

// Go 1.24+ linkers bracket the FIPS module with one-byte "functions" in
// .symtab and the pc-line table; they are not functions (Go 1.19 has none).
TEST_P(TypesBinary, LinkerMarkersAreNotFunctions) {
  for (const char* name : {"go:textfipsstart", "go:textfipsend"}) EXPECT_EQ(bin().find_function(name), nullptr);
  for (const Function& f : bin().functions()) EXPECT_FALSE(f.name.starts_with("go:textfips")) << f.name;
}

TEST_P(TypesBinary, StaticData) {
  // runtime.buildVersion is a Go string header in .data pointing at rodata.
  auto addr = bin().symbol_address("runtime.buildVersion");
  ASSERT_TRUE(addr);
  auto hdr = bin().static_data(*addr, 16);
  ASSERT_TRUE(hdr);
  uint64_t ptr = 0, len = 0;
  std::memcpy(&ptr, hdr->data(), 8);
  std::memcpy(&len, hdr->data() + 8, 8);
  ASSERT_EQ(len, gotrace::testing::go_version().size());
  auto str = bin().static_data(ptr, len);
  ASSERT_TRUE(str);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(str->data()), str->size()), gotrace::testing::go_version());
  // .bss is not file-backed.
  auto bss = bin().symbol_address("runtime.bss");
  ASSERT_TRUE(bss);
  EXPECT_FALSE(bin().static_data(*bss + 64, 8));
  EXPECT_FALSE(bin().static_data(0, 8));
}

INSTANTIATE_TEST_SUITE_P(Fixtures, TypesBinary, ::testing::Values("types-O", "types-N"));

TEST(BinaryOpen, MissingFile) {
  auto r = Binary::open("/nonexistent/gotrace/prog");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::not_found);
  EXPECT_EQ(r.error().message, "no such file: /nonexistent/gotrace/prog");
}

TEST(BinaryOpen, TextFile) {
  std::string path = std::string(GOTRACE_SOURCE_DIR) + "/tests/fixtures/go/types/main.go";
  auto r = Binary::open(path);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::unsupported);
  EXPECT_EQ(r.error().message, "not an ELF file: " + path);
}

TEST(BinaryOpen, EmptyFileAndDirectory) {
  auto path = std::filesystem::path(gotrace::testing::fixture_dir()) / "symbols_test_empty";
  std::ofstream(path).close();
  auto r = Binary::open(path.string());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::unsupported);
  EXPECT_EQ(r.error().message, "not an ELF file: " + path.string());
  auto d = Binary::open(gotrace::testing::fixture_dir());
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code, Errc::unsupported);
}

TEST(BinaryOpen, NonGoElf) {
  auto r = Binary::open("/bin/true");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::unsupported);
  EXPECT_EQ(r.error().message, "not a Go binary (no .go.buildinfo or .gopclntab): /bin/true");
}

}  // namespace
}  // namespace gotrace::symbols
