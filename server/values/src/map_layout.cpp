#include "gotrace/values/map_layout.h"

#include <string_view>

namespace gotrace::values {
namespace {

using symbols::Field;
using symbols::Kind;
using symbols::Type;

const Field* field(const Type* t, std::string_view name) {
  if (t == nullptr) return nullptr;
  for (const auto& f : t->fields)
    if (f.name == name) return &f;
  return nullptr;
}

const Type* pointee(const Type* t) {
  return t != nullptr && t->kind == Kind::pointer ? t->elem : nullptr;
}

Error malformed(std::string msg) { return make_error(Errc::unsupported, std::move(msg)); }

// A key or element too large for a slot (over 128 bytes) is stored as a
// pointer to it; the slot's type then points at the map's type.
bool indirect(const Type* slot, const Type* declared) {
  return slot != nullptr && declared != nullptr && slot != declared &&
         slot->kind == Kind::pointer && declared->kind != Kind::pointer;
}

Result<MapLayout> classic(const Type& map, const Type& hdr) {
  MapLayout l;
  l.form = MapLayout::Form::classic;
  const Field *count = field(&hdr, "count"), *b = field(&hdr, "B"),
              *buckets = field(&hdr, "buckets"), *old = field(&hdr, "oldbuckets");
  const Type* bucket = buckets ? pointee(buckets->type) : nullptr;
  if (!count || !b || !bucket || !old || !pointee(old->type) ||
      bucket->kind != Kind::struct_)
    return malformed("malformed map type: buckets, oldbuckets or overflow field not a struct");
  const Field *tophash = field(bucket, "tophash"), *keys = field(bucket, "keys"),
              *values = field(bucket, "values"), *overflow = field(bucket, "overflow");
  if (!tophash || !keys || !values || !overflow) return malformed("malformed map type");
  if (!tophash->type || !keys->type || !values->type || tophash->type->kind != Kind::array ||
      keys->type->kind != Kind::array || values->type->kind != Kind::array ||
      !keys->type->elem || !values->type->elem)
    return malformed("malformed map type: keys, values or tophash of a bucket is not an array");
  if (tophash->type->array_len != keys->type->array_len ||
      (values->type->elem->size > 0 && values->type->array_len != tophash->type->array_len))
    return malformed("malformed map type: inconsistent array length in bucket");
  l.count_off = count->offset;
  l.b_off = b->offset;
  l.buckets_off = buckets->offset;
  l.oldbuckets_off = old->offset;
  l.overflow_off = overflow->offset;
  l.block_size = bucket->size;
  l.ctrl_off = tophash->offset;
  l.slots = tophash->type->array_len;
  l.keys_off = keys->offset;
  l.key_stride = keys->type->elem->size;
  l.elems_off = values->offset;
  l.elem_stride = values->type->elem->size;
  l.slot_key = keys->type->elem;
  l.slot_elem = values->type->elem;
  l.key_indirect = indirect(l.slot_key, map.key);
  l.elem_indirect = indirect(l.slot_elem, map.elem);
  return l;
}

Result<MapLayout> swiss(const Type& map, const Type& hdr) {
  MapLayout l;
  l.form = MapLayout::Form::swiss;
  const Field *used = field(&hdr, "used"), *dir_ptr = field(&hdr, "dirPtr"),
              *dir_len = field(&hdr, "dirLen");
  if (!used || !dir_ptr || !dir_len) return malformed("swiss table type does not have some required fields");
  // dirPtr is declared **table: *[dirLen]*table, or *group when dirLen is 0.
  const Type* table = pointee(pointee(dir_ptr->type));
  if (table == nullptr || table->kind != Kind::struct_)
    return malformed("swiss table bad table field");
  const Field *index = field(table, "index"), *groups = field(table, "groups");
  const Field *data = groups ? field(groups->type, "data") : nullptr;
  const Field *mask = groups ? field(groups->type, "lengthMask") : nullptr;
  const Type* group = data ? pointee(data->type) : nullptr;
  if (!index || !groups || !mask || !group || group->kind != Kind::struct_)
    return malformed("swiss table type does not have some required fields");
  const Field *ctrl = field(group, "ctrl"), *slots = field(group, "slots"),
              *keys = field(group, "keys"), *elems = field(group, "elems");
  const bool split = keys && elems;
  if (!ctrl || (!split && !slots) || (split && slots))
    return malformed("bad swiss map type, group type lacks some required fields");
  if (split) {
    // GOEXPERIMENT=mapsplitgroup: keys [8]K then elems [8]V.
    if (!keys->type || !elems->type || keys->type->kind != Kind::array ||
        elems->type->kind != Kind::array || !keys->type->elem || !elems->type->elem)
      return malformed("bad swiss map type, group type lacks some required fields");
    l.slots = keys->type->array_len;
    l.keys_off = keys->offset;
    l.key_stride = keys->type->elem->size;
    l.elems_off = elems->offset;
    l.elem_stride = elems->type->elem->size;
    l.slot_key = keys->type->elem;
    l.slot_elem = elems->type->elem;
  } else {
    const Type* slot = slots->type && slots->type->kind == Kind::array ? slots->type->elem : nullptr;
    const Field *k = field(slot, "key"), *e = field(slot, "elem");
    if (!k || !e || !k->type || !e->type)
      return malformed("bad swiss map type, group type lacks some required fields");
    l.slots = slots->type->array_len;
    l.keys_off = slots->offset + k->offset;
    l.elems_off = slots->offset + e->offset;
    l.key_stride = l.elem_stride = slot->size;
    l.slot_key = k->type;
    l.slot_elem = e->type;
  }
  l.count_off = used->offset;
  l.dir_ptr_off = dir_ptr->offset;
  l.dir_len_off = dir_len->offset;
  l.table_size = table->size;
  l.table_index_off = index->offset;
  l.groups_data_off = groups->offset + data->offset;
  l.groups_mask_off = groups->offset + mask->offset;
  l.block_size = group->size;
  l.ctrl_off = ctrl->offset;
  l.key_indirect = indirect(l.slot_key, map.key);
  l.elem_indirect = indirect(l.slot_elem, map.elem);
  return l;
}

}  // namespace

Result<MapLayout> map_layout(const Type& map) {
  const Type* hdr = map.map_header;
  if (hdr == nullptr || hdr->kind != Kind::struct_)
    return make_error(Errc::unsupported, "wrong real type for map");
  if (field(hdr, "buckets") != nullptr) return classic(map, *hdr);
  if (field(hdr, "dirPtr") != nullptr) return swiss(map, *hdr);
  return malformed("malformed map type: buckets, oldbuckets or overflow field not a struct");
}

}  // namespace gotrace::values
