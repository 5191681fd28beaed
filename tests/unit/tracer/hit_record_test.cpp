// build_hit_record against hand-made specs: every rule of trace.bpf.c's
// gotrace_probe, checked through the shared decoder (parse_record).
#include "hit_record.h"
#include "record.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <string>
#include <thread>

namespace gotrace::tracer {
namespace {

std::vector<uint64_t> words_of(const Record& rec) {
  return {rec.words.begin(), rec.words.end()};
}

constexpr uint64_t kSp = 0x7ffe'0000'1000;
constexpr uint64_t kG = 0xc000'0100'0000;
constexpr uint64_t kStackHi = kSp + 0x4000;
constexpr uint64_t kPc = 0x45'1000;
constexpr uint64_t kGoidOffset = 152, kStackHiOffset = 8;
constexpr uint64_t kNeg1 = ~uint64_t{0};

// Byte-granular memory with holes. A failed read scribbles on `out`, so the
// code under test must not rely on what a failed read leaves behind.
class FakeMemory final : public TargetMemory {
 public:
  bool read(uint64_t addr, void* out, size_t len) override {
    auto* p = static_cast<uint8_t*>(out);
    for (size_t i = 0; i < len; i++) {
      auto it = bytes_.find(addr + i);
      if (it == bytes_.end()) {
        std::memset(out, 0xaa, len);
        return false;
      }
      p[i] = it->second;
    }
    return true;
  }
  void put(uint64_t addr, const void* src, size_t len) {
    for (size_t i = 0; i < len; i++) bytes_[addr + i] = static_cast<const uint8_t*>(src)[i];
  }
  void put_u64(uint64_t addr, uint64_t v) { put(addr, &v, 8); }
  void put_str(uint64_t addr, const std::string& s) { put(addr, s.data(), s.size()); }
  void erase(uint64_t addr, size_t len) {
    for (size_t i = 0; i < len; i++) bytes_.erase(addr + i);
  }

 private:
  std::map<uint64_t, uint8_t> bytes_;
};

// Raw record bytes assembled by hand.
struct Bytes {
  std::vector<uint8_t> b;
  template <class T>
  Bytes& add(const T& v) {
    auto* p = reinterpret_cast<const uint8_t*>(&v);
    b.insert(b.end(), p, p + sizeof v);
    return *this;
  }
  Bytes& str(const std::string& s) {
    b.insert(b.end(), s.begin(), s.end());
    b.resize((b.size() + 7) & ~size_t{7});
    return *this;
  }
};

std::string text(const Blob& blob) { return {blob.bytes.begin(), blob.bytes.end()}; }

class HitRecord : public testing::Test {
 protected:
  gt_spec spec{};
  HitRegisters regs;
  FakeMemory mem;
  HitContext ctx{100, 101, 7, 123456, kGoidOffset, kStackHiOffset};
  HitCounters counters{4};
  std::vector<uint8_t> raw;
  Record rec;

  HitRecord() {
    regs.sp = kSp;
    regs.pc = kPc;
    regs.gpr[14] = kG;
    mem.put_u64(kG + kGoidOffset, 42);
    mem.put_u64(kG + kStackHiOffset, kStackHi);
  }

  // Builds and parses the record; false when none would be written.
  bool hit() {
    auto out = build_hit_record(spec, regs, mem, ctx, counters);
    if (!out) return false;
    raw = std::move(*out);
    auto r = parse_record(raw);
    EXPECT_TRUE(r) << r.error().message;
    if (r) rec = std::move(*r);
    EXPECT_EQ(rec.hdr.size, raw.size());
    return true;
  }
  void reg(uint8_t dwarf) { spec.words[spec.n_word_ops++] = {GT_WORD_REG, dwarf, 0, 0}; }
  void stack(int32_t off, uint16_t count) {
    spec.words[spec.n_word_ops++] = {GT_WORD_STACK, 0, count, off};
  }
  gt_deref_op& deref(uint8_t ptr_src, uint16_t ptr_idx, uint16_t max_bytes) {
    gt_deref_op& d = spec.derefs[spec.n_derefs++];
    d = {};
    d.ptr_src = ptr_src;
    d.ptr_idx = ptr_idx;
    d.max_bytes = max_bytes;
    return d;
  }
  void pred(uint16_t word, uint8_t op, uint8_t size, bool is_signed, uint64_t value) {
    spec.preds[spec.n_preds++] = {word, op, size, is_signed, 0, {}, value};
  }
  std::vector<uint32_t> statuses() const {
    std::vector<uint32_t> out;
    for (const Blob& b : rec.blobs) out.push_back(b.status);
    return out;
  }
  // A Go string header at 0x6000 pointing at "hello" at 0x7000.
  void string_header() {
    mem.put_u64(0x6000, 0x7000);
    mem.put_u64(0x6008, 5);
    mem.put_str(0x7000, "hello");
  }
  // Return address at SP, then frames at kSp + 0x100, 0x200, 0x300 whose
  // saved return addresses are 0x402000, 0x403000, 0x404000; the outermost
  // saved frame pointer is 0.
  void frame_chain() {
    mem.put_u64(kSp, 0x401100);
    for (uint64_t i = 1; i <= 3; i++) {
      uint64_t fp = kSp + i * 0x100;
      mem.put_u64(fp, i < 3 ? fp + 0x100 : 0);
      mem.put_u64(fp + 8, 0x401000 + i * 0x1000);
    }
    regs.gpr[6] = kSp + 0x100;
  }
  // The frames of a hit that asks for more than frame_chain() holds.
  std::vector<uint64_t> walk() {
    spec.stack_frames = 10;
    EXPECT_TRUE(hit());
    return rec.frames;
  }
};

TEST_F(HitRecord, HeaderFields) {
  spec.flags = GT_SPEC_RETURN;
  regs.gpr[0] = 5;
  reg(0);
  ASSERT_TRUE(hit());
  EXPECT_EQ(rec.hdr.ts_ns, 123456u);
  EXPECT_EQ(rec.hdr.goid, 42u);
  EXPECT_EQ(rec.hdr.depth, kStackHi - kSp);
  EXPECT_EQ(rec.hdr.sp, kSp);
  EXPECT_EQ(rec.hdr.ip, kPc);
  EXPECT_EQ(rec.hdr.tgid, 100u);
  EXPECT_EQ(rec.hdr.tid, 101u);
  EXPECT_EQ(rec.hdr.spec_id, 7u);
  EXPECT_EQ(rec.hdr.flags, GT_SPEC_RETURN);
  EXPECT_EQ(rec.hdr.size, sizeof(gt_event_header) + 8);
  EXPECT_EQ(words_of(rec), std::vector<uint64_t>{5});
  EXPECT_EQ(rec.hdr.n_frames, 0u);
  EXPECT_EQ(rec.hdr.n_derefs, 0u);
}

TEST_F(HitRecord, GoroutineFieldsAreReadIndependently) {
  mem.erase(kG + kGoidOffset, 8);
  ASSERT_TRUE(hit());
  EXPECT_EQ(rec.hdr.goid, 0u);
  EXPECT_EQ(rec.hdr.depth, kStackHi - kSp);
  mem.put_u64(kG + kGoidOffset, 42);
  mem.erase(kG + kStackHiOffset, 8);
  ASSERT_TRUE(hit());
  EXPECT_EQ(rec.hdr.goid, 42u);
  EXPECT_EQ(rec.hdr.depth, 0u);
  regs.gpr[14] = 0;  // not in Go code: g is not read at all
  mem.put_u64(kStackHiOffset, kStackHi);
  mem.put_u64(kGoidOffset, 42);
  ASSERT_TRUE(hit());
  EXPECT_EQ(rec.hdr.goid, 0u);
  EXPECT_EQ(rec.hdr.depth, 0u);
}

// On the system stack g is the M's g0 (goid 0): the goroutine is g0.m.curg,
// as Delve reports it; the depth stays the system stack's. No curg (the
// runtime before main) or no offsets: goroutine 0.
TEST_F(HitRecord, SystemStackReportsTheCurrentGoroutine) {
  constexpr uint64_t kM = 0xc000'0200'0000, kCurg = 0xc000'0300'0000;
  ctx.m_offset = 48;
  ctx.curg_offset = 192;
  mem.put_u64(kG + kGoidOffset, 0);
  mem.put_u64(kG + 48, kM);
  mem.put_u64(kM + 192, kCurg);
  mem.put_u64(kCurg + kGoidOffset, 7);
  ASSERT_TRUE(hit());
  EXPECT_EQ(rec.hdr.goid, 7u);
  EXPECT_EQ(rec.hdr.depth, kStackHi - kSp);
  mem.put_u64(kM + 192, 0);
  ASSERT_TRUE(hit());
  EXPECT_EQ(rec.hdr.goid, 0u);
  mem.put_u64(kM + 192, kCurg);
  ctx.m_offset = 0;
  ASSERT_TRUE(hit());
  EXPECT_EQ(rec.hdr.goid, 0u);
}

// ABI0 code need not keep g in R14: such sites read it from the thread
// pointer at the configured offset (fs:-8 for a pure-Go binary).
TEST_F(HitRecord, GFromThreadLocalStorage) {
  constexpr uint64_t kFsBase = 0x9000;
  spec.flags = GT_SPEC_G_FROM_TLS;
  regs.gpr[14] = 0xdead0000;  // clobbered
  regs.thread_pointer = kFsBase;
  mem.put_u64(kFsBase - 8, kG);
  ASSERT_TRUE(hit());
  EXPECT_EQ(rec.hdr.goid, 42u);
  EXPECT_EQ(rec.hdr.depth, kStackHi - kSp);
  // Another slot (an externally linked binary's runtime.tlsg).
  ctx.g_tls_offset = -0x40;
  mem.put_u64(kFsBase - 0x40, kG);
  mem.put_u64(kFsBase - 8, 0);
  ASSERT_TRUE(hit());
  EXPECT_EQ(rec.hdr.goid, 42u);
  // No thread pointer: no g, rather than a guess from R14.
  regs.thread_pointer = 0;
  ASSERT_TRUE(hit());
  EXPECT_EQ(rec.hdr.goid, 0u);
  EXPECT_EQ(rec.hdr.depth, 0u);
}

TEST_F(HitRecord, WholeRecordBytes) {
  spec.flags = GT_SPEC_RETURN;
  spec.hit_op = GT_HIT_GE;
  spec.hit_value = 1;
  spec.stack_frames = 2;
  string_header();
  frame_chain();
  mem.put_u64(kSp + 8, 0x1111);
  regs.gpr[0] = 0x6000;
  reg(0);
  stack(8, 1);
  deref(GT_SRC_WORD, 0, 16);
  gt_deref_op& s = deref(GT_SRC_DEREF, 0, 64);
  s.len_src = GT_SRC_DEREF;
  s.len_off = 8;
  s.elem_size = 1;
  ASSERT_TRUE(hit());

  gt_event_header h{123456, 42, kStackHi - kSp, kSp, kPc, 100, 101, 7, 160, 3, 2,
                    GT_SPEC_RETURN | GT_EVENT_COUNTED, 2};
  Bytes want;
  want.add(h).add(uint64_t{0x6000}).add(uint64_t{0x1111}).add(uint64_t{1});
  want.add(uint64_t{0x401100}).add(uint64_t{0x402000});
  want.add(gt_deref_header{0x6000, 16, GT_DEREF_OK}).add(uint64_t{0x7000}).add(uint64_t{5});
  want.add(gt_deref_header{0x7000, 5, GT_DEREF_OK}).str("hello");
  EXPECT_EQ(raw, want.b);
}

TEST_F(HitRecord, Amd64Registers) {
  for (int i = 0; i < 32; i++) {
    regs.gpr[i] = 0x100 + i;
    regs.vec_lo[i] = 0x200 + i;
  }
  regs.have_vec = true;
  for (uint8_t r : {0, 3, 6, 7, 14, 15, 16, 17, 32, 33, 64}) reg(r);
  ASSERT_TRUE(hit());
  EXPECT_EQ(words_of(rec), (std::vector<uint64_t>{0x100, 0x103, 0x106, kSp, 0x10e, 0x10f, 0, 0x200,
                                              0x20f, 0, 0}));
  regs.have_vec = false;
  ASSERT_TRUE(hit());
  EXPECT_EQ(rec.words[7], 0u);
  EXPECT_EQ(rec.words[8], 0u);
}

TEST_F(HitRecord, Arm64Registers) {
  regs.machine = arch::Machine::arm64;
  for (int i = 0; i < 32; i++) {
    regs.gpr[i] = 0x100 + i;  // x14 is not g here: 0x10e is unmapped
    regs.vec_lo[i] = 0x200 + i;
  }
  regs.gpr[28] = kG;
  regs.have_vec = true;
  for (uint8_t r : {0, 29, 30, 31, 32, 63, 64, 95, 96}) reg(r);
  ASSERT_TRUE(hit());
  EXPECT_EQ(words_of(rec),
            (std::vector<uint64_t>{0x100, 0x11d, 0x11e, kSp, 0, 0, 0x200, 0x21f, 0}));
  EXPECT_EQ(rec.hdr.goid, 42u);
}

TEST_F(HitRecord, StackWordsAreRelativeToSp) {
  for (int i = -1; i < 40; i++) mem.put_u64(kSp + 8 * i, 0x5000 + i);
  stack(8, 2);
  stack(-8, 1);
  stack(0, 40);  // one copy takes at most GT_MAX_STACK_WORDS
  ASSERT_TRUE(hit());
  ASSERT_EQ(rec.words.size(), 3u + GT_MAX_STACK_WORDS);
  EXPECT_EQ(rec.words[0], 0x5001u);
  EXPECT_EQ(rec.words[1], 0x5002u);
  EXPECT_EQ(rec.words[2], 0x5000u - 1);
  EXPECT_EQ(rec.words[3], 0x5000u);
  EXPECT_EQ(rec.words.back(), 0x5000u + GT_MAX_STACK_WORDS - 1);
}

TEST_F(HitRecord, FailedStackCopyZeroesAllItsWords) {
  mem.put_u64(kSp, 1);
  mem.put_u64(kSp + 8, 2);  // kSp + 16 is a hole
  regs.gpr[0] = 9;
  stack(0, 3);
  reg(0);
  ASSERT_TRUE(hit());
  EXPECT_EQ(words_of(rec), (std::vector<uint64_t>{0, 0, 0, 9}));
}

TEST_F(HitRecord, WordOpThatDoesNotFitEndsTheCopy) {
  regs.gpr[0] = 9;
  stack(0, 32);
  stack(0, 30);
  stack(0, 5);  // 67 words: stops here, though the next op would fit
  reg(0);
  ASSERT_TRUE(hit());
  EXPECT_EQ(rec.words.size(), 62u);
}

TEST_F(HitRecord, UnknownWordKindsAreSkipped) {
  regs.gpr[0] = 9;
  spec.words[spec.n_word_ops++] = {0, 0, 0, 0};
  spec.words[spec.n_word_ops++] = {3, 0, 1, 0};
  reg(0);
  ASSERT_TRUE(hit());
  EXPECT_EQ(words_of(rec), std::vector<uint64_t>{9});
}

TEST_F(HitRecord, FixedSizeDerefsArePaddedToWords) {
  mem.put_str(0x5000, "hello world");
  regs.gpr[0] = 0x5000;
  reg(0);
  deref(GT_SRC_WORD, 0, 5).add = 2;
  deref(GT_SRC_WORD, 0, 3);
  ASSERT_TRUE(hit());
  Bytes want;
  want.add(uint64_t{0x5000});
  want.add(gt_deref_header{0x5002, 5, GT_DEREF_OK}).str("llo w");
  want.add(gt_deref_header{0x5000, 3, GT_DEREF_OK}).str("hel");
  EXPECT_EQ(std::vector<uint8_t>(raw.begin() + sizeof(gt_event_header), raw.end()), want.b);
  EXPECT_EQ(text(rec.blobs[1]), "hel");
}

TEST_F(HitRecord, DerefLengthFromAWord) {
  struct Case {
    uint64_t len;
    uint16_t elem_size, max_bytes;
    uint32_t want;
  };
  for (uint64_t a = 0x5000; a < 0x5000 + 1024; a += 8) mem.put_u64(a, a);
  for (Case c : {Case{3, 4, 100, 12}, Case{1000, 4, 100, 100}, Case{1000, 4, 2000, 1024},
                 Case{kNeg1, 4, 100, 0}, Case{uint64_t{1} << 62, 4, 100, 0}}) {
    SCOPED_TRACE(c.len);
    spec = {};
    regs.gpr[0] = 0x5000;
    regs.gpr[3] = c.len;
    reg(0);
    reg(3);
    gt_deref_op& d = deref(GT_SRC_WORD, 0, c.max_bytes);
    d.len_src = GT_SRC_WORD;
    d.len_idx = 1;
    d.elem_size = c.elem_size;
    ASSERT_TRUE(hit());
    ASSERT_EQ(rec.blobs.size(), 1u);
    EXPECT_EQ(rec.blobs[0].status, GT_DEREF_OK);
    EXPECT_EQ(rec.blobs[0].addr, 0x5000u);
    EXPECT_EQ(rec.blobs[0].bytes.size(), c.want);
  }
}

TEST_F(HitRecord, UncapturedSourcesGiveNoSrc) {
  string_header();
  regs.gpr[0] = 0x6000;
  reg(0);
  deref(GT_SRC_WORD, 0, 16);                  // 0: ok, the string header
  deref(GT_SRC_NONE, 0, 8);                   // 1
  deref(GT_SRC_WORD, 5, 8);                   // 2: word not captured
  deref(GT_SRC_DEREF, 3, 8);                  // 3: itself
  deref(GT_SRC_DEREF, 5, 8);                  // 4: a later deref
  deref(GT_SRC_DEREF, 0, 8).ptr_off = 12;     // 5: runs past deref 0's bytes
  deref(GT_SRC_WORD, 0, 8).add = 0x100000;    // 6: faults
  deref(GT_SRC_DEREF, 6, 8);                  // 7: from the faulted one
  gt_deref_op& no_len = deref(GT_SRC_WORD, 0, 8);  // 8: length not captured
  no_len.len_src = GT_SRC_WORD;
  no_len.len_idx = 9;
  deref(3, 0, 8);                             // 9: unknown source kind
  gt_deref_op& s = deref(GT_SRC_DEREF, 0, 64);  // 10: ok, the string bytes
  s.len_src = GT_SRC_DEREF;
  s.len_off = 8;
  s.elem_size = 1;
  ASSERT_TRUE(hit());
  constexpr uint32_t ok = GT_DEREF_OK, nosrc = GT_DEREF_NOSRC;
  EXPECT_EQ(statuses(), (std::vector<uint32_t>{ok, nosrc, nosrc, nosrc, nosrc, nosrc,
                                               GT_DEREF_FAULT, nosrc, nosrc, nosrc, ok}));
  EXPECT_EQ(rec.blobs[1].addr, 0u);
  EXPECT_EQ(rec.blobs[6].addr, 0x106000u);
  EXPECT_TRUE(rec.blobs[6].bytes.empty());
  EXPECT_EQ(rec.blobs[10].addr, 0x7000u);
  EXPECT_EQ(text(rec.blobs[10]), "hello");
}

TEST_F(HitRecord, NullPointersAndEmptyReadsAreOk) {
  regs.gpr[3] = 0x5000;
  reg(0);  // 0: a nil pointer
  reg(3);
  deref(GT_SRC_WORD, 0, 8);
  deref(GT_SRC_WORD, 1, 0);
  deref(GT_SRC_WORD, 0, 8).add = 8;  // the offset applies first: reads page 0
  ASSERT_TRUE(hit());
  EXPECT_EQ(statuses(), (std::vector<uint32_t>{GT_DEREF_OK, GT_DEREF_OK, GT_DEREF_FAULT}));
  EXPECT_EQ(rec.blobs[0].addr, 0u);
  EXPECT_EQ(rec.blobs[1].addr, 0x5000u);
  EXPECT_EQ(rec.blobs[2].addr, 8u);
  EXPECT_EQ(rec.hdr.size, sizeof(gt_event_header) + 16 + 3 * sizeof(gt_deref_header));
}

TEST_F(HitRecord, PageClampStopsAtThePageEnd) {
  for (uint64_t a = 0x8ff0; a < 0x9000; a++) mem.put(a, "x", 1);
  regs.gpr[0] = 0x8ff0;
  reg(0);
  deref(GT_SRC_WORD, 0, 64).flags = GT_DEREF_PAGE_CLAMP;
  deref(GT_SRC_WORD, 0, 64);
  ASSERT_TRUE(hit());
  EXPECT_EQ(statuses(), (std::vector<uint32_t>{GT_DEREF_OK, GT_DEREF_FAULT}));
  EXPECT_EQ(rec.blobs[0].bytes.size(), 16u);
}

TEST_F(HitRecord, PayloadIsLimitedTo8KiB) {
  for (uint64_t a = 0xa000; a < 0xa000 + 1024; a++) mem.put(a, "y", 1);
  for (int i = 0; i < 32; i++) mem.put_u64(kSp + 8 * i, 0xa000);
  stack(0, 32);
  stack(0, 32);  // 512 bytes of words
  for (int i = 0; i < 8; i++) deref(GT_SRC_WORD, 0, 1024);  // the 8th has no room
  deref(GT_SRC_WORD, 0, 368);  // ends exactly at the limit
  deref(GT_SRC_WORD, 0, 8);    // no room even for its header
  ASSERT_TRUE(hit());
  std::vector<uint32_t> want(7, GT_DEREF_OK);
  want.push_back(GT_DEREF_NOROOM);
  want.push_back(GT_DEREF_OK);
  EXPECT_EQ(statuses(), want);
  EXPECT_EQ(rec.blobs[7].addr, 0xa000u);
  EXPECT_EQ(rec.blobs[8].bytes.size(), 368u);
  EXPECT_EQ(rec.hdr.size, sizeof(gt_event_header) + 8192);
}

// A block of 8 map slots {char* p; long n} at 0x6000: slots 1, 4 and 6
// hold strings, the others are empty (null pointers send nothing).
TEST_F(HitRecord, GatherReadsEveryNonEmptySlot) {
  for (uint64_t i = 0; i < 8; i++) {
    bool full = i == 1 || i == 4 || i == 6;
    mem.put_u64(0x6000 + 16 * i, full ? 0x7000 + 0x10 * i : 0);
    mem.put_u64(0x6008 + 16 * i, full ? i : 0);
    if (full) mem.put_str(0x7000 + 0x10 * i, "abcdefgh");
  }
  regs.gpr[0] = 0x6000;
  reg(0);
  deref(GT_SRC_WORD, 0, 128);  // op 0: the block
  gt_deref_op& g = deref(GT_SRC_DEREF, 0, 64);  // op 1: a gather from it
  g.len_src = GT_SRC_DEREF;
  g.len_off = 8;
  g.elem_size = 1;
  g.flags = GT_DEREF_GATHER;
  g.stride = 16;
  g.count = 8;
  deref(GT_SRC_DEREF, 0, 8).ptr_off = 16;  // op 2: still names op 0 as its source
  ASSERT_TRUE(hit());
  ASSERT_EQ(rec.blobs.size(), 5u);
  EXPECT_EQ(rec.hdr.n_derefs, 5);
  EXPECT_EQ(rec.blobs[1].addr, 0x7010u);
  EXPECT_EQ(text(rec.blobs[1]), "a");
  EXPECT_EQ(rec.blobs[2].addr, 0x7040u);
  EXPECT_EQ(text(rec.blobs[2]), "abcd");
  EXPECT_EQ(text(rec.blobs[3]), "abcdef");
  EXPECT_EQ(rec.blobs[4].addr, 0x7010u);
  EXPECT_EQ(text(rec.blobs[4]), "abcdefgh");
}

// Swiss tables count groups as lengthMask (count - 1); classic maps as B
// (count = 1 << B). A chunk of an array starting `add` bytes in ends at
// the array's end.
TEST_F(HitRecord, LengthsForMapBlocks) {
  for (uint64_t a = 0x5000; a < 0x5000 + 2048; a += 8) mem.put_u64(a, a);
  struct Case {
    uint64_t len;
    uint16_t flags;
    uint32_t add;
    uint32_t want;
  };
  for (Case c : {Case{3, GT_DEREF_LEN_PLUS_ONE, 0, 4 * 40}, Case{3, GT_DEREF_LEN_PLUS_ONE, 80, 2 * 40},
                 Case{3, GT_DEREF_LEN_PLUS_ONE, 200, 0}, Case{0x702, GT_DEREF_LEN_POW2, 0, 4 * 40},
                 Case{0x702, GT_DEREF_LEN_POW2, 120, 40}, Case{40, GT_DEREF_LEN_POW2, 0, 1000}}) {
    SCOPED_TRACE(c.len);
    spec = {};
    regs.gpr[0] = 0x5000;
    regs.gpr[3] = c.len;
    reg(0);
    reg(3);
    gt_deref_op& d = deref(GT_SRC_WORD, 0, 1000);
    d.len_src = GT_SRC_WORD;
    d.len_idx = 1;
    d.elem_size = 40;
    d.flags = c.flags;
    d.add = c.add;
    ASSERT_TRUE(hit());
    ASSERT_EQ(rec.blobs.size(), 1u);
    EXPECT_EQ(rec.blobs[0].addr, 0x5000u + c.add);
    EXPECT_EQ(rec.blobs[0].bytes.size(), c.want);
  }
}

TEST_F(HitRecord, FramesFollowTheFramePointerChain) {
  frame_chain();
  EXPECT_EQ(walk(), (std::vector<uint64_t>{0x401100, 0x402000, 0x403000, 0x404000}));
}

TEST_F(HitRecord, FramesStopAtTheRequestedCount) {
  frame_chain();
  spec.stack_frames = 2;
  ASSERT_TRUE(hit());
  EXPECT_EQ(rec.frames, (std::vector<uint64_t>{0x401100, 0x402000}));
}

TEST_F(HitRecord, FramesStopAtGtMaxFrames) {
  mem.put_u64(kSp, 0x401100);
  for (uint64_t i = 1; i <= 100; i++) {
    mem.put_u64(kSp + i * 16, kSp + (i + 1) * 16);
    mem.put_u64(kSp + i * 16 + 8, 0x500000 + i);
  }
  regs.gpr[6] = kSp + 16;
  spec.stack_frames = 255;
  ASSERT_TRUE(hit());
  ASSERT_EQ(rec.frames.size(), size_t{GT_MAX_FRAMES});
  EXPECT_EQ(rec.frames.back(), 0x500000u + GT_MAX_FRAMES - 1);
}

TEST_F(HitRecord, NoFramesWithoutAReturnAddress) {
  frame_chain();
  mem.put_u64(kSp, 0);
  EXPECT_TRUE(walk().empty());
  mem.erase(kSp, 8);
  EXPECT_TRUE(walk().empty());
}

TEST_F(HitRecord, FramesStopAtANullFramePointer) {
  frame_chain();
  regs.gpr[6] = 0;
  mem.put_u64(0, kSp + 0x200);  // a frame at 0 would be readable here
  mem.put_u64(8, 0x409000);
  EXPECT_EQ(walk(), std::vector<uint64_t>{0x401100});
}

TEST_F(HitRecord, FramesStopAtAnUnreadableSavedReturnAddress) {
  frame_chain();
  mem.erase(kSp + 0x208, 8);
  EXPECT_EQ(walk(), (std::vector<uint64_t>{0x401100, 0x402000}));
}

TEST_F(HitRecord, FramesStopAtAnUnreadableSavedFramePointer) {
  frame_chain();
  mem.erase(kSp + 0x200, 8);
  EXPECT_EQ(walk(), (std::vector<uint64_t>{0x401100, 0x402000}));
}

TEST_F(HitRecord, FramesStopAtAZeroSavedReturnAddress) {
  frame_chain();
  mem.put_u64(kSp + 0x208, 0);
  EXPECT_EQ(walk(), (std::vector<uint64_t>{0x401100, 0x402000}));
}

TEST_F(HitRecord, FramesStopAfterACallerThatIsNotHigher) {
  frame_chain();
  mem.put_u64(kSp + 0x200, kSp + 0x100);  // a loop back down the stack
  EXPECT_EQ(walk(), (std::vector<uint64_t>{0x401100, 0x402000, 0x403000}));
}

TEST_F(HitRecord, Arm64FramesStartAtTheLinkRegister) {
  frame_chain();
  mem.put_u64(kSp, 0);  // unused on arm64
  regs.machine = arch::Machine::arm64;
  regs.gpr[28] = kG;
  regs.gpr[29] = regs.gpr[6];
  regs.gpr[6] = 0;
  regs.gpr[30] = 0x401100;
  EXPECT_EQ(walk(), (std::vector<uint64_t>{0x401100, 0x402000, 0x403000, 0x404000}));
}

TEST_F(HitRecord, Predicates) {
  struct Case {
    uint64_t word;
    uint8_t size;
    bool is_signed;
    uint8_t op;
    uint64_t value;
    bool holds;
  };
  const Case cases[] = {
      {5, 8, false, GT_CMP_EQ, 5, true},
      {5, 8, false, GT_CMP_EQ, 6, false},
      {5, 8, false, GT_CMP_NE, 5, false},
      {6, 8, false, GT_CMP_NE, 5, true},
      {kNeg1, 8, false, GT_CMP_LT, 1, false},
      {kNeg1, 8, true, GT_CMP_LT, 1, true},
      {5, 8, false, GT_CMP_LE, 5, true},
      {6, 8, false, GT_CMP_LE, 5, false},
      {6, 8, false, GT_CMP_GT, 5, true},
      {5, 8, false, GT_CMP_GT, 5, false},
      {5, 8, false, GT_CMP_GE, 5, true},
      {4, 8, false, GT_CMP_GE, 5, false},
      {kNeg1 - 4, 8, true, GT_CMP_GE, kNeg1 - 5, true},
      {kNeg1 - 4, 8, false, GT_CMP_LE, 10, false},
      {0x1ff, 1, false, GT_CMP_EQ, 0xff, true},  // high bytes are ignored
      {0xff, 1, true, GT_CMP_EQ, kNeg1, true},   // and the low ones sign-extended
      {0xff, 1, true, GT_CMP_LT, 0, true},
      {0xff, 1, false, GT_CMP_GT, 0x7f, true},
      {0x8000, 2, true, GT_CMP_LT, 0, true},
      {0x8000, 2, false, GT_CMP_GT, 0x7fff, true},
      {0xdead'ffff'fffe, 4, true, GT_CMP_EQ, kNeg1 - 1, true},
      {0xdead'0000'0005, 4, false, GT_CMP_EQ, 5, true},
      {0xff'ffff, 3, true, GT_CMP_EQ, kNeg1, true},
      {7, 0, false, GT_CMP_EQ, 0, true},
      {5, 8, false, 0, 5, false},  // unknown operators never hold
      {5, 8, false, 7, 5, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(testing::Message() << std::hex << c.word << " op " << int(c.op) << " "
                                    << c.value << " size " << int(c.size));
    spec = {};
    regs.gpr[0] = c.word;
    reg(0);
    pred(0, c.op, c.size, c.is_signed, c.value);
    EXPECT_EQ(hit(), c.holds);
  }
}

// Groups of terms: kept when every term of some group holds (a || b && c).
TEST_F(HitRecord, SomeGroupMustHoldEntirely) {
  regs.gpr[0] = 5;
  regs.gpr[3] = 7;
  reg(0);
  reg(3);
  auto grouped = [&](uint8_t group, uint16_t word, uint64_t value) {
    pred(word, GT_CMP_EQ, 8, false, value);
    spec.preds[spec.n_preds - 1].group = group;
  };
  grouped(0, 0, 6);  // group 0: w0 == 6            (false)
  grouped(1, 0, 5);  // group 1: w0 == 5 && w1 == 7 (true)
  grouped(1, 1, 7);
  EXPECT_TRUE(hit());
  spec.preds[2].value = 8;  // group 1 false too
  EXPECT_FALSE(hit());
  spec.preds[0].value = 5;  // group 0 true
  EXPECT_TRUE(hit());
  // A term on a word that was not captured fails its group only.
  spec.preds[0].word = 9;
  EXPECT_FALSE(hit());
  spec.preds[2].value = 7;
  EXPECT_TRUE(hit());
}

TEST_F(HitRecord, EveryPredicateMustHold) {
  regs.gpr[0] = 5;
  reg(0);
  reg(0);
  pred(0, GT_CMP_EQ, 8, false, 5);
  pred(1, GT_CMP_EQ, 8, false, 6);
  EXPECT_FALSE(hit());
  spec.preds[1].value = 5;
  EXPECT_TRUE(hit());
  pred(2, GT_CMP_EQ, 8, false, 0);  // word 2 was not captured
  EXPECT_FALSE(hit());
}

TEST_F(HitRecord, HitConditions) {
  struct Case {
    uint64_t before;
    uint8_t op;
    uint64_t value;
    bool holds;
  };
  const Case cases[] = {
      {2, GT_HIT_EQ, 3, true},  {2, GT_HIT_EQ, 4, false}, {2, GT_HIT_NE, 3, false},
      {2, GT_HIT_NE, 4, true},  {0, GT_HIT_LT, 2, true},  {1, GT_HIT_LT, 2, false},
      {1, GT_HIT_LE, 2, true},  {2, GT_HIT_LE, 2, false}, {2, GT_HIT_GT, 2, true},
      {1, GT_HIT_GT, 2, false}, {1, GT_HIT_GE, 2, true},  {0, GT_HIT_GE, 2, false},
      {5, GT_HIT_MOD, 3, true}, {6, GT_HIT_MOD, 3, false}, {5, GT_HIT_MOD, 0, false},
      {5, 9, 0, true},  // an unknown operator holds
  };
  regs.gpr[0] = 9;
  reg(0);
  spec.counter = 1;
  for (const Case& c : cases) {
    SCOPED_TRACE(testing::Message() << c.before << " op " << int(c.op) << " " << c.value);
    ASSERT_TRUE(counters.set(1, c.before));
    spec.hit_op = c.op;
    spec.hit_value = c.value;
    ASSERT_EQ(hit(), c.holds);
    EXPECT_EQ(counters.get(1), c.before + 1);  // counted whether it held or not
    if (!c.holds) continue;
    EXPECT_EQ(words_of(rec), (std::vector<uint64_t>{9, c.before + 1}));
    EXPECT_EQ(rec.hdr.flags, GT_EVENT_COUNTED);
  }
}

TEST_F(HitRecord, CountWordComesBeforeFramesAndIsASource) {
  frame_chain();
  spec.stack_frames = 1;
  spec.hit_op = GT_HIT_GE;
  counters.set(0, 0x5000 - 1);
  mem.put_str(0x5000, "abc");
  reg(0);
  deref(GT_SRC_WORD, 1, 3);
  ASSERT_TRUE(hit());
  EXPECT_EQ(words_of(rec), (std::vector<uint64_t>{0, 0x5000}));
  EXPECT_EQ(rec.frames, std::vector<uint64_t>{0x401100});
  EXPECT_EQ(text(rec.blobs[0]), "abc");
}

TEST_F(HitRecord, PredicatesGateTheCounter) {
  regs.gpr[0] = 5;
  reg(0);
  spec.hit_op = GT_HIT_GE;
  pred(1, GT_CMP_EQ, 8, false, 1);  // the count word is not a predicate's word
  EXPECT_FALSE(hit());
  spec.preds[0] = {0, GT_CMP_EQ, 8, false, {}, 6};
  EXPECT_FALSE(hit());
  EXPECT_EQ(counters.get(0), 0u);
  spec.preds[0].value = 5;
  EXPECT_TRUE(hit());
  EXPECT_EQ(counters.get(0), 1u);
}

TEST_F(HitRecord, HitConditionWithoutItsCounterOrRoomDropsTheHit) {
  spec.hit_op = GT_HIT_GE;
  spec.counter = 4;  // out of range
  reg(0);
  EXPECT_FALSE(hit());
  spec = {};
  spec.hit_op = GT_HIT_GE;
  stack(0, 32);
  stack(0, 32);  // no room for the count word
  EXPECT_FALSE(hit());
  EXPECT_EQ(counters.get(0), 1u);
}

TEST_F(HitRecord, SkipsThePassThatGoesToMorestack) {
  constexpr uint64_t CF = 1, ZF = 0x40, C = 1u << 29, Z = 1u << 30;
  struct Case {
    arch::Machine m;
    uint16_t flags;
    uint8_t cond;
    uint64_t regs_flags;
    bool recorded;
  };
  auto amd64 = arch::Machine::amd64, arm64 = arch::Machine::arm64;
  const Case cases[] = {
      {amd64, GT_SPEC_SKIP_BRANCH, GT_COND_AMD64_JBE, CF, false},
      {amd64, GT_SPEC_SKIP_BRANCH, GT_COND_AMD64_JBE, ZF, false},
      {amd64, GT_SPEC_SKIP_BRANCH, GT_COND_AMD64_JBE, 0, true},
      {amd64, GT_SPEC_SKIP_BRANCH, GT_COND_AMD64_JB, ZF, true},
      {amd64, GT_SPEC_SKIP_BRANCH, GT_COND_AMD64_JB, CF, false},
      {amd64, 0, GT_COND_AMD64_JB, CF, true},  // not a branch site
      {arm64, GT_SPEC_SKIP_BRANCH, GT_COND_ARM64_LS, C, true},
      {arm64, GT_SPEC_SKIP_BRANCH, GT_COND_ARM64_LS, C | Z, false},
      {arm64, GT_SPEC_SKIP_BRANCH, GT_COND_ARM64_LO, 0, false},
      {arm64, GT_SPEC_SKIP_BRANCH, GT_COND_ARM64_LO, C | Z, true},
      // The program built for one machine ignores the other's conditions.
      {amd64, GT_SPEC_SKIP_BRANCH, GT_COND_ARM64_LO, 0, true},
      {arm64, GT_SPEC_SKIP_BRANCH, GT_COND_AMD64_JB, CF, true},
  };
  spec.hit_op = GT_HIT_GE;
  uint64_t counted = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(testing::Message() << int(c.cond) << " " << std::hex << c.regs_flags);
    regs.machine = c.m;
    regs.flags = c.regs_flags;
    spec.flags = c.flags;
    spec.branch_cond = c.cond;
    EXPECT_EQ(hit(), c.recorded);
    counted += c.recorded;
    EXPECT_EQ(counters.get(0), counted);  // a skipped pass is not a hit
  }
}

TEST(HitRecordVector, ReadsVectorRegisters) {
  auto reads = [](arch::Machine m, uint8_t kind, uint8_t reg, uint8_t n_ops = 1) {
    gt_spec s{};
    s.n_word_ops = n_ops;
    s.words[0] = {kind, reg, 1, 0};
    return reads_vector_registers(s, m);
  };
  auto amd64 = arch::Machine::amd64, arm64 = arch::Machine::arm64;
  EXPECT_FALSE(reads(amd64, GT_WORD_REG, 16));
  EXPECT_TRUE(reads(amd64, GT_WORD_REG, 17));
  EXPECT_TRUE(reads(amd64, GT_WORD_REG, 32));
  EXPECT_FALSE(reads(amd64, GT_WORD_REG, 33));
  EXPECT_FALSE(reads(amd64, GT_WORD_REG, 64));
  EXPECT_FALSE(reads(arm64, GT_WORD_REG, 63));
  EXPECT_TRUE(reads(arm64, GT_WORD_REG, 64));
  EXPECT_TRUE(reads(arm64, GT_WORD_REG, 95));
  EXPECT_FALSE(reads(arm64, GT_WORD_REG, 96));
  EXPECT_FALSE(reads(arm64, GT_WORD_REG, 17));
  EXPECT_FALSE(reads(amd64, GT_WORD_STACK, 17));
  EXPECT_FALSE(reads(amd64, GT_WORD_REG, 17, 0));
}

TEST(HitRecordCounters, CountPerIdAcrossThreads) {
  HitCounters c(2);
  EXPECT_EQ(c.increment(0), 1u);
  EXPECT_EQ(c.increment(0), 2u);
  EXPECT_TRUE(c.set(1, 10));
  EXPECT_EQ(c.increment(1), 11u);
  EXPECT_EQ(c.get(0), 2u);
  EXPECT_EQ(c.increment(2), std::nullopt);
  EXPECT_EQ(c.get(2), std::nullopt);
  EXPECT_FALSE(c.set(2, 1));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; t++)
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; i++) c.increment(0);
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.get(0), 40002u);
}

}  // namespace
}  // namespace gotrace::tracer
