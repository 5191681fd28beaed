// The output event of a hit is written as text, not built as a tree: every
// key, escape and omission is checked here, and the event against the DAP
// schema.
#include "dap_hit_json.h"
#include "dap_schema_validator.h"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace gotrace::headless {
namespace {

values::Variable var(std::string name, std::string type, symbols::Kind kind, std::string value) {
  values::Variable v;
  v.name = std::move(name);
  v.type = v.real_type = std::move(type);
  v.kind = kind;
  v.value = std::move(value);
  v.len = static_cast<int64_t>(v.value.size());
  v.flags = values::kVarArgument;
  return v;
}

void expect_valid_output_event(const std::string& body) {
  auto schema = protocol::dap::testing::SchemaValidator::load_dap();
  ASSERT_TRUE(schema) << "DAP schema not found";
  auto event = boost::json::parse(R"({"seq":1,"type":"event","event":"output","body":)" + body + "}");
  auto errors = schema->validate(event, "OutputEvent");
  EXPECT_TRUE(errors.empty()) << errors.front();
}

TEST(DapHitJson, EntryWithArguments) {
  std::vector<values::Variable> args = {var("s", "string", symbols::Kind::string, "<a & \"b\">\n"),
                                        var("n", "int", symbols::Kind::int_, "-3")};
  HitOutput h;
  h.text = "> goroutine(1): main.f(\"<a & \\\"b\\\">\\n\", -3)\n";
  h.file = "/src/prog/main.go";
  h.line = 17;
  h.goroutine = 1;
  h.function = "main.f";
  h.kind = "entry";
  h.wall_ns = 1'764'000'000'123'456'789ULL;
  h.values = &args;
  h.with_data = true;
  std::string body = hit_output_body(h);
  EXPECT_EQ(body,
            R"({"category":"stdout","output":"\u003e goroutine(1): main.f(\"\u003ca \u0026 \\\"b\\\"\u003e\\n\", -3)\n",)"
            R"("source":{"path":"/src/prog/main.go"},"line":17,)"
            R"("data":{"goroutine":1,"function":"main.f","kind":"entry","timestamp":"2025-11-24T16:00:00.123456789Z",)"
            R"("arguments":[{"name":"s","type":"string","value":"\"\u003ca \u0026 \\\"b\\\"\u003e\\n\""},)"
            R"({"name":"n","type":"int","value":"-3"}]}})");
  expect_valid_output_event(body);
}

TEST(DapHitJson, ReturnWithDurationAndStack) {
  std::vector<values::Variable> results = {var("~r0", "int", symbols::Kind::int_, "7")};
  std::vector<tracer::Frame> stack = {{0x4010a0, "main.f", "/src/prog/main.go", 12},
                                      {0x401200, "main.main", "/src/prog/main.go", 30}};
  HitOutput h;
  h.text = ">> goroutine(6): main.f => (7) [1.5µs]\n";
  h.file = "main.go";
  h.line = 12;
  h.goroutine = 6;
  h.function = "main.f";
  h.kind = "return";
  h.wall_ns = 0;
  h.values = &results;
  h.duration_ns = 1500;
  h.stack = &stack;
  h.with_data = true;
  std::string body = hit_output_body(h);
  EXPECT_EQ(body,
            R"({"category":"stdout","output":"\u003e\u003e goroutine(6): main.f =\u003e (7) [1.5µs]\n",)"
            R"("source":{"path":"main.go"},"line":12,)"
            R"("data":{"goroutine":6,"function":"main.f","kind":"return","timestamp":"1970-01-01T00:00:00Z",)"
            R"("returnValues":[{"name":"~r0","type":"int","value":"7"}],"durationNs":1500,)"
            R"("stack":[{"pc":4198560,"function":"main.f","file":"/src/prog/main.go","line":12},)"
            R"({"pc":4198912,"function":"main.main","file":"/src/prog/main.go","line":30}]}})");
  expect_valid_output_event(body);
}

TEST(DapHitJson, LineWithLocalsAndNoArguments) {
  std::vector<values::Variable> none;
  std::vector<values::Variable> locals = {var("i", "int", symbols::Kind::int_, "4")};
  HitOutput h;
  h.text = "> [Go 1]: i=4\n";
  h.file = "/p/x.go";
  h.line = 9;
  h.goroutine = 1;
  h.function = "main.loop";
  h.kind = "line";
  h.wall_ns = 1'000'000'000;
  h.values = &none;
  h.locals = &locals;
  h.with_data = true;
  std::string body = hit_output_body(h);
  EXPECT_EQ(body,
            R"({"category":"stdout","output":"\u003e [Go 1]: i=4\n","source":{"path":"/p/x.go"},"line":9,)"
            R"("data":{"goroutine":1,"function":"main.loop","kind":"line","timestamp":"1970-01-01T00:00:01Z",)"
            R"("arguments":[],"locals":[{"name":"i","type":"int","value":"4"}]}})");
  expect_valid_output_event(body);
}

// Without the launch's "traceData", Delve's logpoint event: no data.
TEST(DapHitJson, NoDataByDefault) {
  std::vector<values::Variable> args = {var("n", "int", symbols::Kind::int_, "2")};
  HitOutput h;
  h.text = "> [Go 1]: square 2\n";
  h.file = "/src/demo/main.go";
  h.line = 12;
  h.goroutine = 1;
  h.function = "main.square";
  h.kind = "entry";
  h.values = &args;
  std::string body = hit_output_body(h);
  EXPECT_EQ(body, R"({"category":"stdout","output":"\u003e [Go 1]: square 2\n","source":{"path":"/src/demo/main.go"},"line":12})");
  expect_valid_output_event(body);
}

}  // namespace
}  // namespace gotrace::headless
