#include "kernel_filter.h"

#include <gtest/gtest.h>

namespace gotrace::tracer {
namespace {

using symbols::Kind;
using Op = KernelTerm::Op;
using Lit = KernelTerm::Literal;

struct Types {
  symbols::Type int_{Kind::int_, "int", 8, 8};
  symbols::Type int32{Kind::int32, "int32", 4, 4};
  symbols::Type uint8{Kind::uint8, "uint8", 1, 1};
  symbols::Type bool_{Kind::bool_, "bool", 1, 1};
  symbols::Type string{Kind::string, "string", 16, 8};
  symbols::Type ptr{Kind::pointer, "*main.Point", 8, 8};
  symbols::Type point{Kind::struct_, "main.Point", 16, 8};
  symbols::Type float64{Kind::float64, "float64", 8, 8};
  Types() {
    point.fields = {{"X", 0, &int_}, {"Y", 8, &int32}};
    ptr.elem = &point;
  }
};

ValuePlan value(std::string name, const symbols::Type* t, std::vector<Chunk> chunks) {
  ValuePlan v;
  v.name = std::move(name);
  v.type = t;
  v.size = t->size;
  v.chunks = std::move(chunks);
  return v;
}

struct Site {
  Types t;
  std::vector<ValuePlan> values{
      value("n", &t.int_, {{0, 0, 8}}),
      value("s", &t.string, {{1, 0, 8}, {2, 8, 8}}),
      value("p", &t.ptr, {{3, 0, 8}}),
      value("pt", &t.point, {{4, 0, 8}, {5, 8, 8}}),
      value("b", &t.bool_, {{6, 0, 1}}),
      value("u", &t.uint8, {{7, 0, 1}}),
      value("f", &t.float64, {{8, 0, 8}}),
      value("i32", &t.int32, {{9, 0, 4}}),
  };
  std::optional<gt_pred> pred(std::string path, Op op, Lit lit, int64_t v) {
    return kernel_predicate({std::move(path), op, lit, v}, values);
  }
};

void expect_pred(const std::optional<gt_pred>& p, uint16_t word, uint8_t op, uint8_t size, bool is_signed,
                 int64_t value) {
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->word, word);
  EXPECT_EQ(p->op, op);
  EXPECT_EQ(p->size, size);
  EXPECT_EQ(p->is_signed, is_signed ? 1 : 0);
  EXPECT_EQ(static_cast<int64_t>(p->value), value);
}

TEST(KernelFilter, IntegersBoolsNilFieldsAndLengths) {
  Site s;
  expect_pred(s.pred("n", Op::gt, Lit::integer, -3), 0, GT_CMP_GT, 8, true, -3);
  expect_pred(s.pred("len(s)", Op::ge, Lit::integer, 4), 2, GT_CMP_GE, 8, true, 4);
  expect_pred(s.pred("p", Op::ne, Lit::nil, 0), 3, GT_CMP_NE, 8, false, 0);
  expect_pred(s.pred("pt.X", Op::eq, Lit::integer, 1), 4, GT_CMP_EQ, 8, true, 1);
  expect_pred(s.pred("pt.Y", Op::lt, Lit::integer, 7), 5, GT_CMP_LT, 4, true, 7);
  expect_pred(s.pred("b", Op::eq, Lit::boolean, 1), 6, GT_CMP_EQ, 1, false, 1);
  expect_pred(s.pred("u", Op::le, Lit::integer, 200), 7, GT_CMP_LE, 1, false, 200);
  expect_pred(s.pred("i32", Op::ne, Lit::integer, -2147483648), 9, GT_CMP_NE, 4, true, -2147483648);
}

TEST(KernelFilter, LeavesToUserSpaceWhatTheWordsCannotDecide) {
  Site s;
  EXPECT_FALSE(s.pred("p.X", Op::eq, Lit::integer, 1));       // behind a pointer
  EXPECT_FALSE(s.pred("s", Op::eq, Lit::integer, 1));         // a string's text
  EXPECT_FALSE(s.pred("f", Op::gt, Lit::integer, 1));         // floats
  EXPECT_FALSE(s.pred("u", Op::gt, Lit::integer, 256));       // out of uint8's range
  EXPECT_FALSE(s.pred("u", Op::gt, Lit::integer, -1));        // negative for unsigned
  EXPECT_FALSE(s.pred("b", Op::lt, Lit::boolean, 1));         // bools only compare equal
  EXPECT_FALSE(s.pred("p", Op::lt, Lit::nil, 0));
  EXPECT_FALSE(s.pred("n", Op::eq, Lit::nil, 0));             // mismatched literal
  EXPECT_FALSE(s.pred("nosuch", Op::eq, Lit::integer, 0));
  EXPECT_FALSE(s.pred("pt.Z", Op::eq, Lit::integer, 0));
  EXPECT_FALSE(s.pred("len(n)", Op::eq, Lit::integer, 0));
  s.values[0].unreadable = "optimized away at this address";
  EXPECT_FALSE(s.pred("n", Op::eq, Lit::integer, 0));
  // Inside a word, not at its start: not decidable from the low bytes.
  s.values[3].chunks = {{4, 0, 8}, {5, 8, 8}};
  s.t.point.fields[1].offset = 12;
  EXPECT_FALSE(s.pred("pt.Y", Op::eq, Lit::integer, 0));
}

}  // namespace
}  // namespace gotrace::tracer

namespace gotrace::tracer {
namespace {

// (word, group) of each predicate, in order.
std::vector<std::pair<int, int>> shape(const std::vector<gt_pred>& ps) {
  std::vector<std::pair<int, int>> out;
  for (const gt_pred& p : ps) out.emplace_back(p.word, p.group);
  return out;
}

KernelTerm term(std::string path, int64_t v) { return {std::move(path), Op::eq, Lit::integer, v}; }
KernelTerm undecidable() { return {"f", Op::eq, Lit::integer, 1}; }  // a float

TEST(KernelFilter, GroupsOfTermsForOrAndAnd) {
  Site s;
  // n == 1 || pt.X == 2 && b == 1
  auto ps = kernel_predicates({{term("n", 1)}, {term("pt.X", 2), {"b", Op::eq, Lit::boolean, 1}}}, s.values);
  EXPECT_EQ(shape(ps), (std::vector<std::pair<int, int>>{{0, 0}, {4, 1}, {6, 1}}));
  // An undecidable term only weakens its group.
  ps = kernel_predicates({{term("n", 1)}, {undecidable(), term("pt.X", 2)}}, s.values);
  EXPECT_EQ(shape(ps), (std::vector<std::pair<int, int>>{{0, 0}, {4, 1}}));
  // A group left with nothing, or more groups than the kernel holds: no
  // filter, since dropping a group would drop hits that satisfy it.
  EXPECT_TRUE(kernel_predicates({{term("n", 1)}, {undecidable()}}, s.values).empty());
  EXPECT_TRUE(kernel_predicates({{term("n", 1)}, {term("n", 2)}, {term("n", 3)}, {term("n", 4)}, {term("n", 5)}},
                                s.values)
                  .empty());
  // Over the kernel's room: every group keeps its first term, the rest fills in order.
  ps = kernel_predicates({{term("n", 1), term("pt.X", 1), term("i32", 1)}, {term("u", 1), term("b", 1)}}, s.values);
  EXPECT_EQ(shape(ps), (std::vector<std::pair<int, int>>{{0, 0}, {4, 0}, {9, 0}, {7, 1}}));
  // One group is a plain conjunction.
  ps = kernel_predicates({{term("n", 1), term("u", 2)}}, s.values);
  EXPECT_EQ(shape(ps), (std::vector<std::pair<int, int>>{{0, 0}, {7, 0}}));
  EXPECT_TRUE(kernel_predicates({}, s.values).empty());
}

}  // namespace
}  // namespace gotrace::tracer
