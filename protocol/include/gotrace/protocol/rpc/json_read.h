// Reads JSON into plain structs with Go encoding/json's rules, so requests
// Delve accepts are accepted here too (protocols.md §2):
//  * object keys match field names case-insensitively (an exact match is not
//    required; with duplicate keys the last one wins);
//  * unknown keys are ignored, missing keys leave the field's default;
//  * null leaves a scalar or struct unchanged and resets a vector/optional;
//  * integers must be JSON integers in the target's range (1.0 is refused).
// Errors are values naming the field path: "Breakpoint.line: expected
// integer, got string". Nothing here throws.
#pragma once

#include "gotrace/support/result.h"

#include <boost/json/value.hpp>

#include <concepts>
#include <limits>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gotrace::protocol::rpc {

// Carries the path of the value being read and the first error.
class ReadContext {
 public:
  explicit ReadContext(std::string root) : path_(std::move(root)) {}

  bool failed() const { return error_.has_value(); }
  // Records "<path>: <what>" unless an error is already recorded; returns false.
  bool fail(std::string_view what);
  const Error& error() const { return *error_; }
  const std::string& path() const { return path_; }

  // Appends ".name" or "[i]" to the path for the guard's lifetime.
  class Guard {
   public:
    Guard(ReadContext& ctx, std::size_t keep) : ctx_(ctx), keep_(keep) {}
    ~Guard() { ctx_.path_.resize(keep_); }
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;

   private:
    ReadContext& ctx_;
    std::size_t keep_;
  };
  [[nodiscard]] Guard field(std::string_view name);
  [[nodiscard]] Guard index(std::size_t i);

 private:
  std::string path_;
  std::optional<Error> error_;
};

// "null", "bool", "number", "string", "array" or "object".
std::string_view json_kind_name(const boost::json::value& v);

// The value of the key matching name as Go would pick it, or nullptr.
const boost::json::value* find_key(const boost::json::object& o, std::string_view name);

bool read_value(const boost::json::value& v, bool& out, ReadContext& ctx);
bool read_value(const boost::json::value& v, std::string& out, ReadContext& ctx);
bool read_value(const boost::json::value& v, std::int64_t& out, ReadContext& ctx);
bool read_value(const boost::json::value& v, std::uint64_t& out, ReadContext& ctx);
// Any JSON, copied as is (for fields this library does not model).
bool read_value(const boost::json::value& v, boost::json::value& out, ReadContext& ctx);

// Narrower integers (int, uint8, ...): range-checked.
template <std::integral T>
  requires(!std::same_as<T, bool> && !std::same_as<T, std::int64_t> && !std::same_as<T, std::uint64_t>)
bool read_value(const boost::json::value& v, T& out, ReadContext& ctx);
template <class T>
bool read_value(const boost::json::value& v, std::vector<T>& out, ReadContext& ctx);
template <class T>
bool read_value(const boost::json::value& v, std::optional<T>& out, ReadContext& ctx);
template <class T>
bool read_value(const boost::json::value& v, std::map<std::string, T>& out, ReadContext& ctx);

// Reads the fields of one JSON object. A non-object (other than null) fails.
//   ObjectReader r(v, ctx);
//   r.field("id", bp.id).field("name", bp.name);
//   return r.ok();
class ObjectReader {
 public:
  ObjectReader(const boost::json::value& v, ReadContext& ctx);

  template <class T>
  ObjectReader& field(std::string_view name, T& out) {
    if (obj_ == nullptr || ctx_.failed()) return *this;
    if (const boost::json::value* fv = find_key(*obj_, name)) {
      auto guard = ctx_.field(name);
      read_value(*fv, out, ctx_);
    }
    return *this;
  }
  bool ok() const { return !ctx_.failed(); }

 private:
  const boost::json::object* obj_ = nullptr;
  ReadContext& ctx_;
};

// Reads a whole value; root names the type in error paths.
template <class T>
[[nodiscard]] Result<T> read_json(const boost::json::value& v, std::string root) {
  ReadContext ctx(std::move(root));
  T out{};
  read_value(v, out, ctx);
  if (ctx.failed()) return ctx.error();
  return out;
}

// ---- template definitions ----

namespace detail {
bool read_integer(const boost::json::value& v, std::int64_t lo, std::uint64_t hi, std::int64_t& as_signed,
                  std::uint64_t& as_unsigned, bool& negative, ReadContext& ctx);
}

template <std::integral T>
  requires(!std::same_as<T, bool> && !std::same_as<T, std::int64_t> && !std::same_as<T, std::uint64_t>)
bool read_value(const boost::json::value& v, T& out, ReadContext& ctx) {
  if (v.is_null()) return true;
  std::int64_t s = 0;
  std::uint64_t u = 0;
  bool neg = false;
  if (!detail::read_integer(v, static_cast<std::int64_t>(std::numeric_limits<T>::min()),
                            static_cast<std::uint64_t>(std::numeric_limits<T>::max()), s, u, neg, ctx))
    return false;
  out = neg ? static_cast<T>(s) : static_cast<T>(u);
  return true;
}

template <class T>
bool read_value(const boost::json::value& v, std::vector<T>& out, ReadContext& ctx) {
  out.clear();
  if (v.is_null()) return true;
  if (!v.is_array()) return ctx.fail(std::string("expected array, got ") + std::string(json_kind_name(v)));
  const auto& a = v.get_array();
  out.reserve(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto guard = ctx.index(i);
    T e{};
    if (!read_value(a[i], e, ctx)) return false;
    out.push_back(std::move(e));
  }
  return true;
}

template <class T>
bool read_value(const boost::json::value& v, std::optional<T>& out, ReadContext& ctx) {
  if (v.is_null()) {
    out.reset();
    return true;
  }
  if (!out) out.emplace();
  return read_value(v, *out, ctx);
}

template <class T>
bool read_value(const boost::json::value& v, std::map<std::string, T>& out, ReadContext& ctx) {
  out.clear();
  if (v.is_null()) return true;
  if (!v.is_object()) return ctx.fail(std::string("expected object, got ") + std::string(json_kind_name(v)));
  for (const auto& kv : v.get_object()) {
    auto guard = ctx.field(kv.key());
    T e{};
    if (!read_value(kv.value(), e, ctx)) return false;
    out[std::string(kv.key())] = std::move(e);
  }
  return true;
}

}  // namespace gotrace::protocol::rpc
