#include "gotrace/debugger/condition.h"

#include <gtest/gtest.h>

namespace gotrace::debugger {
namespace {

using symbols::Kind;

values::Variable scalar(std::string name, Kind k, std::string value) {
  values::Variable v;
  v.name = std::move(name);
  v.kind = k;
  v.value = std::move(value);
  return v;
}

std::vector<values::Variable> sample() {
  values::Variable p;
  p.name = "p";
  p.kind = Kind::struct_;
  p.children = {scalar("X", Kind::int_, "1"), scalar("Name", Kind::string, "pt")};
  values::Variable s = scalar("s", Kind::string, "hello");
  s.len = 5;
  values::Variable ptr;
  ptr.name = "q";
  ptr.kind = Kind::pointer;
  ptr.children = {p};
  return {scalar("x", Kind::int_, "7"), scalar("ok", Kind::bool_, "true"), s, p, ptr,
          scalar("big", Kind::uint64, "18446744073709551615")};
}

bool eval(const std::string& text) {
  auto c = Condition::parse(text);
  EXPECT_TRUE(c) << text << ": " << c.error().message;
  auto r = c->eval(sample());
  EXPECT_TRUE(r) << text << ": " << r.error().message;
  return r && *r;
}

TEST(Condition, ComparesArgumentsFieldsAndLengths) {
  EXPECT_TRUE(eval("x == 7"));
  EXPECT_FALSE(eval("x > 7"));
  EXPECT_TRUE(eval("x >= 7 && ok"));
  EXPECT_TRUE(eval("x < 0 || s == \"hello\""));
  EXPECT_TRUE(eval("len(s) == 5"));
  EXPECT_TRUE(eval("p.Name == \"pt\" && p.X == 1"));
  EXPECT_TRUE(eval("q.X == 1"));  // through a pointer, like Go's selector
  EXPECT_TRUE(eval("!(x == 8)"));
  EXPECT_TRUE(eval("(x == 7) == true"));
}

TEST(Condition, ReportsSyntaxErrorsAtParseTime) {
  auto c = Condition::parse("x == ");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message, "invalid condition \"x == \": unexpected end");
  c = Condition::parse("x == 1)");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message, "invalid condition \"x == 1)\": unexpected \")\"");
  c = Condition::parse("len(x");
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message, "invalid condition \"len(x\": len takes one variable");
}

TEST(Condition, UnknownVariablesAndTypeMismatchesFailAtRunTime) {
  auto c = Condition::parse("nosuch == 1");
  ASSERT_TRUE(c);
  auto r = c->eval(sample());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "could not find symbol value for nosuch");
  c = Condition::parse("s == 1");
  r = c->eval(sample());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "mismatched types in comparison");
  EXPECT_EQ(Condition::parse("p.X == 1 && len(s) > 0")->identifiers(),
            (std::vector<std::string>{"p", "s"}));
}

TEST(Expression, NamesTheResultByTheExpression) {
  auto v = evaluate_expression("p.Name", sample());
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->name, "p.Name");
  EXPECT_EQ(v->value, "pt");
  v = evaluate_expression("len(s)", sample());
  ASSERT_TRUE(v);
  EXPECT_EQ(v->name, "len(s)");
  EXPECT_EQ(v->value, "5");
}

// `on 1 print y+1` (dlv connect): Go's arithmetic over the captured values,
// with Go's precedence; the result has the type of the variable it reads.
TEST(Expression, ArithmeticOverTheValues) {
  auto v = evaluate_expression("x + 1", sample());
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(v->name, "x + 1");
  EXPECT_EQ(v->value, "8");
  EXPECT_EQ(v->kind, Kind::int_);
  EXPECT_EQ(v->flags, 0);
  EXPECT_EQ(evaluate_expression("x+1*2", sample())->value, "9");
  EXPECT_EQ(evaluate_expression("(x+1)*2", sample())->value, "16");
  EXPECT_EQ(evaluate_expression("x % 4 - -x", sample())->value, "10");
  EXPECT_EQ(evaluate_expression("-x / 2", sample())->value, "-3");  // truncated, as Go
  EXPECT_EQ(evaluate_expression("p.X*10 + len(s)", sample())->value, "15");
  EXPECT_EQ(evaluate_expression("s + \"!\"", sample())->value, "hello!");
  EXPECT_EQ(evaluate_expression("x > 1", sample())->value, "true");
  auto c = evaluate_expression("2 + 3", sample());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->value, "5");
  EXPECT_EQ(c->flags, values::kVarConstant);
  EXPECT_EQ(evaluate_expression("x / 0", sample()).error().message, "division by zero");
  EXPECT_EQ(evaluate_expression("s - 1", sample()).error().message, "mismatched types in -");
  EXPECT_TRUE(eval("x*2 == 14 && x-7 == 0"));
  EXPECT_TRUE(eval("x*2 > x+6"));
}

TEST(HitCondition, FollowsDelveOperators) {
  EXPECT_TRUE(check_hit_condition("> 2"));
  EXPECT_TRUE(check_hit_condition("% 5"));
  EXPECT_FALSE(check_hit_condition("% 0"));
  EXPECT_FALSE(check_hit_condition("2"));
  EXPECT_EQ(check_hit_condition("x").error().message,
            "invalid hit condition \"x\": expected an operator (>, >=, <, <=, ==, !=, %) and a "
            "number");
  EXPECT_FALSE(hit_condition_true("> 2", 2));
  EXPECT_TRUE(hit_condition_true("> 2", 3));
  EXPECT_TRUE(hit_condition_true("% 5", 10));
  EXPECT_FALSE(hit_condition_true("% 5", 11));
  EXPECT_TRUE(hit_condition_true("== 1", 1));
  EXPECT_TRUE(hit_condition_true("<= 1", 1));
  EXPECT_TRUE(hit_condition_true("!= 1", 2));
}

}  // namespace
}  // namespace gotrace::debugger

namespace gotrace::debugger {
namespace {

std::string text_of(const std::vector<tracer::KernelTerm>& ts) {
  static const char* ops[] = {"==", "!=", "<", "<=", ">", ">="};
  std::string out;
  for (const auto& t : ts) {
    out += t.path + " " + ops[static_cast<int>(t.op)] + " ";
    switch (t.literal) {
      case tracer::KernelTerm::Literal::integer: out += std::to_string(t.value); break;
      case tracer::KernelTerm::Literal::boolean: out += t.value ? "true" : "false"; break;
      case tracer::KernelTerm::Literal::nil: out += "nil"; break;
    }
    out += "; ";
  }
  return out;
}

std::string terms(const std::string& cond) {
  auto c = Condition::parse(cond);
  EXPECT_TRUE(c) << cond;
  return c ? text_of(c->kernel_terms()) : "";
}

// Groups as "[terms] [terms]", and whether they are the whole condition.
std::string groups(const std::string& cond) {
  auto c = Condition::parse(cond);
  EXPECT_TRUE(c) << cond;
  if (!c) return "";
  bool complete = false;
  std::string out;
  for (const auto& g : c->kernel_groups(&complete)) out += "[" + text_of(g) + "] ";
  return out + (complete ? "complete" : "partial");
}

TEST(Condition, KernelTermsAreTheTopLevelConjunctsAgainstConstants) {
  EXPECT_EQ(terms("x > 5"), "x > 5; ");
  EXPECT_EQ(terms("5 < x"), "x > 5; ");
  EXPECT_EQ(terms("-3 >= x"), "x <= -3; ");
  EXPECT_EQ(terms("x == 1 && len(s) != 0 && (p.Y <= 2 && ok == true)"), "x == 1; len(s) != 0; p.Y <= 2; ok == true; ");
  EXPECT_EQ(terms("p != nil && x == y"), "p != nil; ");
  EXPECT_EQ(terms("s == \"go\" && x < 3"), "x < 3; ");
  // Nothing under || or ! is a necessary condition.
  EXPECT_EQ(terms("x == 1 || y == 2"), "");
  EXPECT_EQ(terms("!(x == 1)"), "");
  EXPECT_EQ(terms("(x == 1 || y == 2) && z > 0"), "z > 0; ");
}

TEST(Condition, KernelGroupsAreTheTopLevelDisjuncts) {
  EXPECT_EQ(groups("x > 5"), "[x > 5; ] complete");
  EXPECT_EQ(groups("x == 1 || y == 2"), "[x == 1; ] [y == 2; ] complete");
  EXPECT_EQ(groups("a == 5 || b != 1 && a > 9000"), "[a == 5; ] [b != 1; a > 9000; ] complete");
  EXPECT_EQ(groups("(x == 1 || y == 2) || z < 0"), "[x == 1; ] [y == 2; ] [z < 0; ] complete");
  // A disjunct that is not (only) terms: its group keeps what it can.
  EXPECT_EQ(groups("x == 1 || s == \"go\" && y > 2"), "[x == 1; ] [y > 2; ] partial");
  EXPECT_EQ(groups("x == 1 || !(y == 2)"), "[x == 1; ] [] partial");
  EXPECT_EQ(groups("(x == 1 || y == 2) && z > 0"), "[z > 0; ] partial");
}

}  // namespace
}  // namespace gotrace::debugger
