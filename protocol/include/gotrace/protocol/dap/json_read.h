// Reading DAP JSON into plain structs. Reuses rpc::ReadContext and the
// rpc::read_value overloads (scalars, vectors, optionals, maps, any JSON),
// but DAP keys are exact-case camelCase: "threadId" does not match
// "threadid" (unlike Go's case-insensitive decoding for the Delve RPC).
//  * unknown keys are ignored; a missing or null key leaves the default;
//  * required() fields report "<path>: missing field \"name\"" when absent
//    or null;
//  * errors name the path: "launch.arguments.args[1]: expected string, got number".
// Nothing here throws.
#pragma once

#include "gotrace/protocol/rpc/json_read.h"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <string>
#include <string_view>

namespace gotrace::protocol::dap {

using rpc::ReadContext;
using rpc::read_value;
using rpc::json_kind_name;

// The value under exactly this key (the last one if duplicated), or nullptr.
const boost::json::value* find_exact(const boost::json::object& o, std::string_view name);

class ObjectReader {
 public:
  // A non-object other than null fails ("expected object, got array"); null
  // reads as an object with no keys.
  ObjectReader(const boost::json::value& v, ReadContext& ctx);

  template <class T>
  ObjectReader& field(std::string_view name, T& out) {
    if (const boost::json::value* fv = get(name); fv != nullptr && !fv->is_null()) {
      auto guard = ctx_.field(name);
      read_value(*fv, out, ctx_);
    }
    return *this;
  }

  template <class T>
  ObjectReader& required(std::string_view name, T& out) {
    if (ctx_.failed()) return *this;
    const boost::json::value* fv = get(name);
    if (fv == nullptr || fv->is_null()) {
      ctx_.fail("missing field \"" + std::string(name) + "\"");
      return *this;
    }
    auto guard = ctx_.field(name);
    read_value(*fv, out, ctx_);
    return *this;
  }

  // The raw value under name (nullptr when absent, or after an error), for
  // fields with custom rules; the caller guards the path itself.
  const boost::json::value* get(std::string_view name) const;
  ReadContext& context() { return ctx_; }
  bool ok() const { return !ctx_.failed(); }

 private:
  const boost::json::object* obj_ = nullptr;
  ReadContext& ctx_;
};

}  // namespace gotrace::protocol::dap
