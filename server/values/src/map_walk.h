// Visits a map's entries in the order Delve's mapIterator does (bucket by
// bucket through overflow chains and a growing map's old buckets; table by
// table, group by group for Swiss tables), reading captured memory.
#pragma once

#include "gotrace/values/map_layout.h"
#include "gotrace/values/variable.h"

#include <cstdint>
#include <optional>

namespace gotrace::values::detail {

struct MapSlot {
  uint64_t key_addr = 0;  // the slot's key as stored (see MapLayout::slot_key)
  uint64_t elem_addr = 0;
};

class MapWalk {
 public:
  // `header` is the address of the map's runtime struct; `max_blocks` bounds
  // the buckets/groups visited (Delve's MaxMapBuckets, 0: no bound).
  MapWalk(const MapLayout& layout, uint64_t header, const MemoryView& mem, uint64_t max_blocks);

  // hash.count / map.used; nullopt when not captured.
  std::optional<int64_t> count() const;

  // The next occupied slot. False at the end, at the bound, or where the
  // memory the walk needs was not captured (then `short_of_memory()`).
  bool next(MapSlot& out);
  bool short_of_memory() const { return short_; }

 private:
  std::optional<uint64_t> word(uint64_t addr, uint64_t size = 8) const;
  bool stop_short() {
    short_ = true;
    return false;
  }
  // A header read from garbage can describe 2^63 buckets that all look
  // like ones to skip: the walk gives up after this many steps.
  bool step() { return ++steps_ <= kMaxSteps; }
  static constexpr uint64_t kMaxSteps = 1 << 16;
  bool next_classic(MapSlot& out);
  bool next_bucket();
  bool evacuated(uint64_t bucket) const;
  bool next_swiss(MapSlot& out);
  bool load_table();
  MapSlot slot_at(uint64_t block, uint64_t i) const;

  const MapLayout& l_;
  uint64_t header_;
  const MemoryView& mem_;
  uint64_t max_blocks_;
  bool started_ = false, short_ = false;
  uint64_t steps_ = 0;  // buckets, groups and tables looked at

  // classic
  uint64_t numbuckets_ = 0, oldmask_ = 0, buckets_ = 0, oldbuckets_ = 0;
  uint64_t bidx_ = 0, bucket_ = 0, overflow_ = 0;
  bool have_bucket_ = false;
  // swiss
  uint64_t dir_ptr_ = 0;
  int64_t dir_len_ = 0, dir_idx_ = 0;
  bool have_table_ = false;
  uint64_t groups_ = 0, ngroups_ = 0, group_idx_ = 0, group_count_ = 0;
  uint8_t ctrls_[8] = {};
  bool have_group_ = false;
  uint64_t idx_ = 0;  // next slot of the current bucket/group
};

}  // namespace gotrace::values::detail
