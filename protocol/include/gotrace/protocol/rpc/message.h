// Delve JSON-RPC requests and responses (Go net/rpc/jsonrpc, "JSON-RPC 1.0";
// protocols.md §2).
//   request:  {"method":"RPCServer.<Name>","params":[<one object>],"id":<any>}
//   success:  {"id":<echo>,"result":<object>,"error":null}\n
//   failure:  {"id":<echo>,"result":null,"error":"<message>"}\n
#pragma once

#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace gotrace::protocol::rpc {

struct Request {
  // The request's id, echoed in the response (null when absent). Go echoes
  // the raw token; we echo the parsed value, which is identical for every
  // integer and string id (a float id such as 1.50 would be re-formatted).
  boost::json::value id;
  std::string method;
  // The first element of "params" (further elements are ignored, as Go's
  // [1]interface{} decoding does); an empty object for "params":[].
  boost::json::value params;
  // Set when the request is malformed. Delve stops reading the connection
  // then (the client hangs); we answer encode_error(id, *error) instead.
  // Examples: "params must be an array of one object, got object",
  // "missing params", "method must be a string, got number".
  std::optional<std::string> error;
};

// Keys match case-insensitively and unknown keys (e.g. "jsonrpc") are ignored,
// like Go's decoding into net/rpc/jsonrpc's serverRequest.
Request parse_request(const boost::json::value& message);

// Response bytes, newline-terminated, Go-escaped. result must be an object:
// the Go client treats "result":null with "error":null as a failure, so a
// null result is sent as {}.
std::string encode_result(const boost::json::value& id, const boost::json::value& result);
// The same for a result already written as Go JSON (a non-empty object).
std::string encode_result_text(const boost::json::value& id, std::string_view result_json);
// message should be non-empty: the Go client turns "" into "unspecified error".
std::string encode_error(const boost::json::value& id, std::string_view message);

}  // namespace gotrace::protocol::rpc
