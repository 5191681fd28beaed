// A function with no RET (main.main of a program that loops forever): its
// entry is traced as Delve traces it, and it has no return locations.
#include "harness.h"
#include "rpc_client.h"
#include "rpc_ticker.h"

#include <gtest/gtest.h>

namespace gotrace::itest {
namespace {

TEST(RpcNoReturn, EntryOfAFunctionThatNeverReturnsIsTraced) {
  require_root();
  Server srv = start_gotrace_exec(fixture("ticker-N"));
  ASSERT_GT(srv.port, 0);
  RpcClient c;
  ASSERT_TRUE(c.connect(srv.port));
  json::value rets = c.call("FunctionReturnLocations", json::object{{"FnName", "main.main"}});
  EXPECT_EQ(json::serialize(rets.at("result")), R"({"Addrs":[]})") << json::serialize(rets);
  json::value bp = c.call("CreateBreakpoint", json::object{{"Breakpoint", json::object{{"functionName", "main.main"},
                                                                                       {"line", -1},
                                                                                       {"continue", true}}}});
  ASSERT_TRUE(bp.at("error").is_null()) << json::serialize(bp);
  json::value hit = c.call("Command", continue_cmd());
  ASSERT_TRUE(hit.is_object());
  const json::value& th = hit.at("result").at("State").at("currentThread");
  EXPECT_EQ(th.at("function").at("name"), "main.main") << json::serialize(th);
  EXPECT_EQ(th.at("breakPoint").at("functionName"), "main.main");
  c.call("Detach", json::object{{"Kill", true}});
  RunResult done = srv.proc.wait(20);
  EXPECT_EQ(done.exit_code, 0) << done.err;
}

}  // namespace
}  // namespace gotrace::itest
