#include "gotrace/protocol/dap/json_read.h"

namespace gotrace::protocol::dap {
namespace json = boost::json;

const json::value* find_exact(const json::object& o, std::string_view name) {
  const json::value* found = nullptr;
  for (const auto& kv : o) {
    if (kv.key() == name) found = &kv.value();
  }
  return found;
}

ObjectReader::ObjectReader(const json::value& v, ReadContext& ctx) : ctx_(ctx) {
  if (v.is_object()) {
    obj_ = &v.get_object();
  } else if (!v.is_null()) {
    ctx.fail("expected object, got " + std::string(json_kind_name(v)));
  }
}

const json::value* ObjectReader::get(std::string_view name) const {
  if (obj_ == nullptr || ctx_.failed()) return nullptr;
  return find_exact(*obj_, name);
}

}  // namespace gotrace::protocol::dap
