#include "map_walk.h"

#include "memory_read.h"

namespace gotrace::values::detail {

// Empty cells of a classic bucket (Go 1.12+: emptyRest, emptyOne); tophash
// values between emptyOne and minTopHash mark an evacuated old bucket.
constexpr uint64_t kEmptyRest = 0, kEmptyOne = 1, kMinTopHash = 5;
// A Swiss group's ctrl byte has this bit set when the slot is empty or deleted.
constexpr uint8_t kCtrlEmpty = 0x80;

MapWalk::MapWalk(const MapLayout& layout, uint64_t header, const MemoryView& mem,
                 uint64_t max_blocks)
    : l_(layout), header_(header), mem_(mem), max_blocks_(max_blocks) {}

std::optional<uint64_t> MapWalk::word(uint64_t addr, uint64_t size) const {
  return read_uint(mem_, addr, size);
}

std::optional<int64_t> MapWalk::count() const {
  auto n = word(header_ + l_.count_off);
  if (!n) return std::nullopt;
  return static_cast<int64_t>(*n);
}

MapSlot MapWalk::slot_at(uint64_t block, uint64_t i) const {
  return {block + l_.keys_off + i * l_.key_stride, block + l_.elems_off + i * l_.elem_stride};
}

bool MapWalk::next(MapSlot& out) {
  if (l_.slots == 0 || l_.slots > 8) return false;
  if (!started_) {
    started_ = true;
    if (l_.form == MapLayout::Form::classic) {
      auto b = word(header_ + l_.b_off, 1);
      auto buckets = word(header_ + l_.buckets_off);
      auto old = word(header_ + l_.oldbuckets_off);
      if (!b || !buckets || !old) return stop_short();
      numbuckets_ = *b < 64 ? uint64_t(1) << *b : 0;
      // Go's (1 << (B-1)) - 1 wraps to all ones when B is 0.
      oldmask_ = *b == 0 ? ~uint64_t(0) : (uint64_t(1) << (*b - 1)) - 1;
      buckets_ = *buckets;
      oldbuckets_ = *old;
    } else {
      auto ptr = word(header_ + l_.dir_ptr_off);
      auto len = word(header_ + l_.dir_len_off);
      if (!ptr || !len) return stop_short();
      dir_ptr_ = *ptr;
      dir_len_ = static_cast<int64_t>(*len);
      if (dir_len_ <= 0) {
        // A small map: dirPtr is its only group.
        dir_len_ = 1;
        have_table_ = true;
        groups_ = dir_ptr_;
        ngroups_ = 1;
      }
    }
  }
  return l_.form == MapLayout::Form::classic ? next_classic(out) : next_swiss(out);
}

bool MapWalk::evacuated(uint64_t bucket) const {
  if (bucket == 0) return true;
  auto top0 = word(bucket + l_.ctrl_off, 1);
  if (!top0) return true;
  return *top0 > kEmptyOne && *top0 < kMinTopHash;
}

bool MapWalk::next_bucket() {
  if (overflow_ != 0) {
    bucket_ = overflow_;
  } else {
    have_bucket_ = false;
    if (max_blocks_ > 0 && bidx_ >= max_blocks_) return false;
    for (; bidx_ < numbuckets_; ++bidx_) {
      if (!step()) return stop_short();
      bucket_ = buckets_ + l_.block_size * bidx_;
      have_bucket_ = true;
      if (oldbuckets_ == 0) break;
      // Growing: a bucket not yet filled is read from the old bucket it
      // comes from, once (by the first of the two buckets it splits into).
      uint64_t oldbidx = bidx_ & oldmask_;
      uint64_t oldb = oldbuckets_ + l_.block_size * oldbidx;
      if (evacuated(oldb)) break;
      if (oldbidx == bidx_) {
        bucket_ = oldb;
        break;
      }
      have_bucket_ = false;
    }
    if (!have_bucket_) return false;
    ++bidx_;
  }
  if (bucket_ == 0) return false;
  if (!step()) return stop_short();
  auto ovf = word(bucket_ + l_.overflow_off);
  if (!ovf) return stop_short();
  overflow_ = *ovf;
  have_bucket_ = true;
  return true;
}

bool MapWalk::next_classic(MapSlot& out) {
  for (;;) {
    if (!have_bucket_ || idx_ >= l_.slots) {
      if (!next_bucket()) return false;
      idx_ = 0;
    }
    auto h = word(bucket_ + l_.ctrl_off + idx_, 1);
    if (!h) return stop_short();
    ++idx_;
    if (*h != kEmptyRest && *h != kEmptyOne) {
      out = slot_at(bucket_, idx_ - 1);
      return true;
    }
  }
}

bool MapWalk::load_table() {
  if (!step()) return stop_short();
  auto tab = word(dir_ptr_ + 8 * static_cast<uint64_t>(dir_idx_));
  if (!tab) return stop_short();
  auto index = word(*tab + l_.table_index_off);
  auto data = word(*tab + l_.groups_data_off);
  auto mask = word(*tab + l_.groups_mask_off);
  if (!index || !data || !mask) return stop_short();
  if (*data == 0) return false;  // Delve: "bad swiss map, groups pointer is nil"
  have_table_ = true;
  groups_ = *data;
  ngroups_ = *mask + 1;
  // A table several directory entries share is visited at its own index.
  if (static_cast<int64_t>(*index) != dir_idx_) {
    ++dir_idx_;
    have_table_ = false;
  }
  return true;
}

bool MapWalk::next_swiss(MapSlot& out) {
  while (dir_idx_ < dir_len_) {
    if (!have_table_) {
      if (!load_table()) return false;
      if (!have_table_) continue;
    }
    for (; group_idx_ < ngroups_; ++group_idx_, have_group_ = false) {
      if (max_blocks_ > 0 && group_idx_ + group_count_ >= max_blocks_) return false;
      uint64_t group = groups_ + group_idx_ * l_.block_size;
      if (!have_group_) {
        if (!step()) return stop_short();
        auto c = mem_.read(group + l_.ctrl_off, l_.slots);
        if (!c || c->size() < l_.slots) return stop_short();
        for (uint64_t i = 0; i < l_.slots; ++i) ctrls_[i] = (*c)[i];
        have_group_ = true;
      }
      for (; idx_ < l_.slots; ++idx_) {
        if ((ctrls_[idx_] & kCtrlEmpty) == kCtrlEmpty) continue;
        out = slot_at(group, idx_);
        ++idx_;
        return true;
      }
      idx_ = 0;
    }
    group_count_ += group_idx_;
    group_idx_ = 0;
    have_group_ = false;
    ++dir_idx_;
    have_table_ = false;
  }
  return false;
}

}  // namespace gotrace::values::detail
