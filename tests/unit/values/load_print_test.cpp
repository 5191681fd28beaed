// load_variable + single_line/multi_line against Delve's printed forms.
#include "fake_target.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace gotrace::values {
namespace {

using testing::Bytes;

const LoadConfig kShort = load_config_for_verbosity(0);

class ValuesTest : public ::testing::Test {
 protected:
  Variable load(const symbols::Type& t, std::vector<uint8_t> bytes,
                LoadConfig cfg = kShort, uint64_t addr = 0) {
    held_.push_back(std::move(bytes));
    return load_variable("v", t, held_.back(), mem_, types_, cfg, addr);
  }
  std::string line(const symbols::Type& t, std::vector<uint8_t> bytes,
                   LoadConfig cfg = kShort, uint64_t addr = 0) {
    return single_line(load(t, std::move(bytes), cfg, addr));
  }

  testing::Types ty_;
  testing::FakeMemory mem_;
  testing::FakeTypes types_;
  std::deque<std::vector<uint8_t>> held_;
};

TEST_F(ValuesTest, VerbosityLoadConfigs) {
  EXPECT_EQ(load_config_for_verbosity(0), (LoadConfig{false, 0, 64, 0, 3}));
  EXPECT_EQ(load_config_for_verbosity(1), (LoadConfig{false, 0, 32, 0, 0}));
  EXPECT_EQ(load_config_for_verbosity(2), (LoadConfig{false, 1, 64, 5, 3}));
  EXPECT_EQ(load_config_for_verbosity(3), (LoadConfig{false, 2, 128, 10, 10}));
  EXPECT_EQ(load_config_for_verbosity(4), (LoadConfig{true, 3, 256, 100, -1}));
}

TEST_F(ValuesTest, Int) {
  Variable v = load(*ty_.int_, Bytes().i64(99));
  EXPECT_EQ(v.value, "99");
  EXPECT_EQ(v.type, "int");
  EXPECT_EQ(v.real_type, "int");
  EXPECT_EQ(v.kind, symbols::Kind::int_);
  EXPECT_EQ(v.addr, kFakeAddressBase);
  EXPECT_EQ(v.flags, uint32_t{kVarFakeAddress});
  EXPECT_EQ(single_line(v), "99");
  EXPECT_EQ(line(*ty_.int_, Bytes().i64(-5)), "-5");
}

TEST_F(ValuesTest, StackAddressIsNotFake) {
  Variable v = load(*ty_.int_, Bytes().i64(1), kShort, 0xc000012340);
  EXPECT_EQ(v.addr, 0xc000012340u);
  EXPECT_EQ(v.flags, 0u);
}

TEST_F(ValuesTest, SmallScalars) {
  EXPECT_EQ(line(*ty_.uint8_, Bytes().un(255, 1)), "255");
  EXPECT_EQ(line(*ty_.bool_, Bytes().un(1, 1)), "true");
  EXPECT_EQ(line(*ty_.bool_, Bytes().un(0, 1)), "false");
  // uintptr is an unsigned integer to Delve: decimal, not hex.
  EXPECT_EQ(line(*ty_.uintptr_, Bytes().u64(0xc000010000)), "824633786368");
}

TEST_F(ValuesTest, Floats) {
  EXPECT_EQ(line(*ty_.float64_, Bytes().f64(3.14)), "3.14");
  EXPECT_EQ(line(*ty_.float64_, Bytes().f64(2)), "2");
  // Delve formats with 'f', never with an exponent.
  EXPECT_EQ(line(*ty_.float64_, Bytes().f64(1e21)), "1000000000000000000000");
  EXPECT_EQ(line(*ty_.float64_, Bytes().f64(1.5e-7)), "0.00000015");
  EXPECT_EQ(line(*ty_.float32_, Bytes().f32(0.1f)), "0.1");
  EXPECT_EQ(line(*ty_.float64_, Bytes().f64(-0.0)), "-0");
  EXPECT_EQ(line(*ty_.float64_, Bytes().f64(std::numeric_limits<double>::infinity())), "+Inf");
  EXPECT_EQ(line(*ty_.float64_, Bytes().f64(-std::numeric_limits<double>::infinity())), "-Inf");
  EXPECT_EQ(line(*ty_.float64_, Bytes().f64(std::nan(""))), "NaN");
}

TEST_F(ValuesTest, Complex) {
  Variable v = load(*ty_.complex128_, Bytes().f64(1).f64(2.5));
  EXPECT_EQ(v.value, "(1 + 2.5i)");
  EXPECT_EQ(v.len, 2);
  ASSERT_EQ(v.children.size(), 2u);
  EXPECT_EQ(v.children[0].name, "real");
  EXPECT_EQ(v.children[1].name, "imaginary");
  EXPECT_EQ(single_line(v), "(1 + 2.5i)");
}

TEST_F(ValuesTest, UnreadableFloatRegister) {
  Variable v = unreadable_variable("f", *ty_.float64_, "unreadable float register");
  EXPECT_EQ(single_line(v), "(unreadable float register)");
  EXPECT_EQ(v.unreadable, "float register");
  EXPECT_EQ(v.type, "float64");
  EXPECT_EQ(single_line(unreadable_variable("x", *ty_.int_, "no register")),
            "(unreadable no register)");
}

TEST_F(ValuesTest, String) {
  mem_.put_string(0x4b2000, "hello");
  Variable v = load(*ty_.string_, Bytes().u64(0x4b2000).u64(5));
  EXPECT_EQ(v.value, "hello");
  EXPECT_EQ(v.len, 5);
  EXPECT_EQ(v.base, 0x4b2000u);
  EXPECT_EQ(single_line(v), "\"hello\"");
}

TEST_F(ValuesTest, EmptyAndNilString) {
  EXPECT_EQ(line(*ty_.string_, Bytes().u64(0).u64(0)), "\"\"");
  Variable v = load(*ty_.string_, Bytes().u64(0x4b2000).u64(0));
  EXPECT_EQ(single_line(v), "\"\"");
}

TEST_F(ValuesTest, LongStringIsCutAtMaxStringLen) {
  mem_.put_string(0x4c0000, std::string(100, 'a'));
  Variable v = load(*ty_.string_, Bytes().u64(0x4c0000).u64(100));
  EXPECT_EQ(v.value.size(), 64u);
  EXPECT_EQ(v.len, 100);
  EXPECT_EQ(single_line(v), "\"" + std::string(64, 'a') + "...+36 more\"");
}

TEST_F(ValuesTest, StringQuoting) {
  const std::string s = "a\"b\\\n\t\x01\x7f\xc3\xa9\xe2\x82\xac\xff\xc2\xa0z";
  mem_.put_string(0x4d0000, s);
  EXPECT_EQ(line(*ty_.string_, Bytes().u64(0x4d0000).u64(s.size())),
            "\"a\\\"b\\\\\\n\\t\\x01\\x7f\xc3\xa9\xe2\x82\xac\\xff\\u00a0z\"");
}

TEST_F(ValuesTest, StringNotCaptured) {
  Variable v = load(*ty_.string_, Bytes().u64(0x4e0000).u64(3));
  EXPECT_EQ(single_line(v),
            "(unreadable could not read string at 0x4e0000 due to memory not "
            "captured)");
  EXPECT_EQ(v.len, 3);
}

TEST_F(ValuesTest, Struct) {
  mem_.put_string(0x4b1000, "pt");
  Variable v = load(*ty_.point, Bytes().i64(1).i64(2).u64(0x4b1000).u64(2));
  EXPECT_EQ(single_line(v), "main.Point {X: 1, Y: 2, Name: \"pt\"}");
  EXPECT_EQ(v.len, 3);
  ASSERT_EQ(v.children.size(), 3u);
  // Fields of a register value get fake addresses at their offsets, as in
  // the jsonrpc transcripts (X +0, Y +8, Name +0x10).
  EXPECT_EQ(v.children[1].addr, kFakeAddressBase + 8);
  EXPECT_EQ(v.children[2].addr, kFakeAddressBase + 16);
  EXPECT_EQ(v.children[2].name, "Name");
  EXPECT_EQ(v.children[2].flags, 0u);
}

TEST_F(ValuesTest, StructFieldLimit) {
  Variable v = load(*ty_.five, Bytes().i64(1).i64(2).i64(3).i64(4).i64(5));
  EXPECT_EQ(single_line(v), "main.Five {A: 1, B: 2, C: 3,...+2 more}");
  EXPECT_EQ(v.len, 5);
  EXPECT_EQ(v.children.size(), 3u);
}

TEST_F(ValuesTest, NestedStructBeyondRecursionPrintsAddress) {
  mem_.put_string(0x4b1000, "pt");
  auto bytes = Bytes().i64(1).i64(2).u64(0x4b1000).u64(2).i64(7);
  EXPECT_EQ(line(*ty_.outer, bytes, kShort, 0xc000050000),
            "main.Outer {P: (*main.Point)(0xc000050000), N: 7}");
  EXPECT_EQ(line(*ty_.outer, bytes, load_config_for_verbosity(2)),
            "main.Outer {P: main.Point {X: 1, Y: 2, Name: \"pt\"}, N: 7}");
}

TEST_F(ValuesTest, SliceNotLoadedWithShortConfig) {
  Variable v = load(*ty_.slice_int, Bytes().u64(0xc000014000).u64(3).u64(3));
  EXPECT_EQ(single_line(v), "[]int len: 3, cap: 3, [...]");
  EXPECT_EQ(v.base, 0xc000014000u);
  EXPECT_TRUE(v.children.empty());
}

TEST_F(ValuesTest, SliceElements) {
  mem_.put(0xc000014000, Bytes().i64(4).i64(5).i64(6));
  auto bytes = Bytes().u64(0xc000014000).u64(3).u64(4);
  EXPECT_EQ(line(*ty_.slice_int, bytes, load_config_for_verbosity(3)),
            "[]int len: 3, cap: 4, [4,5,6]");
  EXPECT_EQ(line(*ty_.slice_int, bytes, {false, 0, 64, 2, 3}),
            "[]int len: 3, cap: 4, [4,5,...+1 more]");
}

TEST_F(ValuesTest, SliceElementsNotCaptured) {
  Variable v = load(*ty_.slice_int, Bytes().u64(0xc000099000).u64(2).u64(2),
                    load_config_for_verbosity(3));
  EXPECT_EQ(single_line(v),
            "[]int len: 2, cap: 2, [(unreadable could not read 8 bytes at "
            "0xc000099000: memory not captured),(unreadable could not read 8 "
            "bytes at 0xc000099008: memory not captured)]");
}

TEST_F(ValuesTest, SliceOfStrings) {
  mem_.put_string(0x4b3000, "a");
  mem_.put_string(0x4b3010, "bb");
  mem_.put(0xc000016000, Bytes().u64(0x4b3000).u64(1).u64(0x4b3010).u64(2));
  EXPECT_EQ(line(*ty_.slice_string, Bytes().u64(0xc000016000).u64(2).u64(2),
                 load_config_for_verbosity(2)),
            "[]string len: 2, cap: 2, [\"a\",\"bb\"]");
}

TEST_F(ValuesTest, NilSlice) {
  EXPECT_EQ(line(*ty_.slice_int, Bytes().u64(0).u64(0).u64(0)),
            "[]int len: 0, cap: 0, nil");
  // An empty, non-nil slice has a base.
  EXPECT_EQ(line(*ty_.slice_int, Bytes().u64(0x5a0000).u64(0).u64(0)),
            "[]int len: 0, cap: 0, []");
}

TEST_F(ValuesTest, Array) {
  Variable v = load(*ty_.array_int3, Bytes().i64(1).i64(2).i64(3));
  EXPECT_EQ(single_line(v), "[3]int [...]");
  EXPECT_EQ(v.len, 3);
  EXPECT_EQ(v.cap, -1);
  EXPECT_EQ(line(*ty_.array_int3, Bytes().i64(1).i64(2).i64(3),
                 load_config_for_verbosity(3)),
            "[3]int [1,2,3]");
}

TEST_F(ValuesTest, Pointer) {
  Variable v = load(*ty_.ptr_wait_group, Bytes().u64(0xc0000aa000));
  EXPECT_EQ(single_line(v), "(*sync.WaitGroup)(0xc0000aa000)");
  EXPECT_EQ(v.len, 1);
  ASSERT_EQ(v.children.size(), 1u);
  EXPECT_TRUE(v.children[0].only_addr);
  EXPECT_EQ(v.children[0].type, "sync.WaitGroup");
  EXPECT_EQ(v.children[0].name, "");
}

TEST_F(ValuesTest, NilPointer) {
  EXPECT_EQ(line(*ty_.ptr_point, Bytes().u64(0)), "*main.Point nil");
  EXPECT_EQ(line(*ty_.ptr_point, Bytes().u64(0), load_config_for_verbosity(4)),
            "*main.Point nil");
}

TEST_F(ValuesTest, FollowedPointer) {
  mem_.put_string(0x4b1000, "pt");
  mem_.put(0xc000020000, Bytes().i64(1).i64(2).u64(0x4b1000).u64(2));
  EXPECT_EQ(line(*ty_.ptr_point, Bytes().u64(0xc000020000),
                 load_config_for_verbosity(4)),
            "*main.Point {X: 1, Y: 2, Name: \"pt\"}");
}

TEST_F(ValuesTest, FollowedPointerNotCaptured) {
  EXPECT_EQ(line(*ty_.ptr_point, Bytes().u64(0xc000020000),
                 load_config_for_verbosity(4)),
            "*main.Point {X: (unreadable could not read 8 bytes at "
            "0xc000020000: memory not captured), Y: (unreadable could not "
            "read 8 bytes at 0xc000020008: memory not captured), Name: "
            "(unreadable could not read string len could not read 8 bytes at "
            "0xc000020018: memory not captured)}");
}

TEST_F(ValuesTest, NilError) {
  Variable v = load(*ty_.error, Bytes().u64(0).u64(0));
  EXPECT_EQ(single_line(v), "error nil");
  ASSERT_EQ(v.children.size(), 1u);
  EXPECT_EQ(v.children[0].kind, symbols::Kind::invalid);
  EXPECT_EQ(v.children[0].type, "void");
}

TEST_F(ValuesTest, IfaceHoldingStruct) {
  types_.by_addr[0x4a0000] = ty_.rect;
  mem_.put(0x500000, Bytes().u64(0x4a8000).u64(0x4a0000));  // itab
  mem_.put(0xc000030000, Bytes().i64(2).i64(3));
  Variable v = load(*ty_.shape, Bytes().u64(0x500000).u64(0xc000030000));
  EXPECT_EQ(single_line(v), "main.Shape(main.Rect) {W: 2, H: 3}");
  ASSERT_EQ(v.children.size(), 1u);
  EXPECT_EQ(v.children[0].name, "data");
  EXPECT_EQ(v.children[0].addr, 0xc000030000u);
}

TEST_F(ValuesTest, EfaceHoldingInt) {
  types_.by_addr[0x4a1000] = ty_.int_;
  mem_.put(0xc000010000, Bytes().i64(42));
  EXPECT_EQ(line(*ty_.any, Bytes().u64(0x4a1000).u64(0xc000010000)),
            "interface {}(int) 42");
}

TEST_F(ValuesTest, IfaceBeyondRecursionIsAddressOnly) {
  types_.by_addr[0x4a1000] = ty_.int_;
  mem_.put(0xc000010000, Bytes().i64(42));
  // An interface field of a struct is at recursion level 1 > 0.
  auto* holder = ty_.struct_("main.Holder", {{"V", ty_.any}});
  EXPECT_EQ(line(*holder, Bytes().u64(0x4a1000).u64(0xc000010000), kShort,
                 0xc000040000),
            "main.Holder {V: interface {}(int) *(*interface {})(0xc000040000)}");
}

TEST_F(ValuesTest, IfaceHoldingPointerPrintsDataWordAddress) {
  // Delve's quirk (also in delve#3586: "context.Context(*context.timerCtx)
  // 0xbeef000000000108"): a pointer held directly in the data word prints
  // the address of that word.
  types_.by_addr[0x4a2000] = ty_.ptr_my_err;
  mem_.put(0x510000, Bytes().u64(0x4a8000).u64(0x4a2000));
  Variable v = load(*ty_.error, Bytes().u64(0x510000).u64(0xc000060000), kShort,
                    kFakeAddressBase + 0x100);
  EXPECT_EQ(single_line(v), "error(*main.MyErr) 0xbeef000000000108");
  mem_.put(0xc000060000, Bytes().i64(7));
  EXPECT_EQ(line(*ty_.error, Bytes().u64(0x510000).u64(0xc000060000),
                 load_config_for_verbosity(4)),
            "error(*main.MyErr) *{Code: 7}");
  EXPECT_EQ(line(*ty_.error, Bytes().u64(0x510000).u64(0)),
            "error(*main.MyErr) nil");
}

TEST_F(ValuesTest, IfaceUnknownDynamicType) {
  mem_.put(0x520000, Bytes().u64(0).u64(0x4a9999));
  EXPECT_EQ(line(*ty_.error, Bytes().u64(0x520000).u64(0xc000060000)),
            "(unreadable could not resolve interface type)");
  EXPECT_EQ(line(*ty_.error, Bytes().u64(0x530000).u64(0xc000060000)),
            "(unreadable invalid interface type: could not read 8 bytes at "
            "0x530008: memory not captured)");
}

TEST_F(ValuesTest, Map) {
  mem_.put(0xc000070000, Bytes().u64(2));
  Variable v = load(*ty_.map_string_int, Bytes().u64(0xc000070000));
  EXPECT_EQ(single_line(v), "map[string]int [...]");
  EXPECT_EQ(v.len, 2);
  EXPECT_EQ(v.base, 0xc000070000u);
  EXPECT_EQ(line(*ty_.map_string_int, Bytes().u64(0)), "map[string]int nil");
  mem_.put(0xc000071000, Bytes().u64(0));
  EXPECT_EQ(line(*ty_.map_string_int, Bytes().u64(0xc000071000)),
            "map[string]int []");
  EXPECT_EQ(line(*ty_.map_string_int, Bytes().u64(0xc000072000)),
            "(unreadable could not read 8 bytes at 0xc000072000: memory not "
            "captured)");
}

TEST_F(ValuesTest, MapPrinterWithChildren) {
  // Delve's writeMapTo puts ", " after every pair, the last one included.
  Variable m;
  m.kind = symbols::Kind::map;
  m.type = "map[string]int";
  m.addr = 1;
  m.base = 0xc000070000;
  m.len = 3;
  for (auto [k, val] : {std::pair{"a", "1"}, std::pair{"b", "2"}}) {
    Variable kv;
    kv.kind = symbols::Kind::string;
    kv.value = k;
    kv.len = 1;
    kv.addr = 2;
    Variable vv;
    vv.kind = symbols::Kind::int_;
    vv.value = val;
    vv.addr = 3;
    m.children.push_back(kv);
    m.children.push_back(vv);
  }
  EXPECT_EQ(single_line(m), "map[string]int [\"a\": 1, \"b\": 2, ,...+1 more]");
  m.len = 2;
  EXPECT_EQ(single_line(m), "map[string]int [\"a\": 1, \"b\": 2, ]");
  EXPECT_EQ(multi_line(m, ""), "map[string]int [\n\t\"a\": 1, \n\t\"b\": 2, \n]");
}

TEST_F(ValuesTest, Func) {
  EXPECT_EQ(line(*ty_.func, Bytes().u64(0)), "nil");
  mem_.put(0x4c8000, Bytes().u64(0x49b5c0));
  types_.funcs[0x49b5c0] = "main.foo";
  EXPECT_EQ(line(*ty_.func, Bytes().u64(0x4c8000)), "main.foo");
  mem_.put(0x4c9000, Bytes().u64(0x49c000));
  EXPECT_EQ(line(*ty_.func, Bytes().u64(0x4c9000)), "0x49c000");
}

TEST_F(ValuesTest, UnsafePointerAndChan) {
  EXPECT_EQ(line(*ty_.unsafe_ptr, Bytes().u64(0xc000010000)),
            "unsafe.Pointer(0xc000010000)");
  EXPECT_EQ(line(*ty_.unsafe_ptr, Bytes().u64(0)), "unsafe.Pointer(0x0)");
  EXPECT_EQ(line(*ty_.chan_int, Bytes().u64(0)), "chan int nil");
  mem_.put(0xc000080000, Bytes().u64(1).u64(5));
  EXPECT_EQ(line(*ty_.chan_int, Bytes().u64(0xc000080000)), "chan int 1/5");
}

TEST_F(ValuesTest, MultiLineStruct) {
  mem_.put_string(0x4b1000, "a long name");
  Variable v = load(*ty_.point, Bytes().i64(1).i64(2).u64(0x4b1000).u64(11));
  // writeStructTo writes no newline before the closing brace.
  EXPECT_EQ(multi_line(v, ""),
            "main.Point {\n\tX: 1,\n\tY: 2,\n\tName: \"a long name\",}");
  EXPECT_EQ(single_line(v), "main.Point {X: 1, Y: 2, Name: \"a long name\"}");
  mem_.put_string(0x4b1000, "pt");
  Variable s = load(*ty_.point, Bytes().i64(1).i64(2).u64(0x4b1000).u64(2));
  EXPECT_EQ(multi_line(s, "\t"), "main.Point {X: 1, Y: 2, Name: \"pt\"}");
}

TEST_F(ValuesTest, MultiLinePointer) {
  mem_.put_string(0x4b1000, "a long name");
  mem_.put(0xc000020000, Bytes().i64(1).i64(2).u64(0x4b1000).u64(11));
  Variable v = load(*ty_.ptr_point, Bytes().u64(0xc000020000),
                    load_config_for_verbosity(4));
  EXPECT_EQ(multi_line(v, ""),
            "(*main.Point)(0xc000020000)\n*main.Point {\n\tX: 1,\n\tY: 2,\n"
            "\tName: \"a long name\",}");
}

}  // namespace
}  // namespace gotrace::values
