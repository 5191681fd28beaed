#include "gotrace/protocol/rpc/json_read.h"

#include <boost/json/object.hpp>

#include <cctype>
#include <limits>

namespace gotrace::protocol::rpc {
namespace json = boost::json;

bool ReadContext::fail(std::string_view what) {
  if (!error_) error_ = make_error(Errc::invalid_argument, path_ + ": " + std::string(what));
  return false;
}

ReadContext::Guard ReadContext::field(std::string_view name) {
  std::size_t keep = path_.size();
  path_ += '.';
  path_ += name;
  return Guard(*this, keep);
}

ReadContext::Guard ReadContext::index(std::size_t i) {
  std::size_t keep = path_.size();
  path_ += '[' + std::to_string(i) + ']';
  return Guard(*this, keep);
}

std::string_view json_kind_name(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "bool";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: return "number";
    case json::kind::string: return "string";
    case json::kind::array: return "array";
    case json::kind::object: return "object";
  }
  return "?";
}

namespace {

bool fold_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

std::string expected(std::string_view what, const json::value& v) {
  return "expected " + std::string(what) + ", got " + std::string(json_kind_name(v));
}

}  // namespace

const json::value* find_key(const json::object& o, std::string_view name) {
  // Go assigns every matching key in document order, so the last one wins.
  const json::value* found = nullptr;
  for (const auto& kv : o) {
    if (fold_equal(kv.key(), name)) found = &kv.value();
  }
  return found;
}

bool read_value(const json::value& v, bool& out, ReadContext& ctx) {
  if (v.is_null()) return true;
  if (!v.is_bool()) return ctx.fail(expected("bool", v));
  out = v.get_bool();
  return true;
}

bool read_value(const json::value& v, std::string& out, ReadContext& ctx) {
  if (v.is_null()) return true;
  if (!v.is_string()) return ctx.fail(expected("string", v));
  out = v.get_string();
  return true;
}

bool read_value(const json::value& v, json::value& out, ReadContext&) {
  out = v;
  return true;
}

namespace detail {

bool read_integer(const json::value& v, std::int64_t lo, std::uint64_t hi, std::int64_t& as_signed,
                  std::uint64_t& as_unsigned, bool& negative, ReadContext& ctx) {
  const bool is_unsigned = lo == 0;
  const char* what = is_unsigned ? "unsigned integer" : "integer";
  if (v.is_int64()) {
    std::int64_t x = v.get_int64();
    if (x < 0) {
      if (x < lo) return ctx.fail("number " + std::to_string(x) + " out of range");
      negative = true;
      as_signed = x;
      return true;
    }
    if (static_cast<std::uint64_t>(x) > hi) return ctx.fail("number " + std::to_string(x) + " out of range");
    negative = false;
    as_unsigned = static_cast<std::uint64_t>(x);
    return true;
  }
  if (v.is_uint64()) {
    std::uint64_t x = v.get_uint64();
    if (x > hi) return ctx.fail("number " + std::to_string(x) + " out of range");
    negative = false;
    as_unsigned = x;
    return true;
  }
  return ctx.fail(expected(what, v));
}

}  // namespace detail

bool read_value(const json::value& v, std::int64_t& out, ReadContext& ctx) {
  if (v.is_null()) return true;
  std::int64_t s = 0;
  std::uint64_t u = 0;
  bool neg = false;
  if (!detail::read_integer(v, std::numeric_limits<std::int64_t>::min(),
                            static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()), s, u, neg, ctx))
    return false;
  out = neg ? s : static_cast<std::int64_t>(u);
  return true;
}

bool read_value(const json::value& v, std::uint64_t& out, ReadContext& ctx) {
  if (v.is_null()) return true;
  std::int64_t s = 0;
  std::uint64_t u = 0;
  bool neg = false;
  if (!detail::read_integer(v, 0, std::numeric_limits<std::uint64_t>::max(), s, u, neg, ctx)) return false;
  out = u;
  return true;
}

ObjectReader::ObjectReader(const json::value& v, ReadContext& ctx) : ctx_(ctx) {
  if (v.is_object()) {
    obj_ = &v.get_object();
  } else if (!v.is_null()) {
    ctx.fail(expected("object", v));
  }
}

}  // namespace gotrace::protocol::rpc
