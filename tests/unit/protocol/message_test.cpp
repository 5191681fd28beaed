#include "gotrace/protocol/rpc/message.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

namespace gotrace::protocol::rpc {
namespace {

namespace json = boost::json;

Request parse(std::string_view text) { return parse_request(json::parse(text)); }

TEST(Request, NumericId) {
  auto r = parse(R"({"method":"RPCServer.SetApiVersion","params":[{"APIVersion":2}],"id":0})");
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.method, "RPCServer.SetApiVersion");
  EXPECT_EQ(json::serialize(r.params), R"({"APIVersion":2})");
  EXPECT_EQ(r.id, json::value(0));
  EXPECT_EQ(encode_result(r.id, json::object()), "{\"id\":0,\"result\":{},\"error\":null}\n");
}

TEST(Request, StringId) {
  auto r = parse(R"({"method":"RPCServer.ProcessPid","params":[{}],"id":"abc-1"})");
  EXPECT_FALSE(r.error);
  EXPECT_EQ(encode_result(r.id, json::parse(R"({"Pid":9583})")),
            "{\"id\":\"abc-1\",\"result\":{\"Pid\":9583},\"error\":null}\n");
}

TEST(Request, MissingIdIsNull) {
  auto r = parse(R"({"method":"RPCServer.ProcessPid","params":[{}]})");
  EXPECT_FALSE(r.error);
  EXPECT_TRUE(r.id.is_null());
  EXPECT_EQ(encode_result(r.id, json::parse(R"({"Pid":9583})")),
            "{\"id\":null,\"result\":{\"Pid\":9583},\"error\":null}\n");
}

TEST(Request, OtherIdsEchoed) {
  for (const char* id : {"null", "18446744073709551615", "-3", "[1,\"x\"]", "{\"a\":true}", "\"a<b\""}) {
    auto r = parse(std::string(R"({"method":"M.N","params":[{}],"id":)") + id + "}");
    EXPECT_FALSE(r.error) << id;
    std::string want = std::string("{\"id\":") + (std::string(id) == "\"a<b\"" ? "\"a\\u003cb\"" : id) +
                       ",\"result\":{},\"error\":null}\n";
    EXPECT_EQ(encode_result(r.id, json::object()), want);
  }
}

TEST(Request, EmptyParamsArrayIsEmptyObject) {
  auto r = parse(R"({"method":"RPCServer.ProcessPid","params":[],"id":903})");
  EXPECT_FALSE(r.error);
  ASSERT_TRUE(r.params.is_object());
  EXPECT_TRUE(r.params.get_object().empty());
}

TEST(Request, ExtraParamsIgnored) {
  auto r = parse(R"({"method":"M.N","params":[{"a":1},{"b":2}],"id":1})");
  EXPECT_FALSE(r.error);
  EXPECT_EQ(json::serialize(r.params), R"({"a":1})");
}

TEST(Request, ParamsObjectIsAnError) {
  auto r = parse(R"({"method":"RPCServer.ProcessPid","params":{},"id":904})");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(*r.error, "malformed request body: json: cannot unmarshal object into Go value of type [1]interface {}");
  EXPECT_EQ(r.method, "RPCServer.ProcessPid");
  EXPECT_EQ(encode_error(r.id, *r.error),
            "{\"id\":904,\"result\":null,\"error\":\"malformed request body: json: cannot unmarshal object into Go "
            "value of type [1]interface {}\"}\n");
}

TEST(Request, MissingOrNullParamsIsAnError) {
  auto r = parse(R"({"method":"RPCServer.ProcessPid","id":905})");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(*r.error, "malformed request body: jsonrpc: request body missing params");
  EXPECT_EQ(r.id, json::value(905));
  r = parse(R"({"method":"RPCServer.ProcessPid","params":null,"id":906})");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(*r.error, "malformed request body: jsonrpc: request body missing params");
}

TEST(Request, BadMethod) {
  auto r = parse(R"({"method":7,"params":[{}],"id":1})");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(*r.error, "method must be a string, got number");
  EXPECT_EQ(r.id, json::value(1));
  r = parse(R"({"params":[{}],"id":2})");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(*r.error, "missing method");
}

TEST(Request, NotAnObject) {
  auto r = parse(R"([1,2])");
  ASSERT_TRUE(r.error);
  EXPECT_EQ(*r.error, "request must be a JSON object, got array");
  EXPECT_TRUE(r.id.is_null());
}

TEST(Request, UnknownFieldsIgnoredAndKeysFoldCase) {
  auto r = parse(R"({"jsonrpc":"2.0","Method":"RPCServer.ProcessPid","PARAMS":[{"x":1}],"Id":902,"extra":[1]})");
  EXPECT_FALSE(r.error);
  EXPECT_EQ(r.method, "RPCServer.ProcessPid");
  EXPECT_EQ(r.id, json::value(902));
  EXPECT_EQ(json::serialize(r.params), R"({"x":1})");
}

TEST(Response, ErrorBytes) {
  EXPECT_EQ(encode_error(json::value(28), "Process 8420 has exited with status 0"),
            "{\"id\":28,\"result\":null,\"error\":\"Process 8420 has exited with status 0\"}\n");
  EXPECT_EQ(encode_error(json::value(13), "could not find function main.nosuch\n"),
            "{\"id\":13,\"result\":null,\"error\":\"could not find function main.nosuch\\n\"}\n");
}

TEST(Response, NullResultBecomesEmptyObject) {
  EXPECT_EQ(encode_result(json::value(1), nullptr), "{\"id\":1,\"result\":{},\"error\":null}\n");
}

}  // namespace
}  // namespace gotrace::protocol::rpc
