// GetVersion names the tracing backend the server uses (Delve names its own:
// "native", "lldb", "rr"), so a client can tell eBPF from ptrace.
#include "harness.h"
#include "rpc_client.h"

#include <gtest/gtest.h>

namespace gotrace::itest {
namespace {

TEST(RpcVersion, BackendNamesTheTracer) {
  require_root();
  Server srv = start_gotrace_exec(fixture("dlvprog-N"));
  ASSERT_GT(srv.port, 0) << slurp_file(srv.proc.err_path);
  RpcClient c;
  ASSERT_TRUE(c.connect(srv.port));
  EXPECT_EQ(json::serialize(c.call("GetVersion", json::object{})),
            std::string(R"({"id":0,"result":{"DelveVersion":"Version: 1.20.2\nBuild: gotrace",)"
                        R"("APIVersion":2,"Backend":")") +
                backend_name(backend()) +
                R"(","TargetGoVersion":"","MinSupportedVersionOfGo":"1.18.0",)"
                R"("MaxSupportedVersionOfGo":"1.20.0"},"error":null})");
  c.call("Detach", json::object{{"Kill", true}});
  RunResult done = srv.proc.wait(20);
  EXPECT_EQ(done.exit_code, 0);
  EXPECT_EQ(done.err, "");
}

}  // namespace
}  // namespace gotrace::itest
