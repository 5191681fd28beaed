#include "fixture.h"

namespace gotrace::symbols {
namespace {

using testing::fixture;

class Signatures : public ::testing::TestWithParam<const char*> {
 protected:
  const Binary& bin() { return fixture(GetParam()); }
  Signature sig(const std::string& name) {
    const Function* f = bin().find_function(name);
    EXPECT_NE(f, nullptr) << name;
    if (!f) return {};
    auto s = bin().signature(*f);
    EXPECT_TRUE(s) << name << ": " << s.error().message;
    return s ? *s : Signature{};
  }
  bool optimized() const { return std::string(GetParam()).ends_with("-O"); }
};

void expect_var(const Variable& v, const char* name, const char* type, Kind kind, uint64_t size) {
  EXPECT_EQ(v.name, name);
  ASSERT_NE(v.type, nullptr) << name;
  EXPECT_EQ(v.type->name, type) << name;
  EXPECT_EQ(v.type->kind, kind) << name;
  EXPECT_EQ(v.type->size, size) << name;
}

TEST_P(Signatures, Ints) {
  Signature s = sig("main.ints");
  ASSERT_EQ(s.params.size(), 5u);
  expect_var(s.params[0], "a", "int", Kind::int_, 8);
  expect_var(s.params[1], "b", "int8", Kind::int8, 1);
  expect_var(s.params[2], "c", "int16", Kind::int16, 2);
  expect_var(s.params[3], "d", "int32", Kind::int32, 4);
  expect_var(s.params[4], "e", "int64", Kind::int64, 8);
  EXPECT_EQ(s.params[1].type->align, 1u);
  EXPECT_EQ(s.params[2].type->align, 2u);
  EXPECT_EQ(s.params[3].type->align, 4u);
  ASSERT_EQ(s.results.size(), 1u);
  expect_var(s.results[0], "~r0", "int64", Kind::int64, 8);
  EXPECT_TRUE(s.results[0].is_result);
  EXPECT_FALSE(s.params[0].is_result);
  EXPECT_EQ(s.optimized, optimized());
  EXPECT_FALSE(s.has_dictionary);
  EXPECT_EQ(s.decl.file, testing::types_main_go());
  EXPECT_EQ(s.decl.line, testing::types_line("func ints("));
}

TEST_P(Signatures, Uints) {
  Signature s = sig("main.uints");
  ASSERT_EQ(s.params.size(), 6u);
  expect_var(s.params[0], "a", "uint", Kind::uint, 8);
  expect_var(s.params[1], "b", "uint8", Kind::uint8, 1);
  expect_var(s.params[2], "c", "uint16", Kind::uint16, 2);
  expect_var(s.params[3], "d", "uint32", Kind::uint32, 4);
  expect_var(s.params[4], "e", "uint64", Kind::uint64, 8);
  expect_var(s.params[5], "f", "uintptr", Kind::uintptr, 8);
  ASSERT_EQ(s.results.size(), 1u);
  expect_var(s.results[0], "~r0", "uint64", Kind::uint64, 8);
}

TEST_P(Signatures, Bools) {
  Signature s = sig("main.bools");
  ASSERT_EQ(s.params.size(), 2u);
  expect_var(s.params[0], "a", "bool", Kind::bool_, 1);
  expect_var(s.params[1], "b", "bool", Kind::bool_, 1);
  EXPECT_EQ(s.params[0].type->align, 1u);
  ASSERT_EQ(s.results.size(), 1u);
  expect_var(s.results[0], "~r0", "bool", Kind::bool_, 1);
}

TEST_P(Signatures, Strings) {
  Signature s = sig("main.strs");
  ASSERT_EQ(s.params.size(), 2u);
  expect_var(s.params[0], "s", "string", Kind::string, 16);
  expect_var(s.params[1], "empty", "string", Kind::string, 16);
  ASSERT_EQ(s.results.size(), 2u);
  expect_var(s.results[0], "~r0", "string", Kind::string, 16);
  expect_var(s.results[1], "~r1", "int", Kind::int_, 8);
  const Type* str = s.params[0].type;
  EXPECT_EQ(str->align, 8u);
  ASSERT_EQ(str->fields.size(), 2u);
  EXPECT_EQ(str->fields[0].name, "str");
  EXPECT_EQ(str->fields[0].offset, 0u);
  EXPECT_EQ(str->fields[0].type->name, "*uint8");
  EXPECT_EQ(str->fields[0].type->kind, Kind::pointer);
  EXPECT_EQ(str->fields[1].name, "len");
  EXPECT_EQ(str->fields[1].offset, 8u);
  EXPECT_EQ(str->fields[1].type->kind, Kind::int_);
  // One Type object per Go type.
  EXPECT_EQ(s.params[0].type, s.params[1].type);
  EXPECT_EQ(s.params[0].type, s.results[0].type);
}

TEST_P(Signatures, Structs) {
  Signature s = sig("main.structs");
  ASSERT_EQ(s.params.size(), 1u);
  expect_var(s.params[0], "p", "main.Point", Kind::struct_, 32);
  const Type* p = s.params[0].type;
  EXPECT_EQ(p->align, 8u);
  ASSERT_EQ(p->fields.size(), 3u);
  EXPECT_EQ(p->fields[0].name, "X");
  EXPECT_EQ(p->fields[0].offset, 0u);
  EXPECT_EQ(p->fields[0].type->name, "int");
  EXPECT_EQ(p->fields[1].name, "Y");
  EXPECT_EQ(p->fields[1].offset, 8u);
  EXPECT_EQ(p->fields[2].name, "Name");
  EXPECT_EQ(p->fields[2].offset, 16u);
  EXPECT_EQ(p->fields[2].type->kind, Kind::string);
  EXPECT_FALSE(p->fields[0].embedded);
  ASSERT_EQ(s.results.size(), 1u);
  EXPECT_EQ(s.results[0].type, p);
}

TEST_P(Signatures, Pointers) {
  Signature s = sig("main.pointers");
  ASSERT_EQ(s.params.size(), 2u);
  expect_var(s.params[0], "p", "*main.Point", Kind::pointer, 8);
  expect_var(s.params[1], "n", "*int", Kind::pointer, 8);
  ASSERT_NE(s.params[0].type->elem, nullptr);
  EXPECT_EQ(s.params[0].type->elem->name, "main.Point");
  EXPECT_EQ(s.params[0].type->elem->size, 32u);
  EXPECT_EQ(s.params[1].type->elem->name, "int");
  ASSERT_EQ(s.results.size(), 1u);
  EXPECT_EQ(s.results[0].type, s.params[0].type);
}

TEST_P(Signatures, Slices) {
  Signature s = sig("main.slices");
  ASSERT_EQ(s.params.size(), 3u);
  expect_var(s.params[0], "xs", "[]int", Kind::slice, 24);
  expect_var(s.params[1], "names", "[]string", Kind::slice, 24);
  expect_var(s.params[2], "nilSlice", "[]uint8", Kind::slice, 24);  // DWARF spells []byte as []uint8
  EXPECT_EQ(s.params[0].type->elem->name, "int");
  EXPECT_EQ(s.params[1].type->elem->kind, Kind::string);
  EXPECT_EQ(s.params[2].type->elem->kind, Kind::uint8);
  const Type* xs = s.params[0].type;
  EXPECT_EQ(xs->align, 8u);
  ASSERT_EQ(xs->fields.size(), 3u);
  EXPECT_EQ(xs->fields[0].name, "array");
  EXPECT_EQ(xs->fields[0].type->name, "*int");
  EXPECT_EQ(xs->fields[1].name, "len");
  EXPECT_EQ(xs->fields[1].offset, 8u);
  EXPECT_EQ(xs->fields[2].name, "cap");
  EXPECT_EQ(xs->fields[2].offset, 16u);
}

TEST_P(Signatures, Errors) {
  Signature s = sig("main.errs");
  ASSERT_EQ(s.params.size(), 1u);
  expect_var(s.params[0], "fail", "bool", Kind::bool_, 1);
  ASSERT_EQ(s.results.size(), 1u);
  expect_var(s.results[0], "~r0", "error", Kind::interface, 16);
  const Type* e = s.results[0].type;
  EXPECT_FALSE(e->empty_interface);
  EXPECT_EQ(e->align, 8u);
  ASSERT_EQ(e->fields.size(), 2u);
  EXPECT_EQ(e->fields[0].name, "tab");
  EXPECT_EQ(e->fields[1].name, "data");
  EXPECT_EQ(e->fields[1].offset, 8u);
  EXPECT_NE(e->runtime_type, 0u);
}

TEST_P(Signatures, Interfaces) {
  Signature s = sig("main.ifaces");
  ASSERT_EQ(s.params.size(), 2u);
  expect_var(s.params[0], "s", "main.Shape", Kind::interface, 16);
  expect_var(s.params[1], "any", "interface {}", Kind::interface, 16);
  EXPECT_FALSE(s.params[0].type->empty_interface);
  EXPECT_TRUE(s.params[1].type->empty_interface);
  ASSERT_EQ(s.params[1].type->fields.size(), 2u);
  EXPECT_EQ(s.params[1].type->fields[0].name, "_type");
  EXPECT_EQ(s.params[1].type->fields[1].name, "data");
}

TEST_P(Signatures, Maps) {
  Signature s = sig("main.maps");
  ASSERT_EQ(s.params.size(), 3u);
  expect_var(s.params[0], "m", "map[string]int", Kind::map, 8);
  expect_var(s.params[1], "empty", "map[int]bool", Kind::map, 8);
  expect_var(s.params[2], "nilMap", "map[string]string", Kind::map, 8);
  const Type* m = s.params[0].type;
  EXPECT_EQ(m->align, 8u);
  ASSERT_NE(m->key, nullptr);
  ASSERT_NE(m->elem, nullptr);
  EXPECT_EQ(m->key->name, "string");
  EXPECT_EQ(m->elem->name, "int");
  EXPECT_EQ(s.params[1].type->key->kind, Kind::int_);
  EXPECT_EQ(s.params[1].type->elem->kind, Kind::bool_);
}

TEST_P(Signatures, Floats) {
  Signature s = sig("main.floats");
  ASSERT_EQ(s.params.size(), 3u);
  expect_var(s.params[0], "f", "float64", Kind::float64, 8);
  expect_var(s.params[1], "g", "float32", Kind::float32, 4);
  expect_var(s.params[2], "n", "int", Kind::int_, 8);
  EXPECT_EQ(s.params[1].type->align, 4u);
  ASSERT_EQ(s.results.size(), 1u);
  expect_var(s.results[0], "~r0", "float64", Kind::float64, 8);
}

TEST_P(Signatures, Twelve) {
  Signature s = sig("main.twelve");
  ASSERT_EQ(s.params.size(), 12u);
  for (size_t i = 0; i < 12; ++i) expect_var(s.params[i], ("a" + std::to_string(i + 1)).c_str(), "int", Kind::int_, 8);
  ASSERT_EQ(s.results.size(), 1u);
}

TEST_P(Signatures, Multi) {
  Signature s = sig("main.multi");
  ASSERT_EQ(s.params.size(), 2u);
  expect_var(s.params[0], "a", "int", Kind::int_, 8);
  expect_var(s.params[1], "s", "string", Kind::string, 16);
  ASSERT_EQ(s.results.size(), 3u);
  expect_var(s.results[0], "~r0", "int", Kind::int_, 8);
  expect_var(s.results[1], "~r1", "string", Kind::string, 16);
  expect_var(s.results[2], "~r2", "bool", Kind::bool_, 1);
  EXPECT_EQ(s.decl.line, testing::types_line("func multi("));
}

TEST_P(Signatures, Methods) {
  Signature add = sig("main.(*Counter).Add");
  ASSERT_EQ(add.params.size(), 2u);
  expect_var(add.params[0], "c", "*main.Counter", Kind::pointer, 8);
  EXPECT_EQ(add.params[0].type->elem->name, "main.Counter");
  EXPECT_EQ(add.params[0].type->elem->kind, Kind::struct_);
  EXPECT_EQ(add.params[0].type->elem->size, 8u);
  expect_var(add.params[1], "d", "int", Kind::int_, 8);
  ASSERT_EQ(add.results.size(), 1u);
  EXPECT_EQ(add.decl.line, testing::types_line("func (c *Counter) Add("));

  Signature sum = sig("main.Point.Sum");
  ASSERT_EQ(sum.params.size(), 1u);
  expect_var(sum.params[0], "p", "main.Point", Kind::struct_, 32);
}

TEST_P(Signatures, GenericShape) {
  Signature s = sig(gotrace::testing::shaped("main.Max[go.shape.int_0]"));
  EXPECT_TRUE(s.has_dictionary);
  ASSERT_EQ(s.params.size(), 2u);
  expect_var(s.params[0], "a", gotrace::testing::shaped("go.shape.int_0").c_str(), Kind::int_, 8);
  expect_var(s.params[1], "b", gotrace::testing::shaped("go.shape.int_0").c_str(), Kind::int_, 8);
  ASSERT_EQ(s.results.size(), 1u);
  expect_var(s.results[0], "~r0", gotrace::testing::shaped("go.shape.int_0").c_str(), Kind::int_, 8);

  Signature f = sig(gotrace::testing::shaped("main.Max[go.shape.float64_0]"));
  ASSERT_EQ(f.params.size(), 2u);
  expect_var(f.params[0], "a", gotrace::testing::shaped("go.shape.float64_0").c_str(), Kind::float64, 8);
}

TEST_P(Signatures, RuntimeFunction) {
  Signature s = sig("runtime.casgstatus");
  ASSERT_EQ(s.params.size(), 3u);
  expect_var(s.params[0], "gp", "*runtime.g", Kind::pointer, 8);
  expect_var(s.params[1], "oldval", "uint32", Kind::uint32, 4);
  expect_var(s.params[2], "newval", "uint32", Kind::uint32, 4);
  EXPECT_TRUE(s.results.empty());
  EXPECT_TRUE(s.decl.file.ends_with("/src/runtime/proc.go")) << s.decl.file;
}

TEST_P(Signatures, Closure) {
  Signature s = sig("main.main.func1");
  ASSERT_EQ(s.params.size(), 1u);
  expect_var(s.params[0], "x", "int", Kind::int_, 8);
  ASSERT_EQ(s.results.size(), 1u);
  EXPECT_EQ(s.optimized, optimized());
  EXPECT_EQ(s.decl.line, testing::types_line("add := func(x int)"));
}

TEST_P(Signatures, FuncValue) {
  Signature s = sig("main.apply");
  ASSERT_EQ(s.params.size(), 2u);
  expect_var(s.params[0], "f", "func(int) int", Kind::func, 8);
  EXPECT_EQ(s.params[0].type->align, 8u);
  expect_var(s.params[1], "x", "int", Kind::int_, 8);
}

TEST(Signature, UnknownFunctionIsNotFound) {
  const Binary& bin = fixture("types-O");
  Function bogus{"main.bogus", 0x10, 0x20};
  auto s = bin.signature(bogus);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::not_found);
}

// Optimized builds keep an out-of-line copy of a function that is also
// inlined elsewhere; its DIEs name nothing themselves, only
// DW_AT_abstract_origin.
TEST_P(Signatures, FunctionAlsoInlinedElsewhere) {
  Signature s = sig("main.Rect.Area");
  ASSERT_EQ(s.params.size(), 1u);
  expect_var(s.params[0], "r", "main.Rect", Kind::struct_, 16);
  ASSERT_EQ(s.results.size(), 1u);
  expect_var(s.results[0], "~r0", "int", Kind::int_, 8);
}

// The compiler's wrapper (*Rect).Area around the value method: -N names its
// receiver ".this"; -O leaves it out of DWARF (DW_AT_trampoline) though it
// still takes the first register, so it is put back.
TEST_P(Signatures, MethodWrapperKeepsItsReceiver) {
  Signature s = sig("main.(*Rect).Area");
  ASSERT_EQ(s.params.size(), 1u);
  // Go 1.19 calls the wrapper's receiver .this; 1.26 and 1.27 give it the
  // method's own receiver name (func (r Rect) Area()).
  expect_var(s.params[0], gotrace::testing::go_minor() <= 19 ? ".this" : "r", "*main.Rect", Kind::pointer, 8);
  ASSERT_EQ(s.results.size(), 1u);
  expect_var(s.results[0], "~r0", "int", Kind::int_, 8);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, Signatures, ::testing::Values("types-O", "types-N"));

}  // namespace
}  // namespace gotrace::symbols
