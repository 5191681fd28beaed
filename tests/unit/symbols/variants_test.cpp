// The same program with DWARF stored differently, and as PIE.
#include "fixture.h"

#include <fstream>
#include <sstream>

namespace gotrace::symbols {
namespace {

using testing::fixture;
using testing::variant;

std::string describe(const Signature& s) {
  std::ostringstream out;
  auto one = [&](const Variable& v) {
    out << v.name << ":" << v.type->name << "/" << static_cast<int>(v.type->kind) << "/" << v.type->size << "/"
        << v.type->align << " ";
  };
  for (const auto& v : s.params) one(v);
  out << "-> ";
  for (const auto& v : s.results) one(v);
  out << "@" << s.decl.line << (s.optimized ? " O" : " N") << (s.has_dictionary ? " dict" : "");
  return out.str();
}

std::string describe_all(const Binary& b) {
  std::string out;
  for (const std::string& fn : {std::string("main.ints"), std::string("main.strs"), std::string("main.structs"),
                                std::string("main.slices"), std::string("main.errs"), std::string("main.ifaces"),
                                std::string("main.maps"), std::string("main.multi"),
                                gotrace::testing::shaped("main.Max[go.shape.int_0]"), std::string("runtime.casgstatus")}) {
    const Function* f = b.find_function(fn);
    if (!f) return std::string("missing ") + fn;
    auto s = b.signature(*f);
    if (!s) return s.error().message;
    out += std::string(fn) + " " + describe(*s) + "\n";
  }
  return out;
}

std::string section_flags(const std::string& path) {
  std::string log = path + ".sections";
  testing::run("readelf -SW " + path + " > " + log);
  std::ifstream in(log);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(Variants, ReferenceIsShfCompressed) {
  std::string s = section_flags(testing::fixture_path("types-O"));
  EXPECT_NE(s.find(".debug_info"), std::string::npos);
  EXPECT_EQ(s.find(".zdebug_info"), std::string::npos);
}

TEST(Variants, UncompressedDwarf) {
  auto b = Binary::open(variant("uncompressed"));
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(describe_all(**b), describe_all(fixture("types-O")));
  EXPECT_EQ(*(*b)->g_goid_offset(), 152u);
}

TEST(Variants, LegacyZdebugSections) {
  std::string path = variant("zdebug");
  std::string s = section_flags(path);
  ASSERT_NE(s.find(".zdebug_info"), std::string::npos) << s;
  auto b = Binary::open(path);
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_TRUE((*b)->has_dwarf());
  EXPECT_EQ(describe_all(**b), describe_all(fixture("types-O")));
  const Function* multi = (*b)->find_function("main.multi");
  auto pcs = (*b)->line_to_pcs("types/main.go", testing::types_line("func multi("));
  ASSERT_FALSE(pcs.empty());
  EXPECT_GE(pcs.front(), multi->entry);
  EXPECT_EQ(*(*b)->g_goid_offset(), 152u);
}

TEST(Variants, Pie) {
  auto r = Binary::open(variant("pie"));
  ASSERT_TRUE(r) << r.error().message;
  const Binary& b = **r;
  EXPECT_TRUE(b.is_pie());
  EXPECT_EQ(b.go_version(), gotrace::testing::go_version());
  EXPECT_EQ(describe_all(b), describe_all(fixture("types-O")));
  const Function* f = b.find_function("main.ints");
  ASSERT_NE(f, nullptr);
  auto off = b.file_offset(f->entry);
  ASSERT_TRUE(off) << off.error().message;
  // The bytes at that file offset are the function's code.
  auto code = b.code(*f);
  ASSERT_TRUE(code);
  std::ifstream in(b.path(), std::ios::binary);
  in.seekg(static_cast<std::streamoff>(*off));
  std::vector<char> bytes(code->size());
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  EXPECT_TRUE(std::equal(bytes.begin(), bytes.end(), code->begin(),
                         [](char a, uint8_t c) { return static_cast<uint8_t>(a) == c; }));
  auto l = b.pc_to_line(f->entry);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->line, testing::types_line("func ints(") + 1);  // optimized leaf: first statement
  const Type* t = b.signature(*f)->params[0].type;
  ASSERT_NE(t->runtime_type, 0u);
  EXPECT_EQ(b.type_by_runtime_address(t->runtime_type), t);
}

}  // namespace
}  // namespace gotrace::symbols

namespace gotrace::symbols {
namespace {

TEST(Variants, Arm64) {
  auto r = Binary::open(testing::variant("arm64"));
  ASSERT_TRUE(r) << r.error().message;
  const Binary& b = **r;
  EXPECT_EQ(b.machine(), Machine::arm64);
  EXPECT_FALSE(b.is_pie());
  EXPECT_EQ(b.go_version(), gotrace::testing::go_version());
  EXPECT_EQ(*b.g_goid_offset(), 152u);
  EXPECT_EQ(*b.g_stack_hi_offset(), 8u);
  const Function* f = b.find_function("main.strs");
  ASSERT_NE(f, nullptr);
  auto s = b.signature(*f);
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_EQ(s->params.size(), 2u);
  EXPECT_EQ(s->params[0].type->name, "string");
  EXPECT_EQ(s->results.size(), 2u);
  auto off = b.file_offset(f->entry);
  ASSERT_TRUE(off);
  EXPECT_EQ(*off, f->entry - 0x10000);  // arm64 Go text segment at 0x10000
}

}  // namespace
}  // namespace gotrace::symbols
