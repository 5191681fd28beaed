#include "gotrace/arch/calls.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace gotrace::arch {
namespace {

// Go-style amd64: the stack check's CALL runtime.morestack_noctxt, two calls
// of one function, a call through a register (not found), a RET.
TEST(DirectCalls, Amd64CallRel32InOrderOnce) {
  const uint64_t entry = 0x401000;
  std::vector<uint8_t> code = {
      0xe8, 0xfb, 0x0f, 0x00, 0x00,  // 401000 call 0x402000
      0xe8, 0xf6, 0x0f, 0x00, 0x00,  // 401005 call 0x402000 (again)
      0xff, 0xd1,                    // 40100a call rcx
      0xe8, 0xef, 0xef, 0xff, 0xff,  // 40100c call 0x400000 (backwards)
      0xc3,                          // 401011 ret
  };
  auto t = direct_call_targets(Machine::amd64, code, entry);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(*t, (std::vector<uint64_t>{0x402000, 0x400000}));
}

TEST(DirectCalls, Arm64BranchWithLink) {
  const uint64_t entry = 0x10000;
  // bl +0x100, b +8 (not a call), bl -4, blr x1 (register: not found), ret
  std::vector<uint32_t> words = {0x94000040, 0x14000002, 0x97ffffff, 0xd63f0020, 0xd65f03c0};
  std::vector<uint8_t> code(words.size() * 4);
  std::memcpy(code.data(), words.data(), code.size());
  auto t = direct_call_targets(Machine::arm64, code, entry);
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(*t, (std::vector<uint64_t>{0x10100, 0x10004}));
}

TEST(DirectCalls, UndecodableCodeIsAnError) {
  std::vector<uint8_t> code = {0xe8, 0x00};  // truncated call
  EXPECT_FALSE(direct_call_targets(Machine::amd64, code, 0x1000));
  std::vector<uint8_t> odd = {0x00, 0x00, 0x00};
  EXPECT_FALSE(direct_call_targets(Machine::arm64, odd, 0x1000));
}

// The addresses code takes from the pc: what --follow-calls reads function
// values and closures' code from.
TEST(AddressReferences, Amd64RipRelativeLeaOnly) {
  const uint64_t entry = 0x1000;
  std::vector<uint8_t> code = {
      0x48, 0x8d, 0x05, 0x10, 0x00, 0x00, 0x00,  // lea rax, [rip+0x10]   -> 0x1017
      0x48, 0x8b, 0x05, 0x20, 0x00, 0x00, 0x00,  // mov rax, [rip+0x20]   (a load: not taken)
      0x48, 0x8d, 0x0d, 0xf9, 0xff, 0xff, 0xff,  // lea rcx, [rip-7]      -> 0x100e
      0x48, 0x8d, 0x05, 0xfb, 0xff, 0xff, 0xff,  // lea rax, [rip-5]      -> 0x1017 again
      0x48, 0x8d, 0x04, 0x24,                    // lea rax, [rsp]        (not pc-relative)
      0xc3};
  auto refs = address_references(Machine::amd64, code, entry);
  ASSERT_TRUE(refs) << refs.error().message;
  EXPECT_EQ(*refs, (std::vector<uint64_t>{0x1017, 0x100e}));
}

TEST(AddressReferences, Arm64AdrpAddPairs) {
  const uint64_t entry = 0x10000;
  std::vector<uint32_t> words = {
      0xb0000000, 0x91004000,  // adrp x0, +1 page; add x0, x0, #0x10   -> 0x11010
      0x90000001, 0x91002022,  // adrp x1, +0; add x2, x1, #8            (another register: not a pair)
      0xf0ffffe3, 0x91008063,  // adrp x3, -1 page; add x3, x3, #0x20   -> 0xf020
      0xd65f03c0};
  std::vector<uint8_t> code(words.size() * 4);
  std::memcpy(code.data(), words.data(), code.size());
  auto refs = address_references(Machine::arm64, code, entry);
  ASSERT_TRUE(refs) << refs.error().message;
  EXPECT_EQ(*refs, (std::vector<uint64_t>{0x11010, 0xf020}));
}

}  // namespace
}  // namespace gotrace::arch
