#include "gotrace/protocol/rpc/json_write.h"
#include "gotrace/protocol/rpc/types.h"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace gotrace::protocol::rpc {
namespace {

namespace json = boost::json;

TEST(Types, PartialBreakpointFromDlvTrace) {
  auto bp = from_json<Breakpoint>(json::parse(
      R"({"functionName":"main.foo","continue":true,"line":-1,"stacktrace":0,"LoadArgs":{"FollowPointers":false,"MaxVariableRecurse":0,"MaxStringLen":64,"MaxArrayValues":0,"MaxStructFields":3}})"));
  ASSERT_TRUE(bp) << bp.error().message;
  EXPECT_EQ(bp->functionName, "main.foo");
  EXPECT_TRUE(bp->Tracepoint);
  EXPECT_EQ(bp->line, -1);
  ASSERT_TRUE(bp->LoadArgs);
  EXPECT_EQ(*bp->LoadArgs, kShortLoadConfig);
  EXPECT_FALSE(bp->LoadLocals);
  EXPECT_FALSE(bp->addrs);
  EXPECT_TRUE(bp->hitCount.empty());
}

TEST(Types, FieldNamesFoldCaseAndUnknownKeysIgnored) {
  auto bp = from_json<Breakpoint>(json::parse(
      R"({"FunctionName":"main.foo","CONTINUE":true,"Line":7,"loadargs":{"maxstringlen":32},"ExprString":"x","UserData":{}})"));
  ASSERT_TRUE(bp) << bp.error().message;
  EXPECT_EQ(bp->functionName, "main.foo");
  EXPECT_TRUE(bp->Tracepoint);
  EXPECT_EQ(bp->line, 7);
  ASSERT_TRUE(bp->LoadArgs);
  EXPECT_EQ(bp->LoadArgs->MaxStringLen, 32);
}

TEST(Types, LastDuplicateKeyWins) {
  auto bp = from_json<Breakpoint>(json::parse(R"({"line":1,"Line":2})"));
  ASSERT_TRUE(bp);
  EXPECT_EQ(bp->line, 2);
}

TEST(Types, NullLeavesScalarsAndResetsSlices) {
  auto bp = from_json<Breakpoint>(json::parse(R"({"line":null,"addrs":null,"addrpid":[],"hitCount":null,"LoadArgs":null})"));
  ASSERT_TRUE(bp);
  EXPECT_EQ(bp->line, 0);
  EXPECT_FALSE(bp->addrs);
  ASSERT_TRUE(bp->addrpid);
  EXPECT_TRUE(bp->addrpid->empty());
  EXPECT_FALSE(bp->LoadArgs);
}

TEST(Types, TypeErrorsNameTheField) {
  auto e = [](const char* text) {
    auto r = from_json<Breakpoint>(json::parse(text));
    return r ? std::string("ok") : r.error().message;
  };
  EXPECT_EQ(e(R"({"line":"16"})"), "Breakpoint.line: expected integer, got string");
  EXPECT_EQ(e(R"({"line":1.5})"), "Breakpoint.line: expected integer, got number");
  EXPECT_EQ(e(R"({"addr":-1})"), "Breakpoint.addr: number -1 out of range");
  EXPECT_EQ(e(R"({"id":13758215386640154624})"), "Breakpoint.id: number 13758215386640154624 out of range");
  EXPECT_EQ(e(R"({"addrs":[1,"x"]})"), "Breakpoint.addrs[1]: expected unsigned integer, got string");
  EXPECT_EQ(e(R"({"LoadArgs":{"MaxStringLen":true}})"), "Breakpoint.LoadArgs.MaxStringLen: expected integer, got bool");
  EXPECT_EQ(e(R"({"hitCount":{"1":"x"}})"), "Breakpoint.hitCount.1: expected unsigned integer, got string");
  EXPECT_EQ(e(R"({"continue":1})"), "Breakpoint.continue: expected bool, got number");
  EXPECT_EQ(e(R"({"variables":"x"})"), "Breakpoint.variables: expected array, got string");
  EXPECT_EQ(e(R"([])"), "Breakpoint: expected object, got array");
  EXPECT_EQ(e(R"(null)"), "ok");
  auto f = from_json<Function>(json::parse(R"({"type":256})"));
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().message, "Function.type: number 256 out of range");
}

TEST(Types, DebuggerCommand) {
  auto c = from_json<DebuggerCommand>(json::parse(
      R"({"name":"continue","ReturnInfoLoadConfig":{"FollowPointers":true,"MaxVariableRecurse":1,"MaxStringLen":64,"MaxArrayValues":64,"MaxStructFields":-1},"WithEvents":true})"));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->name, "continue");
  ASSERT_TRUE(c->ReturnInfoLoadConfig);
  EXPECT_EQ(c->ReturnInfoLoadConfig->MaxStructFields, -1);
  EXPECT_TRUE(c->WithEvents);
  auto halt = from_json<DebuggerCommand>(json::parse(R"({"name":"halt","ReturnInfoLoadConfig":null})"));
  ASSERT_TRUE(halt);
  EXPECT_FALSE(halt->ReturnInfoLoadConfig);
  EXPECT_EQ(to_go_json(to_json(*halt)), R"({"name":"halt","ReturnInfoLoadConfig":null})");
}

TEST(Types, EvalScope) {
  auto s = from_json<EvalScope>(json::parse(R"({"GoroutineID":-1,"Frame":0,"DeferredCall":0})"));
  ASSERT_TRUE(s);
  EXPECT_EQ(s->GoroutineID, -1);
  EXPECT_EQ(to_go_json(to_json(*s)), R"({"GoroutineID":-1,"Frame":0,"DeferredCall":0})");
}

TEST(Types, EmptyBreakpointSerialization) {
  // A zero Breakpoint, as CreateEBPFTracepoint returns: nil slices are null,
  // hitCount is {}, omitempty keys are absent.
  EXPECT_EQ(to_go_json(to_json(Breakpoint{})),
            R"({"id":0,"name":"","addr":0,"addrs":null,"addrpid":null,"file":"","line":0,"ExprString":"","Cond":"","HitCond":"","HitCondPerG":false,"continue":false,"traceReturn":false,"goroutine":false,"stacktrace":0,"LoadArgs":null,"LoadLocals":null,"WatchExpr":"","WatchType":0,"hitCount":{},"totalHitCount":0,"disabled":false,"RootFuncName":"","TraceFollowCalls":0})");
}

TEST(Types, HitCountKeysSortedLikeGoMaps) {
  Breakpoint bp;
  bp.hitCount = {{"2", 1}, {"10", 3}, {"1", 2}};
  auto j = to_go_json(to_json(bp));
  EXPECT_NE(j.find(R"("hitCount":{"1":2,"10":3,"2":1})"), std::string::npos) << j;
}

TEST(Types, TracepointResultOmitempty) {
  TracepointResult t;
  t.file = "/p/prog.go";
  t.line = 16;
  t.goroutineID = 1;
  EXPECT_EQ(to_go_json(to_json(t)), R"({"addr":0,"file":"/p/prog.go","line":16,"is_ret":false,"goroutineID":1})");
  Variable z;
  z.name = "z";
  z.flags = kVarReturnArgument;
  z.kind = 2;
  z.value = "1";
  t.is_ret = true;
  t.functionName = "main.foo";
  t.returnParams.push_back(z);
  auto back = from_json<TracepointResult>(to_json(t));
  ASSERT_TRUE(back);
  EXPECT_EQ(to_go_json(to_json(*back)), to_go_json(to_json(t)));
  EXPECT_EQ(to_go_json(to_json(t)),
            R"({"addr":0,"file":"/p/prog.go","line":16,"is_ret":true,"functionName":"main.foo","goroutineID":1,"returnParams":[{"name":"z","addr":0,"onlyAddr":false,"type":"","realType":"","flags":16,"kind":2,"value":"1","StringValueBytes":null,"len":0,"cap":0,"children":[],"base":0,"unreadable":"","LocationExpr":"","DeclLine":0}]})");
}

// GetBufferedTracepoints writes its results directly; the bytes must be
// those of the tree to_json builds, which the transcripts check against
// Delve.
TEST(Types, TracepointResultWrittenDirectlyEqualsTheTree) {
  auto direct = [](const TracepointResult& t) {
    std::string out;
    write_go_json(out, t);
    return out;
  };
  TracepointResult t;
  t.file = "/p/prog.go";
  t.line = 16;
  t.goroutineID = 1;
  EXPECT_EQ(direct(t), R"({"addr":0,"file":"/p/prog.go","line":16,"is_ret":false,"goroutineID":1})");

  Variable s;
  s.name = "s";
  s.addr = 0xbeef000000000000ULL;
  s.type = s.realType = "string";
  s.flags = kVarArgument | kVarFakeAddress;
  s.kind = 24;
  s.value = "<a & b>\n\"q\"\x01\xff \u00e9 \u2028";
  s.len = 123;
  s.base = 0xc000010000;
  Variable p;
  p.name = "p";
  p.type = p.realType = "*github.com/acme/x.Point";
  p.kind = 22;
  p.len = 1;
  p.cap = -1;
  Variable pointee;
  pointee.type = pointee.realType = "github.com/acme/x.Point";
  pointee.kind = 25;
  pointee.onlyAddr = true;
  pointee.unreadable = "could not read 8 bytes at 0x10: memory not captured";
  pointee.LocationExpr = "[block] DW_OP_call_frame_cfa";
  pointee.DeclLine = -7;
  pointee.children.push_back(s);
  p.children.push_back(pointee);
  Variable r;
  r.name = "~r0";
  r.flags = kVarReturnArgument;
  r.kind = 2;
  r.value = "-9223372036854775808";
  r.len = INT64_MIN;
  r.addr = UINT64_MAX;
  t.addr = 0x401000;
  t.is_ret = true;
  t.functionName = "main.(*T).m";
  t.inputParams = {s, p};
  t.returnParams = {r};
  t.durationNs = 1500;
  EXPECT_EQ(direct(t), to_go_json(to_json(t)));
  std::string v;
  write_go_json(v, p);
  EXPECT_EQ(v, to_go_json(to_json(p)));
}

TEST(Types, GoroutineLabelsOmitempty) {
  Goroutine g;
  g.id = 1;
  auto j = to_go_json(to_json(g));
  EXPECT_EQ(j.find("labels"), std::string::npos);
  g.labels = {{"k", "v"}};
  j = to_go_json(to_json(g));
  EXPECT_NE(j.find(R"("unreadable":"","labels":{"k":"v"}})"), std::string::npos) << j;
}

TEST(Types, VariableChildrenNeverNull) {
  auto v = from_json<Variable>(json::parse(R"({"name":"x","children":null})"));
  ASSERT_TRUE(v);
  EXPECT_NE(to_go_json(to_json(*v)).find(R"("children":[])"), std::string::npos);
}

// Delve 1.27: a string that is not UTF-8 also goes as its bytes (base64), in
// the tree and in the direct writer alike; valid strings carry null.
TEST(Types, StringValueBytesOnlyForInvalidUtf8) {
  Variable ok;
  ok.kind = 24;
  ok.value = "h\xc3\xa9llo";
  Variable bad = ok;
  bad.value = "a\xff\xfe";
  Variable num = bad;
  num.kind = 2;
  EXPECT_NE(to_go_json(to_json(ok)).find(R"("StringValueBytes":null)"), std::string::npos);
  EXPECT_NE(to_go_json(to_json(bad)).find(R"("value":"a\ufffd\ufffd","StringValueBytes":"Yf/+")"), std::string::npos)
      << to_go_json(to_json(bad));
  EXPECT_NE(to_go_json(to_json(num)).find(R"("StringValueBytes":null)"), std::string::npos);
  for (const Variable& v : {ok, bad, num}) {
    std::string direct;
    write_go_json(direct, v);
    EXPECT_EQ(direct, to_go_json(to_json(v)));
  }
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("a"), "YQ==");
  EXPECT_EQ(base64("ab"), "YWI=");
  EXPECT_EQ(base64("abc"), "YWJj");
}

}  // namespace
}  // namespace gotrace::protocol::rpc
