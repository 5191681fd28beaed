// What one client may cost a server: probe sites in place (--max-probes),
// string bytes captured (--max-string-len) and request size
// (--max-message-size) are limits a flag sets, enforced with an error that
// names the limit and the flag; the server keeps serving after each.
#include "harness.h"
#include "rpc_client.h"
#include "rpc_ticker.h"

#include <gtest/gtest.h>
#include <signal.h>

namespace gotrace::itest {
namespace {

json::value function_tracepoint(const std::string& fn, json::value load_args = short_load_config()) {
  return json::object{{"Breakpoint", json::object{{"functionName", fn}, {"line", -1}, {"continue", true},
                                                  {"LoadArgs", std::move(load_args)}}}};
}

std::string error_of(const json::value& reply) {
  if (!reply.is_object() || !reply.at("error").is_string()) return "no error: " + json::serialize(reply);
  return std::string(reply.at("error").as_string());
}

void end(Server& srv, RpcClient& c) {
  c.call("Detach", json::object{{"Kill", true}});
  RunResult done = srv.proc.wait(20);
  EXPECT_EQ(done.exit_code, 0) << done.err;
}

TEST(RpcLimits, ProbesBeyondTheLimitAreRefusedNamingIt) {
  require_root();
  Server srv = start_gotrace_exec(fixture("ticker-N"), {"--max-probes=1"});
  ASSERT_GT(srv.port, 0);
  RpcClient c;
  ASSERT_TRUE(c.connect(srv.port));
  json::value tick = c.call("CreateBreakpoint", tick_tracepoint());
  ASSERT_TRUE(tick.at("error").is_null()) << json::serialize(tick);
  EXPECT_EQ(error_of(c.call("CreateBreakpoint", function_tracepoint("time.Sleep"))),
            "time.Sleep: its 1 probe site would make 2, over this server's limit of 1 (--max-probes)");
  // The limit is on probes in place, not on probes ever made.
  int64_t id = tick.at("result").at("Breakpoint").at("id").as_int64();
  json::value cleared = c.call("ClearBreakpoint", json::object{{"Id", id}});
  ASSERT_TRUE(cleared.at("error").is_null()) << json::serialize(cleared);
  json::value now = c.call("CreateBreakpoint", function_tracepoint("time.Sleep"));
  EXPECT_TRUE(now.at("error").is_null()) << json::serialize(now);
  end(srv, c);
}

TEST(RpcLimits, StringsLongerThanTheCaptureLimitAreRefusedNamingIt) {
  require_root();
  Server srv = start_gotrace_exec(fixture("types-N"), {"--max-string-len=4"});
  ASSERT_GT(srv.port, 0);
  RpcClient c;
  ASSERT_TRUE(c.connect(srv.port));
  // dlv connect's default LoadArgs ask for 64 bytes.
  EXPECT_EQ(error_of(c.call("CreateBreakpoint", function_tracepoint("main.strs"))),
            "LoadArgs.MaxStringLen 64 is over this server's string capture limit of 4 bytes "
            "(start it with --max-string-len 64)");
  json::object four = short_load_config().as_object();
  four["MaxStringLen"] = 4;
  json::value bp = c.call("CreateBreakpoint", function_tracepoint("main.strs", four));
  ASSERT_TRUE(bp.at("error").is_null()) << json::serialize(bp);
  json::value hit = c.call("Command", continue_cmd());
  ASSERT_TRUE(hit.is_object());
  const json::value& args = hit.at("result").at("State").at("currentThread").at("breakPointInfo").at("arguments");
  // Delve lists the results after the parameters, unread at entry.
  ASSERT_EQ(args.as_array().size(), 4u) << json::serialize(args);
  EXPECT_EQ(args.at(0).at("name"), "s");
  EXPECT_EQ(args.at(0).at("value"), "goph");
  EXPECT_EQ(args.at(0).at("len"), 6);
  end(srv, c);
}

TEST(RpcLimits, RequestsBeyondTheMessageLimitAreAnsweredAndTheirConnectionClosed) {
  require_root();
  Server srv = start_gotrace_exec(fixture("ticker-N"), {"--max-message-size=4096", "--accept-multiclient"});
  ASSERT_GT(srv.port, 0);
  RpcClient big;
  ASSERT_TRUE(big.connect(srv.port));
  std::string request = RpcClient::request_line("ProcessPid", json::object{{"pad", std::string(5000, 'x')}}, 1);
  ASSERT_TRUE(big.send_raw(request));
  RpcClient::Read r = big.read_line(10000);
  ASSERT_EQ(r.status, RpcClient::Status::line);
  EXPECT_EQ(r.line, R"({"id":null,"result":null,"error":"invalid JSON-RPC stream: message exceeds 4096 bytes"})");
  EXPECT_TRUE(big.wait_closed(10000));
  // Others are still served, and a request under the limit is answered.
  RpcClient c;
  ASSERT_TRUE(c.connect(srv.port));
  json::value pid = c.call("ProcessPid", json::object{});
  EXPECT_TRUE(pid.at("error").is_null()) << json::serialize(pid);
  end(srv, c);
}

TEST(RpcLimits, BadLimitFlagsAreRefusedBeforeAnythingStarts) {
  for (const auto& [flag, err] : std::vector<std::pair<std::string, std::string>>{
           {"--max-probes=0", R"(invalid argument "0" for --max-probes: must be between 1 and 65536)"},
           {"--max-string-len=2000", R"(invalid argument "2000" for --max-string-len: must be between 0 and 1024)"},
           {"--max-message-size=10", R"(invalid argument "10" for --max-message-size: must be between 4096 and 1073741824)"},
           {"--ring-size=5000", R"(invalid argument "5000" for --ring-size: not a power of two)"}}) {
    for (const std::string& cmd : {"exec", "dap"}) {
      std::vector<std::string> argv{gotrace(), cmd};
      if (cmd == "exec") argv.insert(argv.end(), {"--headless", flag, fixture("ticker-N")});
      else argv.push_back(flag);
      RunResult r = run(argv);
      EXPECT_EQ(r.exit_code, 1) << cmd << " " << flag;
      EXPECT_EQ(r.err, "Error: " + err + "\n") << cmd << " " << flag;
      EXPECT_EQ(r.out, "");
    }
  }
}

}  // namespace
}  // namespace gotrace::itest
