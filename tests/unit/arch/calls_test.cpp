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

}  // namespace
}  // namespace gotrace::arch
