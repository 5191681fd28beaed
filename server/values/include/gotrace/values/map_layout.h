// Where a Go map keeps its entries, read from the types the compiler emits
// for each map type, as Delve's proc.mapIterator reads them: the classic
// hash table (hash<K,V> and bucket<K,V>, up to Go 1.23) or the Swiss table
// (map<K,V>, table<K,V> and its groups, Go 1.24 on). Shared by the loader,
// which walks a map through captured memory, and the capture planner, which
// decides what memory to copy at a probe.
#pragma once

#include "gotrace/support/result.h"
#include "gotrace/symbols/types.h"

#include <cstdint>

namespace gotrace::values {

struct MapLayout {
  enum class Form : uint8_t { classic, swiss };
  Form form = Form::classic;
  uint64_t count_off = 0;  // hash.count / map.used

  // One block of slots: a classic bucket or a Swiss group.
  uint64_t block_size = 0;
  uint64_t ctrl_off = 0;  // tophash[8] / the ctrl word, one byte per slot
  uint64_t slots = 8;
  uint64_t keys_off = 0, key_stride = 0;    // first key in the block, key to key
  uint64_t elems_off = 0, elem_stride = 0;  // the same for elements
  // The key and element as a slot stores them: the map's own types, or a
  // pointer to them for keys/elements too large to store inline.
  const symbols::Type* slot_key = nullptr;
  const symbols::Type* slot_elem = nullptr;
  bool key_indirect = false, elem_indirect = false;

  // classic
  uint64_t b_off = 0, buckets_off = 0, oldbuckets_off = 0, overflow_off = 0;
  // swiss: the directory of tables (dirLen 0: dirPtr is the only group)
  uint64_t dir_ptr_off = 0, dir_len_off = 0;
  uint64_t table_size = 0, table_index_off = 0, groups_data_off = 0, groups_mask_off = 0;
};

// The layout of `map`'s entries; an error (Delve's message) when the types
// lack what the walk needs (no map_header: no DWARF for the map's runtime
// struct).
Result<MapLayout> map_layout(const symbols::Type& map);

}  // namespace gotrace::values
