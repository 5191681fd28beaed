#include "gotrace/protocol/dap/message.h"

#include "gotrace/protocol/dap/framing.h"
#include "gotrace/protocol/dap/json_read.h"
#include "gotrace/protocol/rpc/json_write.h"

namespace gotrace::protocol::dap {
namespace json = boost::json;

namespace {

Error invalid(std::string message) { return make_error(Errc::invalid_argument, std::move(message)); }

std::string missing(std::string_view name) { return "missing field \"" + std::string(name) + "\""; }

}  // namespace

std::optional<std::int64_t> peek_seq(const json::value& message) {
  if (!message.is_object()) return std::nullopt;
  const json::value* seq = find_exact(message.get_object(), "seq");
  if (seq == nullptr) return std::nullopt;
  if (seq->is_int64()) return seq->get_int64();
  if (seq->is_uint64() && seq->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
    return static_cast<std::int64_t>(seq->get_uint64());
  return std::nullopt;
}

Result<Request> parse_request(const json::value& message) {
  if (!message.is_object())
    return invalid("message must be an object, got " + std::string(json_kind_name(message)));
  const json::object& o = message.get_object();
  Request r;

  const json::value* seq = find_exact(o, "seq");
  if (seq == nullptr) return invalid(missing("seq"));
  std::optional<std::int64_t> s = peek_seq(message);
  if (!s) return invalid("\"seq\" must be an integer");
  r.seq = *s;

  const json::value* type = find_exact(o, "type");
  if (type == nullptr) return invalid(missing("type"));
  if (!type->is_string()) return invalid("\"type\" must be a string");
  if (type->get_string() != "request")
    return invalid("\"type\" must be \"request\", got \"" + std::string(type->get_string()) + "\"");

  const json::value* command = find_exact(o, "command");
  if (command == nullptr) return invalid(missing("command"));
  if (!command->is_string()) return invalid("\"command\" must be a string");
  r.command = command->get_string();

  if (const json::value* args = find_exact(o, "arguments")) r.arguments = *args;
  return r;
}

json::object make_response(std::int64_t seq, std::int64_t request_seq, std::string_view command, bool success,
                           std::optional<std::string> message, json::value body) {
  json::object o;
  o["seq"] = seq;
  o["type"] = "response";
  o["request_seq"] = request_seq;
  o["success"] = success;
  o["command"] = command;
  if (message) o["message"] = *message;
  if (!body.is_null()) o["body"] = std::move(body);
  return o;
}

std::string encode_event_frame(std::int64_t seq, std::string_view event, std::string_view body_json) {
  // make_event's keys, in its order.
  std::string msg = "{\"seq\":";
  rpc::write_json_int(msg, seq);
  msg += ",\"type\":\"event\",\"event\":";
  rpc::write_go_string(msg, event);
  msg += ",\"body\":";
  msg += body_json;
  msg += '}';
  return encode_frame_text(msg);
}

json::object make_response(std::int64_t seq, const Request& request, bool success,
                           std::optional<std::string> message, json::value body) {
  return make_response(seq, request.seq, request.command, success, std::move(message), std::move(body));
}

json::object make_error_response(std::int64_t seq, std::int64_t request_seq, std::string_view command,
                                 std::string_view message, int id, std::string_view format, bool show_user) {
  json::object error;
  error["id"] = id;
  error["format"] = format;
  error["showUser"] = show_user;
  json::object body;
  body["error"] = std::move(error);
  return make_response(seq, request_seq, command, false, std::string(message), std::move(body));
}

json::object make_event(std::int64_t seq, std::string_view event, json::value body) {
  json::object o;
  o["seq"] = seq;
  o["type"] = "event";
  o["event"] = event;
  if (!body.is_null()) o["body"] = std::move(body);
  return o;
}

}  // namespace gotrace::protocol::dap
