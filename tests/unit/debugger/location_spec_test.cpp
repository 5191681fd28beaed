#include "location_spec.h"

#include <gtest/gtest.h>

namespace gotrace::debugger::locspec {
namespace {

using Kind = Spec::Kind;

Spec ok(const std::string& loc) {
  auto s = parse(loc);
  EXPECT_TRUE(s) << loc << ": " << s.error().message;
  return s ? *s : Spec{};
}

std::string error_of(const std::string& loc) {
  auto s = parse(loc);
  return s ? "" : s.error().message;
}

// The forms of Delve's pkg/locspec, read as Delve reads them.
TEST(LocationSpec, ParsesEveryForm) {
  Spec s = ok("main.foo");
  EXPECT_EQ(s.kind, Kind::normal);
  EXPECT_EQ(s.base, "main.foo");
  EXPECT_EQ(s.line_offset, -1);
  ASSERT_TRUE(s.func);
  EXPECT_EQ(s.func->package_or_receiver, "main");
  EXPECT_EQ(s.func->base, "foo");

  s = ok("main.foo:1");
  EXPECT_EQ(s.base, "main.foo");
  EXPECT_EQ(s.line_offset, 1);

  s = ok("prog.go:17");
  EXPECT_EQ(s.base, "prog.go");
  EXPECT_EQ(s.line_offset, 17);

  s = ok("github.com/x/y.(*T).M");
  ASSERT_TRUE(s.func);
  EXPECT_EQ(s.func->package, "github.com/x/y");
  EXPECT_EQ(s.func->receiver, "T");
  EXPECT_EQ(s.func->base, "M");

  s = ok("(*T).M");
  ASSERT_TRUE(s.func);
  EXPECT_EQ(s.func->receiver, "T");

  s = ok("C:/dir/prog.go:3");  // every colon but the last belongs to the file
  EXPECT_EQ(s.base, "C:/dir/prog.go");
  EXPECT_EQ(s.line_offset, 3);

  EXPECT_EQ(ok("/^main\\.(a|b)$/").regex, "^main\\.(a|b)$");
  EXPECT_EQ(ok("/a\\/b/").regex, "a/b");
  EXPECT_EQ(ok("*0x4bcf6a").address_expression, "0x4bcf6a");
  EXPECT_EQ(ok("+2").offset, 2);
  EXPECT_EQ(ok("-3").offset, -3);
  EXPECT_EQ(ok("12").kind, Kind::line);
  EXPECT_EQ(ok("0x10").line, 16);
}

TEST(LocationSpec, RefusesWithDelvesWords) {
  EXPECT_EQ(error_of(""), "Malformed breakpoint location \"\" at 0: empty string");
  EXPECT_EQ(error_of("+x"), "Malformed breakpoint location \"+x\" at 0: strconv.Atoi: parsing \"+x\": invalid syntax");
  EXPECT_EQ(error_of("main.A:-1"),
            "Malformed breakpoint location \"main.A:-1\" at 7: line offset negative or not a number");
  EXPECT_EQ(error_of("main.A:x"),
            "Malformed breakpoint location \"main.A:x\" at 7: line offset negative or not a number");
  EXPECT_EQ(error_of("/a/b/"),
            "Malformed breakpoint location \"/a/b/\" at 0: no line offset can be specified for regular expression "
            "locations");
}

// FuncLocationSpec.Match: the base name always; package and receiver as far
// as they are given; a package may be a path's last elements.
TEST(LocationSpec, MatchesFunctionsAsDelve) {
  auto f = [](const std::string& loc) { return *ok(loc).func; };
  EXPECT_TRUE(matches(f("foo"), "main.foo"));
  EXPECT_TRUE(matches(f("main.foo"), "main.foo"));
  EXPECT_FALSE(matches(f("main.foo"), "main.foobar"));
  EXPECT_TRUE(matches(f("T.M"), "main.T.M"));
  EXPECT_TRUE(matches(f("(*T).M"), "main.(*T).M"));
  EXPECT_TRUE(matches(f("y.(*T).M"), "github.com/x/y.(*T).M"));
  EXPECT_FALSE(matches(f("z.(*T).M"), "github.com/x/y.(*T).M"));
  EXPECT_TRUE(matches(f("x/y.F"), "github.com/x/y.F"));
  EXPECT_FALSE(matches(f("/x/y.F"), "github.com/x/y.F"));  // absolute package
  EXPECT_TRUE(matches(f("func1"), "main.formula.func1"));
  EXPECT_FALSE(matches(f("Max"), "main.Max[go.shape.int]"));  // base name "Max[go.shape.int]"
  EXPECT_TRUE(partial_path_match("b/prog.go", "/a/b/prog.go"));
  EXPECT_FALSE(partial_path_match("rog.go", "/a/b/prog.go"));
}

}  // namespace
}  // namespace gotrace::debugger::locspec
