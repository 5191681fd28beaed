#include "gotrace/protocol/dap/framing.h"
#include "gotrace/protocol/dap/message.h"
#include "gotrace/protocol/dap/types.h"

#include "dap_schema_validator.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

namespace gotrace::protocol::dap {
namespace {

namespace json = boost::json;
using testing::dap_schema_errors;
using testing::SchemaValidator;


Result<Request> parse(std::string_view text) { return parse_request(json::parse(text)); }

std::string parse_error(std::string_view text) {
  auto r = parse(text);
  return r ? std::string("(no error)") : r.error().message;
}

TEST(DapMessage, ParseRequest) {
  auto r = parse(R"({"type":"request","seq":3,"command":"threads"})");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->seq, 3);
  EXPECT_EQ(r->command, "threads");
  EXPECT_TRUE(r->arguments.is_null());

  r = parse(R"({"seq":2,"command":"fooBar","arguments":{"x":1},"type":"request","extra":true})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->command, "fooBar");
  EXPECT_EQ(json::serialize(r->arguments), R"({"x":1})");
}

TEST(DapMessage, ParseRequestErrors) {
  EXPECT_EQ(parse_error(R"([1])"), "message must be an object, got array");
  EXPECT_EQ(parse_error(R"({"type":"request","command":"threads"})"), "missing field \"seq\"");
  EXPECT_EQ(parse_error(R"({"type":"request","seq":"1","command":"threads"})"), "\"seq\" must be an integer");
  EXPECT_EQ(parse_error(R"({"type":"request","seq":1.5,"command":"threads"})"), "\"seq\" must be an integer");
  EXPECT_EQ(parse_error(R"({"seq":1,"command":"threads"})"), "missing field \"type\"");
  EXPECT_EQ(parse_error(R"({"seq":1,"type":"event","command":"threads"})"),
            "\"type\" must be \"request\", got \"event\"");
  EXPECT_EQ(parse_error(R"({"seq":1,"type":"request"})"), "missing field \"command\"");
  EXPECT_EQ(parse_error(R"({"seq":1,"type":"request","command":7})"), "\"command\" must be a string");
  // Keys are exact-case.
  EXPECT_EQ(parse_error(R"({"Seq":1,"type":"request","command":"x"})"), "missing field \"seq\"");
  EXPECT_EQ(peek_seq(json::parse(R"({"seq":9,"command":7})")), 9);
  EXPECT_EQ(peek_seq(json::parse(R"({"seq":"9"})")), std::nullopt);
}

TEST(DapMessage, ResponseShape) {
  Request req{7, "configurationDone", nullptr};
  json::object r = make_response(12, req, true);
  EXPECT_EQ(json::serialize(r), R"({"seq":12,"type":"response","request_seq":7,"success":true,"command":"configurationDone"})");
  EXPECT_VALID(r, "Response");
  EXPECT_VALID(r, "ConfigurationDoneResponse");

  json::object e = make_response(13, 5, "setExceptionBreakpoints", true, std::nullopt, json::object{});
  EXPECT_EQ(json::serialize(e),
            R"({"seq":13,"type":"response","request_seq":5,"success":true,"command":"setExceptionBreakpoints","body":{}})");
  EXPECT_VALID(e, "SetExceptionBreakpointsResponse");

  json::object m = make_response(14, 6, "pause", false, std::string("not running"));
  EXPECT_VALID(m, "Response");
}

TEST(DapMessage, ErrorResponseMatchesDelve) {
  // dap-04, with seq 0 as Delve 1.20.2 sends it.
  EXPECT_EQ(json::serialize(make_error_response(
                0, 3, "launch", "Failed to launch", 3000,
                "Failed to launch: invalid debug configuration - unsupported 'mode' attribute \"bogus\"", true)),
            R"({"seq":0,"type":"response","request_seq":3,"success":false,"command":"launch","message":"Failed to launch","body":{"error":{"id":3000,"format":"Failed to launch: invalid debug configuration - unsupported 'mode' attribute \"bogus\"","showUser":true}}})");
  EXPECT_EQ(json::serialize(make_error_response(
                0, 2, "launch", "Failed to launch", 3000,
                "Failed to launch: could not launch process: open $PROGDIR/does-not-exist: no such file or directory",
                true)),
            R"({"seq":0,"type":"response","request_seq":2,"success":false,"command":"launch","message":"Failed to launch","body":{"error":{"id":3000,"format":"Failed to launch: could not launch process: open $PROGDIR/does-not-exist: no such file or directory","showUser":true}}})");
  // dap-06: an unsupported command is answered with command "".
  EXPECT_EQ(json::serialize(make_error_response(0, 2, "", "Internal Error", 8888,
                                                "Internal Error: Request command 'fooBar' is not supported (seq: 2)",
                                                false)),
            R"j({"seq":0,"type":"response","request_seq":2,"success":false,"command":"","message":"Internal Error","body":{"error":{"id":8888,"format":"Internal Error: Request command 'fooBar' is not supported (seq: 2)","showUser":false}}})j");

  json::object r = make_error_response(4, 3, "launch", "Failed to launch", 3000, "Failed to launch: x", true);
  EXPECT_VALID(r, "Response");
  EXPECT_VALID(r, "ErrorResponse");
  EXPECT_VALID(r, "LaunchResponse");
  json::object init = make_error_response(2, 1, "initialize", "Failed to initialize", 3002,
                                          "Failed to initialize: Unsupported 'pathFormat' value 'uri'.", true);
  EXPECT_VALID(init, "ErrorResponse");
}

TEST(DapMessage, EventShape) {
  json::object init = make_event(1, "initialized");
  EXPECT_EQ(json::serialize(init), R"({"seq":1,"type":"event","event":"initialized"})");
  EXPECT_VALID(init, "Event");
  EXPECT_VALID(init, "InitializedEvent");

  json::object term = make_event(2, "terminated", to_json(TerminatedEventBody{}));
  EXPECT_EQ(json::serialize(term), R"({"seq":2,"type":"event","event":"terminated","body":{}})");
  EXPECT_VALID(term, "TerminatedEvent");
}

// Hits' output events are framed around a body written as text: the frame
// must be the one make_event's tree gives.
TEST(DapMessage, EventFrameAroundTextEqualsTheTree) {
  const std::string body = R"({"category":"console","output":"\u003e x(\"\u0026\")\n","line":3})";
  EXPECT_EQ(encode_event_frame(41, "output", body),
            encode_frame(make_event(41, "output", json::parse(body))));
  EXPECT_EQ(encode_event_frame(7, "output", "{}"),
            "Content-Length: 51\r\n\r\n" R"({"seq":7,"type":"event","event":"output","body":{}})");
}

TEST(DapMessage, ValidatorCatchesBadMessages) {
  // Without the schema every check below would pass on "not found".
  ASSERT_TRUE(SchemaValidator::load_dap()) << "debugAdapterProtocol.json not found";
  // Sanity checks on the validator itself.
  EXPECT_NE(dap_schema_errors(json::parse(R"({"seq":1,"type":"response","request_seq":1,"command":"x"})"), "Response"),
            "");  // no success
  EXPECT_NE(dap_schema_errors(make_event(1, "initialized"), "Response"), "");  // wrong type enum
  EXPECT_NE(dap_schema_errors(make_event(0, "initialized"), "InitializedEvent"), "");  // seq minimum 1
  EXPECT_NE(dap_schema_errors(make_event(1, "exited", json::object{}), "ExitedEvent"), "");  // exitCode missing
  EXPECT_NE(dap_schema_errors(make_event(1, "output", json::parse(R"({"output":3})")), "OutputEvent"), "");
  EXPECT_NE(dap_schema_errors(make_response(1, 1, "threads", true, std::nullopt,
                                        json::parse(R"({"threads":[{"id":"1","name":"x"}]})")),
                          "ThreadsResponse"),
            "");
  EXPECT_NE(dap_schema_errors(json::object{}, "NoSuchDefinition"), "");
}

}  // namespace
}  // namespace gotrace::protocol::dap
