#include "gotrace/protocol/rpc/message.h"

#include "gotrace/protocol/rpc/json_read.h"
#include "gotrace/protocol/rpc/json_write.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

namespace gotrace::protocol::rpc {
namespace json = boost::json;

Request parse_request(const json::value& message) {
  Request req;
  if (!message.is_object()) {
    req.error = "request must be a JSON object, got " + std::string(json_kind_name(message));
    return req;
  }
  const json::object& o = message.get_object();
  if (const json::value* id = find_key(o, "id")) req.id = *id;

  const json::value* method = find_key(o, "method");
  if (method != nullptr && method->is_string()) {
    req.method = method->get_string();
  } else if (method != nullptr && !method->is_null()) {
    req.error = "method must be a string, got " + std::string(json_kind_name(*method));
    return req;
  }
  if (req.method.empty()) {
    req.error = "missing method";
    return req;
  }

  const json::value* params = find_key(o, "params");
  if (params == nullptr || params->is_null()) {
    req.error = "malformed request body: jsonrpc: request body missing params";
    return req;
  }
  if (!params->is_array()) {
    // Delve's codec decodes params into [1]interface{}: Go's words.
    req.error = "malformed request body: json: cannot unmarshal " + std::string(json_kind_name(*params)) +
                " into Go value of type [1]interface {}";
    return req;
  }
  const json::array& a = params->get_array();
  req.params = a.empty() ? json::value(json::object()) : a.front();
  return req;
}

namespace {

std::string head(const json::value& id) {
  std::string out = "{\"id\":";
  write_go_json(out, id);
  return out;
}

}  // namespace

std::string encode_result(const json::value& id, const json::value& result) {
  return encode_result_text(id, result.is_null() ? std::string("{}") : to_go_json(result));
}

std::string encode_result_text(const json::value& id, std::string_view result_json) {
  std::string out = head(id);
  out.reserve(out.size() + result_json.size() + 32);
  out += ",\"result\":";
  out += result_json;
  out += ",\"error\":null}\n";
  return out;
}

std::string encode_error(const json::value& id, std::string_view message) {
  std::string out = head(id);
  out += ",\"result\":null,\"error\":";
  write_go_string(out, message);
  out += "}\n";
  return out;
}

}  // namespace gotrace::protocol::rpc
