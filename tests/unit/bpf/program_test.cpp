// Kernel tests of the trace program, in the BPF selftest style: the probes go
// on functions of this test binary and the test itself triggers them. These
// need root (CAP_BPF + CAP_PERFMON) and fail loudly without it: CI runs as
// root with BPF available, so a skip would hide a broken backend.
#include "gotrace/bpf/program.h"

#include <gtest/gtest.h>

#include <dlfcn.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern "C" __attribute__((noinline, used)) long gt_test_target(long a, long b,
                                                               const char* s, long n) {
  asm volatile("" ::: "memory");
  return a + b + (s ? s[0] : 0) + n;
}

namespace gotrace::bpf {
namespace {

// File offset of `fn` in the executable that maps it.
uint64_t file_offset_of(void* fn, std::string* path) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  auto addr = reinterpret_cast<uint64_t>(fn);
  while (std::getline(maps, line)) {
    uint64_t lo, hi, off;
    char perms[8], dev[16];
    unsigned long inode;
    char file[512] = {};
    if (sscanf(line.c_str(), "%lx-%lx %7s %lx %15s %lu %511s", &lo, &hi, perms, &off,
               dev, &inode, file) >= 6 &&
        addr >= lo && addr < hi) {
      *path = file;
      return addr - lo + off;
    }
  }
  return 0;
}

struct Decoded {
  gt_event_header hdr;
  std::vector<uint64_t> words;
  std::vector<std::pair<gt_deref_header, std::string>> derefs;
};

Decoded decode(std::span<const uint8_t> rec) {
  Decoded d{};
  std::memcpy(&d.hdr, rec.data(), sizeof d.hdr);
  size_t pos = sizeof d.hdr;
  for (int i = 0; i < d.hdr.n_words; i++, pos += 8) {
    uint64_t w;
    std::memcpy(&w, rec.data() + pos, 8);
    d.words.push_back(w);
  }
  for (int i = 0; i < d.hdr.n_derefs; i++) {
    gt_deref_header dh;
    std::memcpy(&dh, rec.data() + pos, sizeof dh);
    pos += sizeof dh;
    d.derefs.emplace_back(dh, std::string(reinterpret_cast<const char*>(rec.data() + pos), dh.len));
    pos += (dh.len + 7) & ~7u;
  }
  return d;
}

Result<std::unique_ptr<TraceProgram>> load_for_this_process(uint32_t ring_bytes = 1 << 20) {
  ProgramOptions opts;
  opts.tgid = getpid();
  opts.ring_bytes = ring_bytes;
  opts.max_specs = 8;
  return TraceProgram::load(opts);
}

// gt_test_target's four arguments (System V ABI: a=RDI(5) b=RSI(4) s=RDX(1)
// n=RCX(2)) and the string, its length taken from n.
gt_spec target_spec() {
  gt_spec spec{};
  spec.n_word_ops = 4;
  spec.words[0] = {GT_WORD_REG, 5, 0, 0};
  spec.words[1] = {GT_WORD_REG, 4, 0, 0};
  spec.words[2] = {GT_WORD_REG, 1, 0, 0};
  spec.words[3] = {GT_WORD_REG, 2, 0, 0};
  spec.n_derefs = 1;
  spec.derefs[0] = {GT_SRC_WORD, GT_SRC_WORD, 1, 2, 0, 3, 0, 64, 0, 0};
  return spec;
}

TEST(TraceProgram, CapturesRegistersAndStrings) {
  ASSERT_EQ(geteuid(), 0u) << "eBPF tests need root: run the suite as root";
  auto prog = load_for_this_process();
  ASSERT_TRUE(prog) << prog.error().message;

  gt_spec spec = target_spec();
  spec.fn_id = 7;
  spec.n_derefs = 2;
  // 8 bytes from an earlier deref's payload used as a pointer: not captured
  // because the payload is only 5 bytes long.
  spec.derefs[1] = {GT_SRC_DEREF, GT_SRC_NONE, 1, 0, 0, 0, 0, 8, 0, 0};
  ASSERT_TRUE((*prog)->set_spec(3, spec));

  std::string path;
  uint64_t off = file_offset_of(reinterpret_cast<void*>(&gt_test_target), &path);
  ASSERT_NE(off, 0u);
  Site site{off, 3};
  auto att = (*prog)->attach(path, std::span<const Site>(&site, 1), getpid());
  ASSERT_TRUE(att) << att.error().message;

  const char* text = "hello, gopher";
  for (int i = 0; i < 100; i++) gt_test_target(i, 2 * i, text, 5);

  std::vector<Decoded> got;
  auto n = (*prog)->drain([&](std::span<const uint8_t> rec) { got.push_back(decode(rec)); });
  ASSERT_TRUE(n);
  ASSERT_EQ(got.size(), 100u);
  for (int i = 0; i < 100; i++) {
    const Decoded& d = got[i];
    EXPECT_EQ(d.hdr.spec_id, 3u);
    EXPECT_EQ(d.hdr.tgid, static_cast<uint32_t>(getpid()));
    EXPECT_EQ(d.hdr.n_words, 4);
    EXPECT_EQ(d.hdr.ip, reinterpret_cast<uint64_t>(&gt_test_target));
    ASSERT_EQ(d.words.size(), 4u);
    EXPECT_EQ(d.words[0], static_cast<uint64_t>(i));
    EXPECT_EQ(d.words[1], static_cast<uint64_t>(2 * i));
    EXPECT_EQ(d.words[2], reinterpret_cast<uint64_t>(text));
    EXPECT_EQ(d.words[3], 5u);
    ASSERT_EQ(d.derefs.size(), 2u);
    EXPECT_EQ(d.derefs[0].first.status, static_cast<uint32_t>(GT_DEREF_OK));
    EXPECT_EQ(d.derefs[0].first.addr, reinterpret_cast<uint64_t>(text));
    EXPECT_EQ(d.derefs[0].second, "hello");
    EXPECT_EQ(d.derefs[1].first.status, static_cast<uint32_t>(GT_DEREF_NOSRC));
  }
  EXPECT_EQ((*prog)->lost(), 0u);

  // Detaching stops the events.
  att->reset();
  gt_test_target(1, 2, text, 5);
  size_t after = 0;
  ASSERT_TRUE((*prog)->drain([&](std::span<const uint8_t>) { after++; }));
  EXPECT_EQ(after, 0u);
}

// What the capture of a map's slots needs from the kernel side, as the
// ptrace backend's copy does it (hit_record_test.cpp): a gather op reads
// every non-empty slot of a block; lengthMask- and B-style counts bound a
// chunk that starts `add` bytes into an array.
TEST(TraceProgram, GathersMapSlotsAndBoundsArrayChunks) {
  ASSERT_EQ(geteuid(), 0u) << "eBPF tests need root: run the suite as root";
  auto prog = load_for_this_process();
  ASSERT_TRUE(prog) << prog.error().message;

  struct Slot {
    const char* p;
    long n;
  };
  static Slot slots[8] = {};
  static const char text[] = "abcdefgh";
  for (long i : {1L, 4L, 6L}) slots[i] = {text, i};
  gt_spec spec = target_spec();  // s = RDX, n = RCX
  spec.n_derefs = 4;
  spec.derefs[0] = {GT_SRC_WORD, GT_SRC_NONE, 1, 2, 0, 0, 0, sizeof slots, 0, 0};
  spec.derefs[1] = {GT_SRC_DEREF, GT_SRC_DEREF, 1, 0, 0, 0, 8, 64, GT_DEREF_GATHER, 0, 16, 8};
  // n = 3: lengthMask 3 is 4 blocks of 16 bytes; from 16 bytes in, 48.
  spec.derefs[2] = {GT_SRC_WORD, GT_SRC_WORD, 16, 2, 0, 3, 0, 1000, GT_DEREF_LEN_PLUS_ONE, 16};
  // 3 as B: 8 blocks of 8 bytes, from 40 bytes in: 24.
  spec.derefs[3] = {GT_SRC_WORD, GT_SRC_WORD, 8, 2, 0, 3, 0, 1000, GT_DEREF_LEN_POW2, 40};
  ASSERT_TRUE((*prog)->set_spec(3, spec));
  std::string path;
  uint64_t off = file_offset_of(reinterpret_cast<void*>(&gt_test_target), &path);
  Site site{off, 3};
  auto att = (*prog)->attach(path, std::span<const Site>(&site, 1), getpid());
  ASSERT_TRUE(att) << att.error().message;
  gt_test_target(1, 2, reinterpret_cast<const char*>(slots), 3);

  std::vector<Decoded> got;
  ASSERT_TRUE((*prog)->drain([&](std::span<const uint8_t> rec) { got.push_back(decode(rec)); }));
  ASSERT_EQ(got.size(), 1u);
  const auto& d = got[0].derefs;
  ASSERT_EQ(d.size(), 6u);
  EXPECT_EQ(d[0].second.size(), sizeof slots);
  std::vector<std::string> gathered{d[1].second, d[2].second, d[3].second};
  EXPECT_EQ(gathered, (std::vector<std::string>{"a", "abcd", "abcdef"}));
  EXPECT_EQ(d[1].first.addr, reinterpret_cast<uint64_t>(text));
  EXPECT_EQ(d[4].first.addr, reinterpret_cast<uint64_t>(slots) + 16);
  EXPECT_EQ(d[4].first.len, 48u);
  EXPECT_EQ(d[5].first.addr, reinterpret_cast<uint64_t>(slots) + 40);
  EXPECT_EQ(d[5].first.len, 24u);
}

// The ring is mapped once (event_ring.h): records that wrap past its end
// are read whole. A one-page ring and records of 120-136 bytes (4096 is no
// multiple of them) put records across the wrap on most of its 15 rounds.
TEST(TraceProgram, RecordsThatWrapAroundTheRingAreReadWhole) {
  ASSERT_EQ(geteuid(), 0u) << "eBPF tests need root: run the suite as root";
  auto prog = load_for_this_process(4096);
  ASSERT_TRUE(prog) << prog.error().message;
  ASSERT_TRUE((*prog)->set_spec(1, target_spec()));
  std::string path;
  uint64_t off = file_offset_of(reinterpret_cast<void*>(&gt_test_target), &path);
  Site site{off, 1};
  auto att = (*prog)->attach(path, std::span<const Site>(&site, 1), getpid());
  ASSERT_TRUE(att) << att.error().message;

  const char* text = "0123456789abcdef";
  size_t sizes = 0;
  for (int i = 0; i < 500; i++) {
    gt_test_target(i, 3 * i, text, 1 + i % 16);
    std::vector<Decoded> got;
    auto n = (*prog)->drain([&](std::span<const uint8_t> rec) {
      sizes += rec.size();
      got.push_back(decode(rec));
    });
    ASSERT_TRUE(n);
    ASSERT_EQ(got.size(), 1u) << "hit " << i;
    EXPECT_EQ(got[0].words, (std::vector<uint64_t>{static_cast<uint64_t>(i), static_cast<uint64_t>(3 * i),
                                                   reinterpret_cast<uint64_t>(text),
                                                   static_cast<uint64_t>(1 + i % 16)}))
        << "hit " << i;
    ASSERT_EQ(got[0].derefs.size(), 1u);
    EXPECT_EQ(got[0].derefs[0].second, std::string(text, 1 + i % 16)) << "hit " << i;
  }
  EXPECT_GT(sizes, 10u * 4096u);  // the ring went round many times
  EXPECT_EQ((*prog)->lost(), 0u);
}

TEST(TraceProgram, RejectsBadOffsetsWithAClearError) {
  ASSERT_EQ(geteuid(), 0u) << "eBPF tests need root: run the suite as root";
  auto prog = TraceProgram::load(ProgramOptions{});
  ASSERT_TRUE(prog) << prog.error().message;
  Site site{1ull << 40, 0};
  auto att = (*prog)->attach("/proc/self/exe", std::span<const Site>(&site, 1), getpid());
  ASSERT_FALSE(att);
  EXPECT_NE(att.error().message.find("uprobe_multi link on /proc/self/exe (1 sites)"),
            std::string::npos)
      << att.error().message;
}

}  // namespace
}  // namespace gotrace::bpf

namespace gotrace::bpf {
namespace {

// Runs gt_test_target(a, -a, nullptr, n) for a in [-50, 50) under `preds`
// and returns the `a` of every recorded hit.
std::vector<int64_t> filtered_hits(std::vector<gt_pred> preds, long n = 7, uint8_t hit_op = GT_HIT_NONE,
                                   uint64_t hit_value = 0, std::vector<uint64_t>* counts = nullptr) {
  auto prog = load_for_this_process();
  EXPECT_TRUE(prog) << prog.error().message;
  if (!prog) return {};
  gt_spec spec{};
  spec.n_word_ops = 3;
  spec.words[0] = {GT_WORD_REG, 5, 0, 0};  // a (RDI)
  spec.words[1] = {GT_WORD_REG, 4, 0, 0};  // b (RSI)
  spec.words[2] = {GT_WORD_REG, 2, 0, 0};  // n (RCX)
  spec.n_preds = static_cast<gt_u8>(preds.size());
  for (size_t i = 0; i < preds.size(); i++) spec.preds[i] = preds[i];
  spec.hit_op = hit_op;
  spec.hit_value = hit_value;
  spec.counter = 2;
  EXPECT_TRUE((*prog)->set_hit_count(2, 100));  // counts continue from here
  EXPECT_TRUE((*prog)->set_spec(1, spec));
  std::string path;
  uint64_t off = file_offset_of(reinterpret_cast<void*>(&gt_test_target), &path);
  Site site{off, 1};
  auto att = (*prog)->attach(path, std::span<const Site>(&site, 1), getpid());
  EXPECT_TRUE(att) << att.error().message;
  if (!att) return {};
  for (long a = -50; a < 50; a++) gt_test_target(a, -a, nullptr, n);
  std::vector<int64_t> out;
  EXPECT_TRUE((*prog)->drain([&](std::span<const uint8_t> rec) {
    Decoded d = decode(rec);
    out.push_back(static_cast<int64_t>(d.words.at(0)));
    EXPECT_EQ(d.words.size(), hit_op ? 4u : 3u);
    EXPECT_EQ((d.hdr.flags & GT_EVENT_COUNTED) != 0, hit_op != GT_HIT_NONE);
    if (counts && hit_op) counts->push_back(d.words.back());
  }));
  if (hit_op) {
    auto total = (*prog)->hit_count(2);
    EXPECT_TRUE(total);
    if (counts && total) counts->push_back(*total);
  }
  return out;
}

std::vector<int64_t> range(int64_t lo, int64_t hi) {
  std::vector<int64_t> v;
  for (int64_t i = lo; i < hi; i++) v.push_back(i);
  return v;
}

gt_pred pred(uint16_t word, uint8_t op, int64_t value, uint8_t size = 8, bool is_signed = true) {
  gt_pred p{};
  p.word = word;
  p.op = op;
  p.size = size;
  p.is_signed = is_signed;
  p.value = static_cast<uint64_t>(value);
  return p;
}

TEST(TraceProgram, KernelPredicatesDropHitsBeforeTheyAreRecorded) {
  ASSERT_EQ(geteuid(), 0u) << "eBPF tests need root: run the suite as root";
  EXPECT_EQ(filtered_hits({}), range(-50, 50));
  EXPECT_EQ(filtered_hits({pred(0, GT_CMP_EQ, 17)}), std::vector<int64_t>{17});
  EXPECT_EQ(filtered_hits({pred(0, GT_CMP_NE, 0)}).size(), 99u);
  EXPECT_EQ(filtered_hits({pred(0, GT_CMP_LT, -48)}), range(-50, -48));
  EXPECT_EQ(filtered_hits({pred(0, GT_CMP_LE, -48)}), range(-50, -47));
  EXPECT_EQ(filtered_hits({pred(0, GT_CMP_GT, 47)}), range(48, 50));
  EXPECT_EQ(filtered_hits({pred(0, GT_CMP_GE, 47)}), range(47, 50));
  // A conjunction: every term must hold.
  EXPECT_EQ(filtered_hits({pred(0, GT_CMP_GE, 10), pred(1, GT_CMP_GT, -13)}), range(10, 13));
  // Groups: some group all true (a >= 47 || a <= -49 && b > -99).
  gt_pred high = pred(0, GT_CMP_GE, 47), low = pred(0, GT_CMP_LE, -49), b = pred(1, GT_CMP_GT, -99);
  low.group = b.group = 1;
  std::vector<int64_t> want = {-50, -49, 47, 48, 49};
  EXPECT_EQ(filtered_hits({high, low, b}), want);
  b = pred(1, GT_CMP_GT, 49);  // b = -a: the group now keeps a = -50 only
  b.group = 1;
  EXPECT_EQ(filtered_hits({high, low, b}), (std::vector<int64_t>{-50, 47, 48, 49}));
  // Unsigned: negative numbers are huge.
  EXPECT_EQ(filtered_hits({pred(0, GT_CMP_LT, 3, 8, false)}), range(0, 3));
  // Narrow operands use only their low bytes, sign-extended when signed:
  // as an int8, a = -50..49 is itself; as a uint8, -1 is 255.
  EXPECT_EQ(filtered_hits({pred(0, GT_CMP_LT, -45, 1, true)}), range(-50, -45));
  EXPECT_EQ(filtered_hits({pred(0, GT_CMP_GE, 250, 1, false)}), range(-6, 0));
  // A term on a word that was not captured fails, like a condition that
  // cannot be evaluated.
  EXPECT_EQ(filtered_hits({pred(5, GT_CMP_EQ, 0)}), std::vector<int64_t>{});
  // Every hit fails on n.
  EXPECT_EQ(filtered_hits({pred(2, GT_CMP_EQ, 8)}, 7), std::vector<int64_t>{});
}

TEST(TraceProgram, KernelHitConditionsCountHitsThatPassThePredicates) {
  ASSERT_EQ(geteuid(), 0u) << "eBPF tests need root: run the suite as root";
  // The counter starts at 100; 50 hits pass a >= 0: counts 101..150, and
  // every 20th is recorded with its count as a last word.
  std::vector<uint64_t> counts;
  EXPECT_EQ(filtered_hits({pred(0, GT_CMP_GE, 0)}, 7, GT_HIT_MOD, 20, &counts), (std::vector<int64_t>{19, 39}));
  EXPECT_EQ(counts, (std::vector<uint64_t>{120, 140, 150}));
  counts.clear();
  EXPECT_EQ(filtered_hits({}, 7, GT_HIT_GT, 197, &counts), (std::vector<int64_t>{47, 48, 49}));
  EXPECT_EQ(counts, (std::vector<uint64_t>{198, 199, 200, 200}));
  EXPECT_EQ(filtered_hits({}, 7, GT_HIT_EQ, 101), (std::vector<int64_t>{-50}));
}

}  // namespace
}  // namespace gotrace::bpf
