// Where g sits relative to the thread pointer, for code that does not keep
// it in R14 (amd64 ABI0).
#include "fixture_dir.h"
#include "elf_image.h"
#include "gotrace/symbols/binary.h"

#include <gtest/gtest.h>

#include <string>

namespace gotrace::symbols {
namespace {

std::string fixture(const std::string& name) { return gotrace::testing::fixture_dir() + "/" + name; }

std::optional<int64_t> tls_offset_of(const std::string& path) {
  auto bin = Binary::open(path);
  EXPECT_TRUE(bin) << bin.error().message;
  return bin ? (*bin)->g_tls_offset() : std::nullopt;
}

TEST(GTls, GoLinkerSlotIsFsMinus8) {
  EXPECT_EQ(tls_offset_of(fixture("demo-O")), -8);
  EXPECT_EQ(tls_offset_of(fixture("demo-stripped")), -8);
}

// The external linker places runtime.tlsg in the PT_TLS block, which ends at
// the thread pointer, padded so the block start keeps the segment's
// alignment. cgo-N's block is one aligned word (so -8 again); a rewritten
// copy with a bigger, more aligned block moves the slot.
TEST(GTls, ExternalLinkerSlotFollowsThePtTlsBlock) {
  EXPECT_EQ(tls_offset_of(fixture("cgo-N")), -8);
  testing::ElfImage img(fixture("cgo-N"));
  Elf64_Phdr* tls = img.segment(PT_TLS);
  ASSERT_NE(tls, nullptr);
  ASSERT_EQ(tls->p_vaddr % 16, 0u);
  tls->p_memsz = 0x18;
  tls->p_align = 0x10;
  // 0x18 bytes padded to keep (start % 16) == (vaddr % 16): 0x20.
  EXPECT_EQ(tls_offset_of(img.write("cgo-N-tls20")), -0x20);
}

}  // namespace
}  // namespace gotrace::symbols
