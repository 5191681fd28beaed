#include "gotrace/protocol/dap/log_message.h"

#include <gtest/gtest.h>

namespace gotrace::protocol::dap {
namespace {

std::vector<Segment> ok(std::string_view msg) {
  auto r = parse_log_message(msg);
  EXPECT_TRUE(r) << msg << ": " << r.error().message;
  return r ? *r : std::vector<Segment>{};
}

std::string err(std::string_view msg) {
  auto r = parse_log_message(msg);
  return r ? std::string("(no error)") : r.error().message;
}

Segment lit(std::string s) { return Segment{false, std::move(s)}; }
Segment expr(std::string s) { return Segment{true, std::move(s)}; }

TEST(DapLogMessage, Segments) {
  EXPECT_EQ(ok("foo called x={x} y={p.Name}"),
            (std::vector<Segment>{lit("foo called x="), expr("x"), lit(" y="), expr("p.Name")}));
  EXPECT_EQ(ok("foo called x={x} y={y}"), (std::vector<Segment>{lit("foo called x="), expr("x"), lit(" y="), expr("y")}));
  EXPECT_EQ(ok("plain text"), (std::vector<Segment>{lit("plain text")}));
  EXPECT_EQ(ok("{x}{y}"), (std::vector<Segment>{expr("x"), expr("y")}));
  EXPECT_EQ(ok("{ len(s) }!"), (std::vector<Segment>{expr("len(s)"), lit("!")}));  // trimmed
  EXPECT_EQ(ok("100% {x}"), (std::vector<Segment>{lit("100% "), expr("x")}));
  EXPECT_EQ(ok("h\xC3\xA9 {x}"), (std::vector<Segment>{lit("h\xC3\xA9 "), expr("x")}));
  EXPECT_TRUE(ok("").empty());  // Delve: not a logpoint
}

TEST(DapLogMessage, NestedBracesStayInTheExpression) {
  EXPECT_EQ(ok("v={m[{1}]} done"), (std::vector<Segment>{lit("v="), expr("m[{1}]"), lit(" done")}));
  EXPECT_EQ(ok("{a{b{c}}d}"), (std::vector<Segment>{expr("a{b{c}}d")}));
  EXPECT_EQ(ok("{T{}}"), (std::vector<Segment>{expr("T{}")}));
}

TEST(DapLogMessage, DelveErrors) {
  EXPECT_EQ(err("{}"), "empty evaluation string at offset 0");
  EXPECT_EQ(err("x={ \t}"), "empty evaluation string at offset 2");
  EXPECT_EQ(err("a}b"), "invalid log point format, unexpected '}' at offset 1");
  EXPECT_EQ(err("{x}}"), "invalid log point format, unexpected '}' at offset 3");
  EXPECT_EQ(err("x={x"), "invalid log point format, unmatched '{' at offset 2");
  EXPECT_EQ(err("ok {a} then {b{c}"), "invalid log point format, unmatched '{' at offset 12");
  EXPECT_EQ(err("{"), "invalid log point format, unmatched '{' at offset 0");
}

TEST(DapLogMessage, Format) {
  auto segs = ok("foo called x={x} y={y}");
  std::vector<std::string> values{"0", "10"};
  EXPECT_EQ(format_log_message(segs, values), "foo called x=0 y=10");
  std::vector<std::string> short_values{"0"};
  EXPECT_EQ(format_log_message(segs, short_values), "foo called x=0 y=<missing>");
}

}  // namespace
}  // namespace gotrace::protocol::dap
