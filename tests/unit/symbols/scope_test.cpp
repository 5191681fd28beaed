// Variables in scope at a PC inside a function body, with their DWARF
// locations there, and the CFA from the call frame information.
#include "fixture.h"
#include "lines_fixture.h"


namespace gotrace::symbols {
namespace {

using testing::fixture;
using Kind = LocationPiece::Kind;

int marker_line(const std::string& marker) { return gotrace::testing::lines_marker(marker); }

uint64_t pc_of(const Binary& bin, const std::string& marker) {
  auto pcs = bin.line_to_pcs("lines/main.go", marker_line(marker));
  EXPECT_FALSE(pcs.empty()) << marker;
  return pcs.empty() ? 0 : pcs.front();
}

// "name:depth" for each variable, in order.
std::vector<std::string> names(const std::vector<ScopedVariable>& vars) {
  std::vector<std::string> out;
  for (const auto& v : vars) out.push_back(v.var.name + ":" + std::to_string(v.depth));
  return out;
}

const ScopedVariable& find(const std::vector<ScopedVariable>& vars, const std::string& name, int depth = 0) {
  for (const auto& v : vars)
    if (v.var.name == name && v.depth == depth) return v;
  ADD_FAILURE() << "no variable " << name;
  static ScopedVariable none;
  return none;
}

TEST(Scope, DebugBuildNestedBlock) {
  const Binary& bin = fixture("lines-N");
  const Function* f = bin.find_function("main.greet");
  ASSERT_NE(f, nullptr);
  auto vars = bin.variables_at(*f, pc_of(bin, "short"));
  ASSERT_TRUE(vars) << vars.error().message;
  EXPECT_EQ(names(*vars), (std::vector<std::string>{"p:0", "greeting:0", "~r0:0", "msg:0", "n:0", "short:1"}));
  const ScopedVariable& p = find(*vars, "p");
  EXPECT_TRUE(p.is_param);
  EXPECT_FALSE(p.var.is_result);
  ASSERT_NE(p.var.type, nullptr);
  EXPECT_EQ(p.var.type->name, "*main.Person");
  // Spilled to the caller's argument area: CFA + 0 and CFA + 8.
  ASSERT_EQ(p.pieces.size(), 1u);
  EXPECT_EQ(p.pieces[0].kind, Kind::frame);
  EXPECT_EQ(p.pieces[0].offset, 0);
  const ScopedVariable& g = find(*vars, "greeting");
  ASSERT_EQ(g.pieces.size(), 1u);
  EXPECT_EQ(g.pieces[0].offset, 8);
  const ScopedVariable& s = find(*vars, "short", 1);
  EXPECT_FALSE(s.is_param);
  EXPECT_EQ(s.decl_line, marker_line("short") - 1);
  ASSERT_EQ(s.pieces.size(), 1u);
  EXPECT_EQ(s.pieces[0].kind, Kind::frame);
  EXPECT_LT(s.pieces[0].offset, 0);
  EXPECT_TRUE(find(*vars, "~r0").var.is_result);
}

TEST(Scope, BlockVariablesEndWithTheirBlock) {
  const Binary& bin = fixture("lines-N");
  const Function* f = bin.find_function("main.greet");
  auto vars = bin.variables_at(*f, pc_of(bin, "return"));
  ASSERT_TRUE(vars);
  EXPECT_EQ(names(*vars), (std::vector<std::string>{"p:0", "greeting:0", "~r0:0", "msg:0", "n:0"}));
}

TEST(Scope, LaterDeclarationsAreNotYetInScope) {
  const Binary& bin = fixture("lines-N");
  const Function* f = bin.find_function("main.greet");
  // The first statement: msg is declared on it, n on the next line.
  auto pcs = bin.line_to_pcs("lines/main.go", marker_line("short") - 4);
  ASSERT_FALSE(pcs.empty());
  auto vars = bin.variables_at(*f, pcs.front());
  ASSERT_TRUE(vars);
  EXPECT_EQ(names(*vars), (std::vector<std::string>{"p:0", "greeting:0", "~r0:0", "msg:0"}));
}

TEST(Scope, ShadowedNameInInnerBlock) {
  const Binary& bin = fixture("lines-N");
  const Function* f = bin.find_function("main.shadow");
  auto inner = bin.variables_at(*f, pc_of(bin, "inner"));
  ASSERT_TRUE(inner);
  EXPECT_EQ(names(*inner), (std::vector<std::string>{"x:0", "~r0:0", "y:0", "x:1"}));
  EXPECT_NE(find(*inner, "x", 0).pieces.at(0).offset, find(*inner, "x", 1).pieces.at(0).offset);
  auto outer = bin.variables_at(*f, pc_of(bin, "outer"));
  ASSERT_TRUE(outer);
  EXPECT_EQ(names(*outer), (std::vector<std::string>{"x:0", "~r0:0", "y:0"}));
}

TEST(Scope, OptimizedBuildRegistersAndPieces) {
  const Binary& bin = fixture("lines-O");
  const Function* f = bin.find_function("main.sumTo");
  auto vars = bin.variables_at(*f, pc_of(bin, "loop"));
  ASSERT_TRUE(vars) << vars.error().message;
  EXPECT_EQ(names(*vars), (std::vector<std::string>{"limit:0", "~r0:0", "total:0", "i:1"}));
  // Go 1.19 locates i in a register there too. From Go 1.26 on, i's
  // location list starts at the loop condition, after the body's first
  // instruction: the DWARF says nothing of i at this pc (its register holds
  // it all the same), and so neither does gotrace (nor Delve).
  const bool i_located = gotrace::testing::go_minor() <= 19;
  for (const char* n : {"limit", "i"}) {
    const bool is_i = n == std::string("i");
    const ScopedVariable& v = find(*vars, n, is_i ? 1 : 0);
    if (is_i && !i_located) {
      EXPECT_TRUE(v.pieces.empty()) << n;
      continue;
    }
    ASSERT_EQ(v.pieces.size(), 1u) << n;
    EXPECT_EQ(v.pieces[0].kind, Kind::reg) << n;
    EXPECT_EQ(v.pieces[0].size, 0u) << n;
  }
  // The loop line's first instruction comes before total's register range.
  EXPECT_TRUE(find(*vars, "total").pieces.empty());
  EXPECT_TRUE(find(*vars, "~r0").pieces.empty());  // results have no location mid-body

  // A string split over two registers.
  const Function* g = bin.find_function("main.greet");
  auto gv = bin.variables_at(*g, pc_of(bin, "return"));
  ASSERT_TRUE(gv);
  // n (len(msg), used once) has a DWARF entry from Go 1.19, none from 1.26.
  std::vector<std::string> want{"p:0", "greeting:0", "~r0:0", "n:0", "msg:0"};
  if (gotrace::testing::go_minor() > 19) want.erase(want.begin() + 3);
  EXPECT_EQ(names(*gv), want);
  const ScopedVariable& m = find(*gv, "msg");
  ASSERT_EQ(m.pieces.size(), 2u);
  EXPECT_EQ(m.pieces[0].kind, Kind::reg);
  EXPECT_EQ(m.pieces[0].reg, 0);
  EXPECT_EQ(m.pieces[0].size, 8u);
  EXPECT_EQ(m.pieces[1].kind, Kind::reg);
  EXPECT_EQ(m.pieces[1].reg, 3);
  EXPECT_EQ(m.pieces[1].size, 8u);
}

TEST(Scope, PcOutsideTheFunctionIsAnError) {
  const Binary& bin = fixture("lines-N");
  const Function* f = bin.find_function("main.greet");
  auto r = bin.variables_at(*f, f->end);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::invalid_argument);
}

TEST(Scope, CfaOffsetFromCallFrameInformation) {
  for (const char* name : {"lines-N", "lines-O"}) {
    const Binary& bin = fixture(name);
    const Function* f = bin.find_function("main.greet");
    // At the entry only the return address is on the stack.
    auto at_entry = bin.cfa_offset(f->entry);
    ASSERT_TRUE(at_entry) << at_entry.error().message;
    EXPECT_EQ(*at_entry, 8) << name;
    // In the body the frame is allocated.
    auto body = bin.cfa_offset(pc_of(bin, "return"));
    ASSERT_TRUE(body);
    EXPECT_GT(*body, 8) << name;
    EXPECT_EQ(*body % 8, 0) << name;
  }
}

}  // namespace
}  // namespace gotrace::symbols
