// Go ABIInternal assignment tables (abi-internal.md; tracing-facts §4.1).
// Stack offsets are from SP at entry and include the 8-byte return-address /
// LR slot, e.g. the first stack argument is at 8(SP).
#include "gotrace/arch/abi.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

namespace gotrace::arch {
namespace {

using K = AbiType::Kind;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// amd64 DWARF numbers
constexpr int RAX = 0, RCX = 2, RBX = 3, RSI = 4, RDI = 5, R8 = 8, R9 = 9, R10 = 10,
              R11 = 11, X0 = 17, X1 = 18;

AbiType scalar(K k, uint64_t size) { return AbiType{k, size, size}; }
AbiType Int() { return scalar(K::integer, 8); }
AbiType Int8() { return scalar(K::integer, 1); }
AbiType Int16() { return scalar(K::integer, 2); }
AbiType Int32() { return scalar(K::integer, 4); }
AbiType Bool() { return scalar(K::integer, 1); }
AbiType F64() { return scalar(K::floating, 8); }
AbiType F32() { return scalar(K::floating, 4); }
AbiType C128() { return AbiType{K::complex, 16, 8}; }
AbiType C64() { return AbiType{K::complex, 8, 4}; }
AbiType Str() { return AbiType{K::string, 16, 8}; }
AbiType Slice() { return AbiType{K::slice, 24, 8}; }
AbiType Iface() { return AbiType{K::interface, 16, 8}; }

AbiType Struct(std::vector<AbiType> fields) {
  AbiType t{K::structure, 0, 1};
  uint64_t off = 0;
  for (const auto& f : fields) {
    off = (off + f.align - 1) / f.align * f.align;
    t.field_offsets.push_back(off);
    off += f.size;
    t.align = std::max(t.align, f.align);
  }
  t.size = (off + t.align - 1) / t.align * t.align;
  t.fields = std::move(fields);
  return t;
}

AbiType Array(AbiType elem, uint64_t n) {
  AbiType t{K::array, elem.size * n, elem.align};
  t.array_len = n;
  t.fields.push_back(std::move(elem));
  return t;
}

AbiType Point() { return Struct({Int(), Int(), Str()}); }  // {X, Y int; Name string}

std::vector<int> regs(const ValueLocation& v) {
  EXPECT_FALSE(v.on_stack);
  std::vector<int> out;
  for (const auto& p : v.pieces) out.push_back(p.dwarf_reg);
  return out;
}

std::vector<uint64_t> offsets(const ValueLocation& v) {
  std::vector<uint64_t> out;
  for (const auto& p : v.pieces) out.push_back(p.value_offset);
  return out;
}

std::vector<uint64_t> sizes(const ValueLocation& v) {
  std::vector<uint64_t> out;
  for (const auto& p : v.pieces) out.push_back(p.size);
  return out;
}

void expect_stack(const ValueLocation& v, int64_t off) {
  EXPECT_TRUE(v.on_stack);
  EXPECT_THAT(v.pieces, IsEmpty());
  EXPECT_EQ(v.stack_offset, off);
}

FrameLayout amd64(std::vector<AbiType> params, std::vector<AbiType> results = {}) {
  return assign_frame(Machine::amd64, params, results);
}
FrameLayout arm64(std::vector<AbiType> params, std::vector<AbiType> results = {}) {
  return assign_frame(Machine::arm64, params, results);
}

TEST(AbiAmd64, TwoInts) {
  auto f = amd64({Int(), Int()}, {Int()});
  ASSERT_EQ(f.params.size(), 2u);
  EXPECT_THAT(regs(f.params[0]), ElementsAre(RAX));
  EXPECT_THAT(regs(f.params[1]), ElementsAre(RBX));
  EXPECT_THAT(regs(f.results[0]), ElementsAre(RAX));
  EXPECT_EQ(f.stack_args_size, 0u);
}

// tracing-facts §4.1: func mixed(s string, f float64, p Point, sl []byte,
// e error, i interface{}) (int, string), checked against DWARF locations.
TEST(AbiAmd64, MixedMatchesGoDwarf) {
  auto f = amd64({Str(), F64(), Point(), Slice(), Iface(), Iface()}, {Int(), Str()});
  EXPECT_THAT(regs(f.params[0]), ElementsAre(RAX, RBX));
  EXPECT_THAT(offsets(f.params[0]), ElementsAre(0u, 8u));
  EXPECT_THAT(regs(f.params[1]), ElementsAre(X0));
  EXPECT_TRUE(f.params[1].pieces[0].is_float);
  EXPECT_THAT(regs(f.params[2]), ElementsAre(RCX, RDI, RSI, R8));
  EXPECT_THAT(offsets(f.params[2]), ElementsAre(0u, 8u, 16u, 24u));
  EXPECT_THAT(regs(f.params[3]), ElementsAre(R9, R10, R11));
  expect_stack(f.params[4], 8);   // e: needs 2, none left
  expect_stack(f.params[5], 24);  // i
  EXPECT_THAT(regs(f.results[0]), ElementsAre(RAX));
  EXPECT_THAT(regs(f.results[1]), ElementsAre(RBX, RCX));
  EXPECT_EQ(f.stack_args_size, 32u);
}

// main.twelve in the types fixture reads a10..a12 from 0x8/0x10/0x18(SP).
TEST(AbiAmd64, TwelveInts) {
  auto f = amd64(std::vector<AbiType>(12, Int()), {Int()});
  EXPECT_THAT(regs(f.params[0]), ElementsAre(RAX));
  EXPECT_THAT(regs(f.params[8]), ElementsAre(R11));
  expect_stack(f.params[9], 8);
  expect_stack(f.params[10], 16);
  expect_stack(f.params[11], 24);
  EXPECT_THAT(regs(f.results[0]), ElementsAre(RAX));
  EXPECT_EQ(f.stack_args_size, 24u);
}

TEST(AbiAmd64, ResultsRestartAtRegisterZero) {
  // func multi(a int, s string) (int, string, bool)
  auto f = amd64({Int(), Str()}, {Int(), Str(), Bool()});
  EXPECT_THAT(regs(f.results[0]), ElementsAre(RAX));
  EXPECT_THAT(regs(f.results[1]), ElementsAre(RBX, RCX));
  EXPECT_THAT(regs(f.results[2]), ElementsAre(RDI));
  EXPECT_THAT(sizes(f.results[2]), ElementsAre(1u));
}

TEST(AbiAmd64, StructMixesFloatAndIntSequences) {
  auto f = amd64({Struct({F64(), Int()}), Int()});
  EXPECT_THAT(regs(f.params[0]), ElementsAre(X0, RAX));
  EXPECT_THAT(offsets(f.params[0]), ElementsAre(0u, 8u));
  EXPECT_TRUE(f.params[0].pieces[0].is_float);
  EXPECT_FALSE(f.params[0].pieces[1].is_float);
  EXPECT_THAT(regs(f.params[1]), ElementsAre(RBX));
}

TEST(AbiAmd64, SmallFieldsTakeWholeRegistersAtTheirOffsets) {
  auto f = amd64({Struct({Int8(), Int16(), Int32()})});
  EXPECT_THAT(regs(f.params[0]), ElementsAre(RAX, RBX, RCX));
  EXPECT_THAT(offsets(f.params[0]), ElementsAre(0u, 2u, 4u));
  EXPECT_THAT(sizes(f.params[0]), ElementsAre(1u, 2u, 4u));
}

TEST(AbiAmd64, ZeroSizeFieldsTakeNothing) {
  auto f = amd64({Struct({Int(), Struct({}), Int()})});
  EXPECT_THAT(regs(f.params[0]), ElementsAre(RAX, RBX));
  EXPECT_THAT(offsets(f.params[0]), ElementsAre(0u, 8u));
}

TEST(AbiAmd64, Arrays) {
  auto f = amd64({Array(Int(), 1), Array(Int(), 2), Int(), Array(F64(), 0), Array(Str(), 1)});
  EXPECT_THAT(regs(f.params[0]), ElementsAre(RAX));
  expect_stack(f.params[1], 8);  // [2]int: never in registers
  EXPECT_EQ(f.stack_args_size, 16u);
  EXPECT_THAT(regs(f.params[2]), ElementsAre(RBX));
  expect_stack(f.params[3], 24);  // zero size: a zero-size stack field
  EXPECT_THAT(regs(f.params[4]), ElementsAre(RCX, RDI));
}

TEST(AbiAmd64, StructThatDoesNotFitGoesWholeToStackLaterArgsStillUseRegisters) {
  // 7 ints use RAX..R9; Point needs 4 of the remaining 2 -> stack, and the
  // counters are reset so the next int still gets R10 and a float gets X0.
  std::vector<AbiType> params(7, Int());
  params.push_back(Point());
  params.push_back(Int());
  params.push_back(F64());
  auto f = amd64(params);
  EXPECT_THAT(regs(f.params[6]), ElementsAre(R9));
  expect_stack(f.params[7], 8);
  EXPECT_THAT(regs(f.params[8]), ElementsAre(R10));
  EXPECT_THAT(regs(f.params[9]), ElementsAre(X0));
  EXPECT_EQ(f.stack_args_size, 32u);
}

TEST(AbiAmd64, InnerArrayFailsTheWholeStruct) {
  auto f = amd64({Struct({Int(), Array(Int(), 2)}), Int()});
  expect_stack(f.params[0], 8);
  EXPECT_THAT(regs(f.params[1]), ElementsAre(RAX));
}

TEST(AbiAmd64, Complex) {
  auto f = amd64({C128(), C64()});
  EXPECT_THAT(regs(f.params[0]), ElementsAre(X0, X1));
  EXPECT_THAT(offsets(f.params[0]), ElementsAre(0u, 8u));
  EXPECT_THAT(sizes(f.params[0]), ElementsAre(8u, 8u));
  EXPECT_THAT(regs(f.params[1]), ElementsAre(X1 + 1, X1 + 2));
  EXPECT_THAT(offsets(f.params[1]), ElementsAre(0u, 4u));
  EXPECT_THAT(sizes(f.params[1]), ElementsAre(4u, 4u));
}

TEST(AbiAmd64, FifteenFloatRegisters) {
  std::vector<AbiType> params(16, F64());
  params.push_back(F32());
  auto f = amd64(params);
  EXPECT_THAT(regs(f.params[14]), ElementsAre(X0 + 14));
  expect_stack(f.params[15], 8);
  expect_stack(f.params[16], 16);
  EXPECT_EQ(f.stack_args_size, 16u);  // 12 bytes, pointer-aligned
}

TEST(AbiAmd64, StackAlignmentAndResultsAfterParams) {
  // 9 ints fill the registers; then int8 at 0, int32 aligned to 4, int at 8.
  std::vector<AbiType> params(9, Int());
  params.push_back(Int8());
  params.push_back(Int32());
  params.push_back(Int());
  // 10 int results: the 10th goes to the results area, which starts after
  // the params area rounded to pointer size (16).
  std::vector<AbiType> results(9, Int());
  results.push_back(Int16());
  auto f = amd64(params, results);
  expect_stack(f.params[9], 8 + 0);
  expect_stack(f.params[10], 8 + 4);
  expect_stack(f.params[11], 8 + 8);
  EXPECT_THAT(regs(f.results[8]), ElementsAre(R11));
  expect_stack(f.results[9], 8 + 16);
  EXPECT_EQ(f.stack_args_size, 24u);
}

TEST(AbiAmd64, ReceiverComesFirst) {
  // func (p Point) Sum() int
  auto f = amd64({Point()}, {Int()});
  EXPECT_THAT(regs(f.params[0]), ElementsAre(RAX, RBX, RCX, RDI));
  EXPECT_THAT(regs(f.results[0]), ElementsAre(RAX));
}

TEST(AbiAmd64, Empty) {
  auto f = amd64({});
  EXPECT_THAT(f.params, IsEmpty());
  EXPECT_THAT(f.results, IsEmpty());
  EXPECT_EQ(f.stack_args_size, 0u);
}

TEST(AbiArm64, MixedUsesSixteenIntRegisters) {
  auto f = arm64({Str(), F64(), Point(), Slice(), Iface(), Iface()}, {Int(), Str()});
  EXPECT_THAT(regs(f.params[0]), ElementsAre(0, 1));
  EXPECT_THAT(regs(f.params[1]), ElementsAre(64));
  EXPECT_THAT(regs(f.params[2]), ElementsAre(2, 3, 4, 5));
  EXPECT_THAT(regs(f.params[3]), ElementsAre(6, 7, 8));
  EXPECT_THAT(regs(f.params[4]), ElementsAre(9, 10));
  EXPECT_THAT(regs(f.params[5]), ElementsAre(11, 12));
  EXPECT_THAT(regs(f.results[0]), ElementsAre(0));
  EXPECT_THAT(regs(f.results[1]), ElementsAre(1, 2));
  EXPECT_EQ(f.stack_args_size, 0u);
}

TEST(AbiArm64, SeventeenInts) {
  auto f = arm64(std::vector<AbiType>(18, Int()));
  EXPECT_THAT(regs(f.params[15]), ElementsAre(15));
  expect_stack(f.params[16], 8);
  expect_stack(f.params[17], 16);
}

TEST(AbiArm64, SixteenFloatRegisters) {
  auto f = arm64(std::vector<AbiType>(17, F64()));
  EXPECT_THAT(regs(f.params[15]), ElementsAre(79));
  expect_stack(f.params[16], 8);
}

TEST(AbiArm64, StructThatDoesNotFit) {
  std::vector<AbiType> params(14, Int());
  params.push_back(Slice());  // needs 3, 2 left
  params.push_back(Str());    // fits exactly
  auto f = arm64(params, {Array(Int(), 2), Int()});
  expect_stack(f.params[14], 8);
  EXPECT_THAT(regs(f.params[15]), ElementsAre(14, 15));
  expect_stack(f.results[0], 8 + 24);
  EXPECT_THAT(regs(f.results[1]), ElementsAre(0));
  EXPECT_EQ(f.stack_args_size, 40u);
}

}  // namespace
}  // namespace gotrace::arch
