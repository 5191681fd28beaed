// The eBPF-style API of `dlv trace --ebpf`: CreateEBPFTracepoint probes a
// function's entry and returns; GetBufferedTracepoints drains the hits.
#include "harness.h"
#include "rpc_client.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace gotrace::itest {
namespace {

std::string values_of(const json::value& params) {
  std::string out;
  if (!params.is_array()) return out;
  for (const auto& p : params.as_array()) {
    if (!out.empty()) out += ",";
    out += json::value_to<std::string>(p.at("value"));
  }
  return out;
}

TEST(RpcEbpf, BufferedTracepointsDrainEveryHitOnce) {
  require_root();
  Server srv = start_gotrace_exec(fixture("dlvprog-N"));
  ASSERT_GT(srv.port, 0);
  RpcClient c;
  ASSERT_TRUE(c.connect(srv.port));
  json::value r = c.call("CreateEBPFTracepoint", json::object{{"FunctionName", "main.foo"}});
  ASSERT_TRUE(r.at("error").is_null()) << json::serialize(r);
  r = c.call("CreateEBPFTracepoint", json::object{{"FunctionName", "main.nosuch"}});
  EXPECT_EQ(r.at("error"), "unable to find function main.nosuch");
  // The program runs to its exit; the hits wait in the buffer.
  int64_t cont = c.send("Command", json::object{{"name", "continue"}});
  json::value st = c.wait(cont, 15000);
  ASSERT_TRUE(st.is_object() && st.at("result").at("State").at("exited").as_bool()) << json::serialize(st);
  json::value b = c.call("GetBufferedTracepoints", json::object{});
  ASSERT_TRUE(b.at("error").is_null()) << json::serialize(b);
  std::vector<std::string> main_g, workers;
  for (const auto& t : b.at("result").at("TracepointResults").as_array()) {
    std::string line = std::string(t.at("is_ret").as_bool() ? "ret " : "entry ") +
                       json::value_to<std::string>(t.at("functionName")) + " (" +
                       values_of(t.as_object().contains("inputParams") ? t.at("inputParams") : json::value()) +
                       ") => (" +
                       values_of(t.as_object().contains("returnParams") ? t.at("returnParams") : json::value()) + ")";
    (t.at("goroutineID").as_int64() == 1 ? main_g : workers).push_back(line);
  }
  EXPECT_EQ(main_g, (std::vector<std::string>{
                        "entry main.foo (0,10) => ()", "ret main.foo (0,10) => (1)",
                        "entry main.foo (1,11) => ()", "ret main.foo (1,11) => (12)",
                        "entry main.foo (2,12) => ()", "ret main.foo (2,12) => (25)"}));
  std::sort(workers.begin(), workers.end());
  EXPECT_EQ(workers, (std::vector<std::string>{
                         "entry main.foo (0,100) => ()", "entry main.foo (1,100) => ()",
                         "ret main.foo (0,100) => (1)", "ret main.foo (1,100) => (101)"}));
  // Drained: a second call finds nothing, as Delve answers (null).
  b = c.call("GetBufferedTracepoints", json::object{});
  EXPECT_EQ(json::serialize(b.at("result")), "{\"TracepointResults\":null}");
}

}  // namespace
}  // namespace gotrace::itest
