// README "Tracing with nothing but nc": the lines shown there are run as they
// are (port, binary and program substituted) and their answers checked.
#include "harness.h"
#include "rpc_client.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace gotrace::itest {
namespace {

// The body of the ```sh block between <!-- NAME:begin --> and <!-- NAME:end -->.
std::string readme_block(const std::string& name) {
  std::string readme = slurp_file(source_dir() + "/README.md");
  std::string begin = "<!-- " + name + ":begin -->", end = "<!-- " + name + ":end -->";
  size_t b = readme.find(begin), e = readme.find(end);
  if (b == std::string::npos || e == std::string::npos || e < b) return "";
  std::string block = readme.substr(b + begin.size(), e - b - begin.size());
  size_t open = block.find("```sh\n"), close = block.rfind("```");
  if (open == std::string::npos || close == std::string::npos || close <= open) return "";
  return block.substr(open + 6, close - open - 6);
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
    s.replace(p, from.size(), to);
}

std::string arg_value(const json::object& thread, size_t i) {
  return json::value_to<std::string>(
      thread.at("breakPointInfo").at("arguments").as_array().at(i).at("value"));
}

TEST(RpcReadme, NcLinesWork) {
  require_root();
  std::string server_block = readme_block("rpc-nc-server");
  std::string client_block = readme_block("rpc-nc-client");
  ASSERT_FALSE(server_block.empty()) << "README.md: rpc-nc-server block missing";
  ASSERT_FALSE(client_block.empty()) << "README.md: rpc-nc-client block missing";

  // The server line: exactly one command, words separated by spaces.
  const std::string port = std::to_string(free_tcp_port());
  std::string cmd = server_block;
  ASSERT_EQ(cmd.back(), '\n');
  cmd.pop_back();
  ASSERT_EQ(cmd.find('\n'), std::string::npos) << cmd;
  replace_all(cmd, "4040", port);
  std::vector<std::string> argv;
  std::istringstream words(cmd);
  for (std::string w; words >> w;) argv.push_back(w);
  ASSERT_EQ(argv.front(), "gotrace");
  ASSERT_EQ(argv.back(), "./prog");
  argv.front() = gotrace();
  argv.back() = fixture("dlvprog-N");
  Server srv = start_server(argv);
  ASSERT_EQ(srv.port, std::stoi(port)) << slurp_file(srv.proc.err_path);

  std::string script = client_block;
  replace_all(script, "4040", port);
  RunResult r = run({"/bin/bash", "-c", script}, 60);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");

  std::vector<std::string> out = lines(r.out);
  ASSERT_GE(out.size(), 3u) << r.out;
  std::vector<json::object> msgs;
  for (const auto& l : out) {
    json::value v = parse_json(l);
    ASSERT_TRUE(v.is_object()) << l;
    msgs.push_back(v.as_object());
  }
  // CreateBreakpoint.
  EXPECT_EQ(msgs[0].at("id"), 1);
  EXPECT_EQ(msgs[0].at("error"), nullptr);
  const json::object& bp = msgs[0].at("result").at("Breakpoint").as_object();
  EXPECT_EQ(bp.at("id"), 1);
  EXPECT_EQ(bp.at("functionName"), "main.foo");
  EXPECT_EQ(bp.at("continue"), true);
  EXPECT_EQ(bp.at("LoadArgs"), short_load_config());

  // Stops until the last answer: goroutine 1 three times, then the two
  // workers (any order). One stop may carry several hits (Threads[]).
  std::vector<std::string> main_hits;
  std::multiset<std::string> worker_hits;
  std::set<int64_t> worker_gids;
  for (size_t i = 1; i + 1 < msgs.size(); ++i) {
    SCOPED_TRACE("response " + out[i].substr(0, 200));
    EXPECT_EQ(msgs[i].at("id"), static_cast<int64_t>(i + 1));
    EXPECT_EQ(msgs[i].at("error"), nullptr);
    const json::object& st = msgs[i].at("result").at("State").as_object();
    EXPECT_EQ(st.at("exited"), false);
    EXPECT_EQ(st.at("Running"), false);
    const json::object& ct = st.at("currentThread").as_object();
    EXPECT_EQ(ct.at("breakPoint").at("id"), 1);
    bool current_listed = false;
    for (const auto& tv : st.at("Threads").as_array()) {
      const json::object& t = tv.as_object();
      if (t.at("breakPoint") == nullptr) continue;
      if (t == ct) current_listed = true;
      EXPECT_EQ(t.at("function").at("name"), "main.foo");
      EXPECT_EQ(t.at("breakPoint").at("id"), 1);
      EXPECT_EQ(t.at("ReturnValues"), nullptr);
      ASSERT_EQ(t.at("breakPointInfo").at("arguments").as_array().size(), 3u);
      std::string args = arg_value(t, 0) + "," + arg_value(t, 1);
      int64_t gid = t.at("goroutineID").as_int64();
      if (gid == 1) {
        main_hits.push_back(args);
      } else {
        worker_gids.insert(gid);
        worker_hits.insert(args);
      }
    }
    EXPECT_TRUE(current_listed) << "currentThread is not one of Threads[]";
  }
  EXPECT_EQ(main_hits, (std::vector<std::string>{"0,10", "1,11", "2,12"}));
  EXPECT_EQ(worker_hits, (std::multiset<std::string>{"0,100", "1,100"}));
  EXPECT_EQ(worker_gids.size(), 2u);

  // The exited state.
  const json::object& last = msgs.back();
  EXPECT_EQ(last.at("id"), static_cast<int64_t>(msgs.size()));
  EXPECT_EQ(last.at("error"), nullptr);
  json::object st = last.at("result").at("State").as_object();
  EXPECT_GT(st.at("Pid").as_int64(), 0);
  st["Pid"] = 0;
  EXPECT_EQ(json::serialize(st),
            R"({"Pid":0,"TargetCommandLine":"","Running":false,"Recording":false,"CoreDumping":false,"Threads":null,)"
            R"("NextInProgress":false,"WatchOutOfScope":null,"exited":true,"exitStatus":0,"When":""})");

  // The script closed its connection: a single-client server ends.
  EXPECT_TRUE(wait_pid_gone(srv.proc.pid, 20000)) << "server still running after its client left";
  if (pid_alive(srv.proc.pid)) kill(srv.proc.pid, SIGKILL);
  RunResult sr = srv.proc.wait(10);
  EXPECT_EQ(sr.exit_code, 0) << sr.err;
}

}  // namespace
}  // namespace gotrace::itest
