#include "capture_plan.h"

#include "../values/fake_target.h"

#include <gtest/gtest.h>

namespace gotrace::tracer {
namespace {

using symbols::Kind;

struct Types {
  symbols::Type int_{Kind::int_, "int", 8, 8};
  symbols::Type uint8_{Kind::uint8, "uint8", 1, 1};
  symbols::Type float64{Kind::float64, "float64", 8, 8};
  symbols::Type ptr_u8{Kind::pointer, "*uint8", 8, 8, &uint8_};
  symbols::Type string{Kind::string, "string", 16, 8};
  symbols::Type error{Kind::interface, "error", 16, 8};
  symbols::Type any{Kind::interface, "interface {}", 16, 8};
  symbols::Type slice_int{Kind::slice, "[]int", 24, 8, &int_};
  Types() { any.empty_interface = true; }
};

arch::ValueLocation regs(std::initializer_list<std::pair<int, uint64_t>> pieces) {
  arch::ValueLocation l;
  uint64_t off = 0;
  for (auto [reg, size] : pieces) {
    l.pieces.push_back({reg, false, off, size});
    off += size;
  }
  return l;
}

TEST(CapturePlan, StringInRegistersIsDereferencedUpToMaxStringLen) {
  Types t;
  std::vector<symbols::Variable> vars{{"s", &t.string, false}, {"n", &t.int_, false}};
  // s = RAX(0)+RBX(3), n = RCX(2)
  std::vector<arch::ValueLocation> locs{regs({{0, 8}, {3, 8}}), regs({{2, 8}})};
  values::LoadConfig cfg;  // MaxStringLen 64
  SitePlan p = plan_site(vars, locs, cfg);
  ASSERT_EQ(p.spec.n_word_ops, 3);
  EXPECT_EQ(p.spec.words[0].kind, GT_WORD_REG);
  EXPECT_EQ(p.spec.words[0].reg, 0);
  EXPECT_EQ(p.spec.words[1].reg, 3);
  EXPECT_EQ(p.spec.words[2].reg, 2);
  ASSERT_EQ(p.spec.n_derefs, 1);
  const gt_deref_op& d = p.spec.derefs[0];
  EXPECT_EQ(d.ptr_src, GT_SRC_WORD);
  EXPECT_EQ(d.ptr_idx, 0);
  EXPECT_EQ(d.len_src, GT_SRC_WORD);
  EXPECT_EQ(d.len_idx, 1);
  EXPECT_EQ(d.elem_size, 1);
  EXPECT_EQ(d.max_bytes, 64);
  ASSERT_EQ(p.values.size(), 2u);
  EXPECT_EQ(p.values[0].chunks.size(), 2u);
  EXPECT_EQ(p.values[0].chunks[1].word, 1);
  EXPECT_EQ(p.values[0].chunks[1].value_offset, 8u);
  EXPECT_EQ(p.values[1].chunks[0].word, 2);
  EXPECT_TRUE(p.values[1].unreadable.empty());
}

TEST(CapturePlan, FloatRegistersAreCapturedByNumberAndMarked) {
  Types t;
  arch::ValueLocation x0;
  x0.pieces.push_back({17, true, 0, 8});
  SitePlan p = plan_site({{"f", &t.float64, false}}, std::vector{x0}, values::LoadConfig{});
  ASSERT_EQ(p.spec.n_word_ops, 1);
  EXPECT_EQ(p.spec.words[0].kind, GT_WORD_REG);
  EXPECT_EQ(p.spec.words[0].reg, 17);
  ASSERT_EQ(p.values.size(), 1u);
  EXPECT_EQ(p.values[0].unreadable, "");
  EXPECT_TRUE(p.values[0].in_float_registers);
  ASSERT_EQ(p.values[0].chunks.size(), 1u);
  EXPECT_EQ(p.values[0].chunks[0].word, 0);
  EXPECT_EQ(p.values[0].chunks[0].size, 8u);
}

TEST(CapturePlan, StackValuesAreCopiedAsWordRuns) {
  Types t;
  arch::ValueLocation s;
  s.on_stack = true;
  s.stack_offset = 24;
  SitePlan p = plan_site({{"a12", &t.string, false}}, std::vector{s}, values::LoadConfig{});
  ASSERT_EQ(p.spec.n_word_ops, 1);
  EXPECT_EQ(p.spec.words[0].kind, GT_WORD_STACK);
  EXPECT_EQ(p.spec.words[0].count, 2);
  EXPECT_EQ(p.spec.words[0].stack_off, 24);
  EXPECT_TRUE(p.values[0].on_stack);
  EXPECT_EQ(p.values[0].stack_offset, 24);
  // The string's data pointer and length come from the copied words.
  ASSERT_EQ(p.spec.n_derefs, 1);
  EXPECT_EQ(p.spec.derefs[0].ptr_idx, 0);
  EXPECT_EQ(p.spec.derefs[0].len_idx, 1);
}

TEST(CapturePlan, InterfacesCaptureTheDynamicTypeAndData) {
  Types t;
  SitePlan p = plan_site({{"e", &t.error, false}, {"i", &t.any, false}},
                         std::vector{regs({{0, 8}, {3, 8}}), regs({{2, 8}, {5, 8}})},
                         values::LoadConfig{});
  ASSERT_EQ(p.spec.n_derefs, 5);
  // error: itab._type at itab+8, the data window, a speculative string.
  EXPECT_EQ(p.spec.derefs[0].ptr_idx, 0);
  EXPECT_EQ(p.spec.derefs[0].add, 8u);
  EXPECT_EQ(p.spec.derefs[0].max_bytes, 8);
  EXPECT_EQ(p.spec.derefs[1].ptr_idx, 1);
  EXPECT_EQ(p.spec.derefs[1].flags, GT_DEREF_PAGE_CLAMP);
  EXPECT_EQ(p.spec.derefs[2].ptr_src, GT_SRC_DEREF);
  EXPECT_EQ(p.spec.derefs[2].ptr_idx, 1);
  EXPECT_EQ(p.spec.derefs[2].len_src, GT_SRC_DEREF);
  EXPECT_EQ(p.spec.derefs[2].len_off, 8);
  // interface {}: word 0 is the *_type itself, so no itab dereference.
  EXPECT_EQ(p.spec.derefs[3].ptr_idx, 3);
  EXPECT_EQ(p.spec.derefs[3].flags, GT_DEREF_PAGE_CLAMP);
}

TEST(CapturePlan, SliceElementsOnlyWhenTheLoadConfigAsksForThem) {
  Types t;
  std::vector<symbols::Variable> vars{{"xs", &t.slice_int, false}};
  std::vector<arch::ValueLocation> locs{regs({{0, 8}, {3, 8}, {2, 8}})};
  SitePlan short_cfg = plan_site(vars, locs, values::load_config_for_verbosity(0));
  EXPECT_EQ(short_cfg.spec.n_derefs, 0);
  SitePlan v2 = plan_site(vars, locs, values::load_config_for_verbosity(2));
  ASSERT_EQ(v2.spec.n_derefs, 1);
  EXPECT_EQ(v2.spec.derefs[0].elem_size, 8);
  EXPECT_EQ(v2.spec.derefs[0].max_bytes, 5 * 8);
}

TEST(CapturePlan, RunsOutOfRoomGracefully) {
  Types t;
  std::vector<symbols::Variable> vars;
  std::vector<arch::ValueLocation> locs;
  for (int i = 0; i < 40; i++) {
    vars.push_back({"s" + std::to_string(i), &t.string, false});
    locs.push_back(regs({{0, 8}, {3, 8}}));
  }
  SitePlan p = plan_site(vars, locs, values::LoadConfig{});
  EXPECT_EQ(p.spec.n_word_ops, GT_MAX_WORD_OPS);
  EXPECT_LE(p.spec.n_derefs, GT_MAX_DEREFS);
  EXPECT_EQ(p.values.back().unreadable, "too many values to capture");
}

// A Swiss map at -v 2: the map's struct, the group a small map keeps at
// dirPtr, the first table behind the directory and its groups (the count
// of groups is lengthMask + 1), then one gather op per block for the
// strings its slots' keys point to.
TEST(CapturePlan, SwissMapWalksItsFirstTableAndGathersSlotStrings) {
  values::testing::Types t;
  std::vector<symbols::Variable> vars{{"m", t.swiss_map, false}};
  std::vector<arch::ValueLocation> locs{regs({{0, 8}})};
  SitePlan p = plan_site(vars, locs, values::load_config_for_verbosity(2));
  ASSERT_GE(p.spec.n_derefs, 6);
  const gt_deref_op* d = p.spec.derefs;
  EXPECT_EQ(d[0].ptr_src, GT_SRC_WORD);
  EXPECT_EQ(d[0].max_bytes, 48);  // map<string,int>
  EXPECT_EQ(d[1].ptr_src, GT_SRC_DEREF);  // dirPtr as a group
  EXPECT_EQ(d[1].ptr_off, 16);
  EXPECT_EQ(d[1].max_bytes, 200);
  EXPECT_EQ(d[2].len_src, GT_SRC_DEREF);  // the directory's first entry
  EXPECT_EQ(d[2].len_off, 24);
  EXPECT_EQ(d[2].elem_size, 8);
  EXPECT_EQ(d[2].max_bytes, 8);
  EXPECT_EQ(d[3].ptr_idx, 2);  // table<string,int>
  EXPECT_EQ(d[3].max_bytes, 32);
  EXPECT_EQ(d[4].ptr_idx, 3);  // its groups: 5 entries want 3 groups
  EXPECT_EQ(d[4].ptr_off, 16);
  EXPECT_EQ(d[4].len_off, 24);
  EXPECT_EQ(d[4].elem_size, 200);
  EXPECT_EQ(d[4].flags, GT_DEREF_LEN_PLUS_ONE);
  EXPECT_EQ(d[4].max_bytes, 600);
  std::vector<std::pair<uint16_t, uint16_t>> gathers;  // (source op, first key's offset)
  for (int i = 5; i < p.spec.n_derefs; i++) {
    EXPECT_EQ(d[i].flags, GT_DEREF_GATHER);
    EXPECT_EQ(d[i].stride, 24);
    EXPECT_EQ(d[i].count, 8);
    EXPECT_EQ(d[i].len_off, d[i].ptr_off + 8);
    EXPECT_EQ(d[i].max_bytes, 64);
    gathers.emplace_back(d[i].ptr_idx, d[i].ptr_off);
  }
  EXPECT_EQ(gathers, (std::vector<std::pair<uint16_t, uint16_t>>{{1, 8}, {4, 8}, {4, 208}, {4, 408}}));
}

// A classic map: its buckets (1 << B of them), bucket 0's overflow bucket,
// the old buckets of a map being grown, and the other buckets' overflow
// buckets gathered whole.
TEST(CapturePlan, ClassicMapReadsItsBucketsByB) {
  values::testing::Types t;
  std::vector<symbols::Variable> vars{{"m", t.classic_map, false}};
  std::vector<arch::ValueLocation> locs{regs({{0, 8}})};
  SitePlan p = plan_site(vars, locs, values::load_config_for_verbosity(2));
  ASSERT_GE(p.spec.n_derefs, 5);
  const gt_deref_op* d = p.spec.derefs;
  EXPECT_EQ(d[0].max_bytes, 48);
  EXPECT_EQ(d[1].ptr_off, 16);  // buckets
  EXPECT_EQ(d[1].len_off, 9);   // B
  EXPECT_EQ(d[1].flags, GT_DEREF_LEN_POW2);
  EXPECT_EQ(d[1].elem_size, 208);
  EXPECT_EQ(d[1].max_bytes, 3 * 208);
  EXPECT_EQ(d[2].ptr_idx, 1);   // bucket 0's overflow
  EXPECT_EQ(d[2].ptr_off, 200);
  EXPECT_EQ(d[3].ptr_idx, 0);   // oldbuckets
  EXPECT_EQ(d[3].ptr_off, 24);
  EXPECT_EQ(d[4].flags, GT_DEREF_GATHER);  // buckets 1 and 2's overflow
  EXPECT_EQ(d[4].ptr_off, 208 + 200);
  EXPECT_EQ(d[4].stride, 208);
  EXPECT_EQ(d[4].count, 2);
  EXPECT_EQ(d[4].max_bytes, 208);
}

// Maps with nothing behind their slots take no gather ops; a map leaves
// room for the values after it.
TEST(CapturePlan, MapsLeaveRoomForTheValuesAfterThem) {
  values::testing::Types t;
  std::vector<symbols::Variable> vars{{"a", t.swiss_map, false}, {"b", t.swiss_map, false},
                                      {"s", t.string_, false}};
  std::vector<arch::ValueLocation> locs{regs({{0, 8}}), regs({{3, 8}}), regs({{1, 8}, {2, 8}})};
  SitePlan p = plan_site(vars, locs, values::load_config_for_verbosity(4));
  ASSERT_GT(p.spec.n_derefs, 0);
  const gt_deref_op& last = p.spec.derefs[p.spec.n_derefs - 1];
  EXPECT_EQ(last.ptr_src, GT_SRC_WORD);  // s's bytes
  EXPECT_EQ(last.ptr_idx, 2);
  EXPECT_EQ(last.len_idx, 3);
}

}  // namespace
}  // namespace gotrace::tracer
