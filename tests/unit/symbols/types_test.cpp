#include "fixture.h"

#include <cstring>

namespace gotrace::symbols {
namespace {

using testing::fixture;

class Types : public ::testing::TestWithParam<const char*> {
 protected:
  const Binary& bin() { return fixture(GetParam()); }
  const Type* param_type(const char* fn, size_t i) {
    auto s = bin().signature(*bin().find_function(fn));
    EXPECT_TRUE(s);
    return s && i < s->params.size() ? s->params[i].type : nullptr;
  }
};

TEST_P(Types, GOffsets) {
  auto goid = bin().g_goid_offset();
  ASSERT_TRUE(goid) << goid.error().message;
  EXPECT_EQ(*goid, 152u);  // Go 1.19 amd64
  auto hi = bin().g_stack_hi_offset();
  ASSERT_TRUE(hi) << hi.error().message;
  EXPECT_EQ(*hi, 8u);  // g.stack is at 0, stack.hi at 8
}

TEST_P(Types, ByName) {
  const Type* g = bin().type_by_name("runtime.g");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->kind, Kind::struct_);
  EXPECT_EQ(g->name, "runtime.g");
  EXPECT_EQ(g->align, 8u);
  const Type* p = bin().type_by_name("main.Point");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p, param_type("main.structs", 0));
  EXPECT_EQ(bin().type_by_name("main.NoSuchType"), nullptr);
  const Type* iface = bin().type_by_name("interface {}");
  ASSERT_NE(iface, nullptr);
  EXPECT_TRUE(iface->empty_interface);
}

TEST_P(Types, RuntimeTypeRoundTrip) {
  for (const char* fn : {"main.errs", "main.ints", "main.strs", "main.maps", "main.slices"}) {
    auto s = bin().signature(*bin().find_function(fn));
    ASSERT_TRUE(s);
    std::vector<Variable> vars = s->params;
    vars.insert(vars.end(), s->results.begin(), s->results.end());
    for (const auto& v : vars) {
      if (v.type->runtime_type == 0) continue;
      EXPECT_EQ(bin().type_by_runtime_address(v.type->runtime_type), v.type) << fn << " " << v.name;
    }
  }
  const Type* i = param_type("main.ints", 0);
  ASSERT_NE(i->runtime_type, 0u);
  // The address is that of a real runtime._type: size 8, kind 2 (int) at
  // byte 23 on 64-bit.
  auto desc = bin().static_data(i->runtime_type, 24);
  ASSERT_TRUE(desc);
  uint64_t size = 0;
  std::memcpy(&size, desc->data(), 8);
  EXPECT_EQ(size, 8u);
  EXPECT_EQ((*desc)[23] & 0x1f, static_cast<int>(Kind::int_));
  const Type* uptr = bin().signature(*bin().find_function("main.uints"))->params[5].type;
  ASSERT_NE(uptr->runtime_type, 0u);
  EXPECT_EQ(bin().type_by_runtime_address(uptr->runtime_type), uptr);
  auto udesc = bin().static_data(uptr->runtime_type, 24);
  ASSERT_TRUE(udesc);
  EXPECT_EQ((*udesc)[23] & 0x1f, static_cast<int>(Kind::uintptr));
  EXPECT_EQ(bin().type_by_runtime_address(0), nullptr);
  EXPECT_EQ(bin().type_by_runtime_address(1), nullptr);
}

TEST_P(Types, ArraysChansFuncs) {
  const Type* arr = bin().type_by_name("[4]uint8");
  ASSERT_NE(arr, nullptr);
  EXPECT_EQ(arr->kind, Kind::array);
  EXPECT_EQ(arr->array_len, 4u);
  EXPECT_EQ(arr->size, 4u);
  EXPECT_EQ(arr->align, 1u);
  ASSERT_NE(arr->elem, nullptr);
  EXPECT_EQ(arr->elem->kind, Kind::uint8);
  const Type* f = bin().type_by_name("func()");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->kind, Kind::func);
  EXPECT_EQ(f->size, 8u);
  const Type* up = bin().type_by_name("unsafe.Pointer");
  ASSERT_NE(up, nullptr);
  EXPECT_EQ(up->kind, Kind::unsafe_pointer);
  EXPECT_EQ(up->size, 8u);
  const Type* c128 = bin().type_by_name("complex128");
  ASSERT_NE(c128, nullptr);
  EXPECT_EQ(c128->kind, Kind::complex128);
  EXPECT_EQ(c128->size, 16u);
  EXPECT_EQ(c128->align, 8u);
}

TEST(TypesChan, ChanElem) {
  // The runtime's own DWARF describes "chan int".
  const Type* c = fixture("types-N").type_by_name("chan int");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->kind, Kind::chan);
  EXPECT_EQ(c->size, 8u);
  ASSERT_NE(c->elem, nullptr);
  EXPECT_EQ(c->elem->name, "int");
}

INSTANTIATE_TEST_SUITE_P(Fixtures, Types, ::testing::Values("types-O", "types-N"));

}  // namespace
}  // namespace gotrace::symbols
