#include "pairing.h"
#include "record.h"

#include <gtest/gtest.h>

#include <cstring>

namespace gotrace::tracer {
namespace {

std::vector<uint8_t> make_record(std::vector<uint64_t> words,
                                 std::vector<std::pair<gt_deref_header, std::string>> derefs) {
  gt_event_header h{};
  h.goid = 7;
  h.n_words = static_cast<uint16_t>(words.size());
  h.n_derefs = static_cast<uint16_t>(derefs.size());
  std::vector<uint8_t> out(sizeof h);
  std::memcpy(out.data(), &h, sizeof h);
  for (uint64_t w : words) {
    uint8_t b[8];
    std::memcpy(b, &w, 8);
    out.insert(out.end(), b, b + 8);
  }
  for (auto& [dh, bytes] : derefs) {
    uint8_t b[sizeof dh];
    std::memcpy(b, &dh, sizeof dh);
    out.insert(out.end(), b, b + sizeof dh);
    out.insert(out.end(), bytes.begin(), bytes.end());
    out.resize((out.size() + 7) & ~size_t{7});
  }
  return out;
}

TEST(Record, ParsesWordsAndBlobs) {
  auto raw = make_record({1, 2}, {{{0x1000, 5, GT_DEREF_OK}, "hello"},
                                  {{0x2000, 0, GT_DEREF_FAULT}, ""}});
  auto r = parse_record(raw);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->hdr.goid, 7u);
  EXPECT_EQ(std::vector<uint64_t>(r->words.begin(), r->words.end()), (std::vector<uint64_t>{1, 2}));
  ASSERT_EQ(r->blobs.size(), 2u);
  EXPECT_EQ(std::string(r->blobs[0].bytes.begin(), r->blobs[0].bytes.end()), "hello");
  EXPECT_EQ(r->blobs[1].status, static_cast<uint32_t>(GT_DEREF_FAULT));

  CapturedMemory mem(*r, nullptr);
  auto inner = mem.read(0x1001, 3);
  ASSERT_TRUE(inner);
  EXPECT_EQ(std::string(inner->begin(), inner->end()), "ell");
  EXPECT_FALSE(mem.read(0x1003, 3));  // runs past what was captured
  EXPECT_FALSE(mem.read(0x2000, 1));  // the read faulted
  EXPECT_FALSE(mem.read(0x5000, 1));
}

TEST(Record, RejectsTruncatedRecords) {
  auto raw = make_record({1, 2}, {{{0x1000, 5, GT_DEREF_OK}, "hello"}});
  for (size_t cut : {size_t{10}, sizeof(gt_event_header) + 4, raw.size() - 8}) {
    auto r = parse_record(std::span<const uint8_t>(raw.data(), cut));
    ASSERT_FALSE(r) << cut;
    EXPECT_EQ(r.error().code, Errc::corrupt);
  }
}

std::optional<uint64_t> started(Pairing& p, const CallKey& k) {
  auto c = p.returned(k);
  if (!c) return std::nullopt;
  return c->ts;
}

TEST(Pairing, MatchesReturnsByGoroutineDepthAndFunction) {
  Pairing p;
  p.entered({1, 100, 0}, {1000});
  p.entered({1, 200, 0}, {1100});  // recursion: a deeper frame
  p.entered({2, 100, 0}, {1200});  // another goroutine
  EXPECT_EQ(started(p, {1, 200, 0}), std::optional<uint64_t>(1100));
  EXPECT_EQ(started(p, {2, 100, 0}), std::optional<uint64_t>(1200));
  EXPECT_EQ(started(p, {1, 100, 0}), std::optional<uint64_t>(1000));
  EXPECT_EQ(started(p, {1, 100, 0}), std::nullopt);  // already paired
}

TEST(Pairing, AFrameAbandonedByAPanicIsReplacedByTheNextCall) {
  Pairing p;
  p.entered({1, 300, 4}, {1000});  // panics, never returns
  p.entered({1, 300, 4}, {5000});  // next call at the same depth
  EXPECT_EQ(started(p, {1, 300, 4}), std::optional<uint64_t>(5000));
}

}  // namespace
}  // namespace gotrace::tracer
