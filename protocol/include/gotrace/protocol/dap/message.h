// DAP protocol messages (debugAdapterProtocol.json "Request", "Response",
// "Event"; protocols.md §7.1, §7.5): parsing an incoming request and building
// responses and events as JSON objects with keys in Delve's order.
//
// The builders take seq explicitly: numbering outgoing messages is the
// caller's job, and the spec wants it to count from 1 (Delve 1.20.2 sends 0).
#pragma once

#include "gotrace/support/result.h"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace gotrace::protocol::dap {

struct Request {
  std::int64_t seq = 0;
  std::string command;
  // As sent; null when absent. Typed parsing: parse_arguments<T>() (types.h).
  boost::json::value arguments;
};

// Parses one decoded frame body. Errors (Errc::invalid_argument):
//   "message must be an object, got array"
//   "missing field \"seq\""       "\"seq\" must be an integer"
//   "missing field \"type\""      "\"type\" must be \"request\", got \"event\""
//   "missing field \"command\""   "\"command\" must be a string"
// Keys are exact-case; unknown keys are ignored; "arguments" may be any JSON.
[[nodiscard]] Result<Request> parse_request(const boost::json::value& message);

// The "seq" of a message that failed parse_request, if it is an integer, so
// that the error response can still name its request_seq.
std::optional<std::int64_t> peek_seq(const boost::json::value& message);

// {"seq","type":"response","request_seq","success","command"[,"message"][,"body"]}
// body is omitted when null (Delve omits it for launch, configurationDone,
// disconnect...); pass an empty object to send "body":{}.
boost::json::object make_response(std::int64_t seq, std::int64_t request_seq, std::string_view command,
                                  bool success, std::optional<std::string> message = std::nullopt,
                                  boost::json::value body = nullptr);
boost::json::object make_response(std::int64_t seq, const Request& request, bool success,
                                  std::optional<std::string> message = std::nullopt,
                                  boost::json::value body = nullptr);

// A failure in Delve's shape (an ErrorResponse):
// {"seq":N,"type":"response","request_seq":R,"success":false,"command":"launch",
//  "message":"Failed to launch","body":{"error":{"id":3000,"format":"...","showUser":true}}}
// Delve's ids: 3000 launch, 3001 attach, 3002 initialize, 8888 unsupported
// command (sent with command ""). format is sent verbatim: Delve does not
// escape '{' in it although clients treat {name} as a variable placeholder.
boost::json::object make_error_response(std::int64_t seq, std::int64_t request_seq, std::string_view command,
                                        std::string_view message, int id, std::string_view format,
                                        bool show_user);

// {"seq","type":"event","event"[,"body"]}; body omitted when null
// ("initialized" has none; Delve sends "terminated" with "body":{}).
boost::json::object make_event(std::int64_t seq, std::string_view event, boost::json::value body = nullptr);
// The same event, framed, around a body already written as JSON text (a
// hit's output event, written without a tree).
std::string encode_event_frame(std::int64_t seq, std::string_view event, std::string_view body_json);

}  // namespace gotrace::protocol::dap
