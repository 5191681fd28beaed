// Map entries walked the way Delve's mapIterator walks them, through
// captured memory: Swiss tables (Go 1.24+) and classic hash maps, built
// here with the types the compiler describes for map[string]int.
#include "fake_target.h"

#include "gotrace/values/map_layout.h"

#include <gtest/gtest.h>

namespace gotrace::values {
namespace {

using testing::Bytes;
using symbols::Kind;
using symbols::Type;

const LoadConfig kV2 = load_config_for_verbosity(2);

class MapTest : public ::testing::Test {
 protected:
  MapTest() : swiss_(ty_.swiss_map), classic_(ty_.classic_map) {}

  std::string line(const Type& t, uint64_t map, LoadConfig cfg = kV2) {
    held_.push_back(Bytes().u64(map));
    return single_line(load_variable("m", t, held_.back(), mem_, types_, cfg));
  }

  // A string's bytes at `at`; returns its header words.
  Bytes& str(Bytes& b, uint64_t at, const std::string& s) {
    mem_.put_string(at, s);
    return b.u64(at).u64(s.size());
  }

  // A Swiss group: ctrl bytes, then (key, elem) slots; "" is an empty slot.
  void group(uint64_t at, std::vector<std::pair<std::string, int64_t>> slots) {
    Bytes ctrl, body;
    for (size_t i = 0; i < 8; i++) {
      bool full = i < slots.size() && !slots[i].first.empty();
      ctrl.un(full ? 0x11 : 0x80, 1);
      if (full)
        str(body, at + 0x1000 + 16 * i, slots[i].first).i64(slots[i].second);
      else
        body.u64(0).u64(0).i64(0);
    }
    std::vector<uint8_t> all = ctrl;
    std::vector<uint8_t> rest = body;
    all.insert(all.end(), rest.begin(), rest.end());
    mem_.put(at, all);
  }

  // A classic bucket: tophash, 8 keys, 8 values, overflow.
  void bucket(uint64_t at, std::vector<std::pair<std::string, int64_t>> slots, uint64_t overflow = 0,
              uint8_t top = 0x20) {
    Bytes tops, keys, vals;
    for (size_t i = 0; i < 8; i++) {
      bool full = i < slots.size() && !slots[i].first.empty();
      tops.un(full ? top : (i < slots.size() ? 1 : 0), 1);
      if (full)
        str(keys, at + 0x1000 + 16 * i, slots[i].first);
      else
        keys.u64(0).u64(0);
      vals.i64(full ? slots[i].second : 0);
    }
    std::vector<uint8_t> all = tops;
    for (const auto& part : {std::vector<uint8_t>(keys), std::vector<uint8_t>(vals), std::vector<uint8_t>(Bytes().u64(overflow))})
      all.insert(all.end(), part.begin(), part.end());
    mem_.put(at, all);
  }

  testing::Types ty_;
  const Type* swiss_;
  const Type* classic_;
  testing::FakeMemory mem_;
  testing::FakeTypes types_;
  std::deque<std::vector<uint8_t>> held_;
};

TEST_F(MapTest, LayoutsFromTheCompilersTypes) {
  auto s = map_layout(*swiss_);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->form, MapLayout::Form::swiss);
  EXPECT_EQ(s->block_size, 200u);
  EXPECT_EQ(s->keys_off, 8u);
  EXPECT_EQ(s->elems_off, 24u);
  EXPECT_EQ(s->key_stride, 24u);
  EXPECT_EQ(s->groups_data_off, 16u);
  EXPECT_EQ(s->groups_mask_off, 24u);
  auto c = map_layout(*classic_);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->form, MapLayout::Form::classic);
  EXPECT_EQ(c->keys_off, 8u);
  EXPECT_EQ(c->elems_off, 136u);
  EXPECT_EQ(c->key_stride, 16u);
  EXPECT_EQ(c->elem_stride, 8u);
  EXPECT_EQ(c->overflow_off, 200u);
  EXPECT_FALSE(map_layout(*ty_.map_string_int));  // no runtime struct described
}

// dirLen 0: dirPtr is the map's only group; empty and deleted slots
// (ctrl bit 7) are skipped.
TEST_F(MapTest, SwissSmallMapInSlotOrder) {
  group(0xc000100000, {{"a", 1}, {"", 0}, {"c", 3}});
  mem_.put(0xc000200000, Bytes().u64(2).u64(0).u64(0xc000100000).i64(0));
  EXPECT_EQ(line(*swiss_, 0xc000200000), "map[string]int [\"a\": 1, \"c\": 3, ]");
  EXPECT_EQ(line(*swiss_, 0xc000200000, load_config_for_verbosity(1)), "map[string]int [...]");
  EXPECT_EQ(line(*swiss_, 0xc000200000, load_config_for_verbosity(0)), "map[string]int [...]");
}

// Directory entries sharing a table (a table's index is its first entry)
// visit it once; groups in order, tables in order; MaxArrayValues cuts.
TEST_F(MapTest, SwissDirectoryOfTables) {
  group(0xc000110000, {{"t0g0", 1}});
  group(0xc000110000 + 200, {{"", 0}, {"t0g1", 2}});
  group(0xc000120000, {{"t2", 3}, {"t2b", 4}});
  mem_.put(0xc000130000, Bytes().u64(2).i64(0).u64(0xc000110000).u64(1));  // table 0, 2 groups
  mem_.put(0xc000140000, Bytes().u64(2).i64(2).u64(0xc000120000).u64(0));  // table at 2, 1 group
  mem_.put(0xc000150000, Bytes().u64(0xc000130000).u64(0xc000130000).u64(0xc000140000));
  mem_.put(0xc000160000, Bytes().u64(4).u64(0).u64(0xc000150000).i64(3));
  EXPECT_EQ(line(*swiss_, 0xc000160000), "map[string]int [\"t0g0\": 1, \"t0g1\": 2, \"t2\": 3, \"t2b\": 4, ]");
  LoadConfig two = kV2;
  two.max_array_values = 2;
  EXPECT_EQ(line(*swiss_, 0xc000160000, two), "map[string]int [\"t0g0\": 1, \"t0g1\": 2, ,...+2 more]");
  // MaxMapBuckets counts groups across tables.
  LoadConfig one_group = kV2;
  one_group.max_map_buckets = 1;
  EXPECT_EQ(line(*swiss_, 0xc000160000, one_group), "map[string]int [\"t0g0\": 1, ,...+3 more]");
}

// Where the capture ends (the table behind directory entry 2 was not
// copied), the walk stops: what was read is shown, the rest counted.
TEST_F(MapTest, SwissWalkStopsWhereTheCaptureEnds) {
  group(0xc000110000, {{"x", 1}});
  mem_.put(0xc000130000, Bytes().u64(1).i64(0).u64(0xc000110000).u64(0));
  mem_.put(0xc000150000, Bytes().u64(0xc000130000).u64(0xc000990000));
  mem_.put(0xc000160000, Bytes().u64(3).u64(0).u64(0xc000150000).i64(2));
  EXPECT_EQ(line(*swiss_, 0xc000160000), "map[string]int [\"x\": 1, ,...+2 more]");
  // A key whose bytes were not captured is unreadable, like any value.
  mem_.put(0xc000170000, Bytes().u64(0x8080808080808011).u64(0xdead0000).u64(3).i64(9));
  mem_.put(0xc000180000, Bytes().u64(1).u64(0).u64(0xc000170000).i64(0));
  EXPECT_EQ(line(*swiss_, 0xc000180000),
            "map[string]int [(unreadable could not read string at 0xdead0000 due to memory not captured): 9, ]");
}

TEST_F(MapTest, ClassicBucketsAndOverflow) {
  bucket(0xc000300000, {{"a", 1}, {"", 0}, {"b", 2}}, 0xc000310000);
  bucket(0xc000300000 + 208, {{"d", 4}});
  bucket(0xc000310000, {{"c", 3}});
  mem_.put(0xc000320000, Bytes().i64(4).un(0, 1).un(1, 1).un(0, 6).u64(0xc000300000).u64(0));
  EXPECT_EQ(line(*classic_, 0xc000320000), "map[string]int [\"a\": 1, \"b\": 2, \"c\": 3, \"d\": 4, ]");
  LoadConfig one_bucket = kV2;
  one_bucket.max_map_buckets = 1;
  EXPECT_EQ(line(*classic_, 0xc000320000, one_bucket), "map[string]int [\"a\": 1, \"b\": 2, \"c\": 3, ,...+1 more]");
}

// A map being grown: a new bucket not yet filled is read from the old
// bucket it comes from, once.
TEST_F(MapTest, ClassicGrowingMapReadsOldBuckets) {
  bucket(0xc000400000, {});
  bucket(0xc000400000 + 208, {});
  bucket(0xc000410000, {{"old", 7}, {"old2", 8}}, 0, 0x30);  // not evacuated
  mem_.put(0xc000420000, Bytes().i64(2).un(0, 1).un(1, 1).un(0, 6).u64(0xc000400000).u64(0xc000410000));
  EXPECT_EQ(line(*classic_, 0xc000420000), "map[string]int [\"old\": 7, \"old2\": 8, ]");
}

}  // namespace
}  // namespace gotrace::values
