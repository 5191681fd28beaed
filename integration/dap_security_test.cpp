// A DAP client of another local user (a root `gotrace dap
// --only-same-user=false`): it may only launch programs and attach to
// processes that user could run or trace, and what it launches runs as that
// user, never as root. The client really runs as nobody (uid 65534).
#include "harness.h"

#include <boost/json.hpp>
#include <grp.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

namespace gotrace::itest {
namespace {

namespace json = boost::json;
constexpr uid_t kNobody = 65534;

std::string frame(const json::value& v) {
  std::string body = json::serialize(v);
  return "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// A client that stays connected (its session, and what it launched, live)
// until this is destroyed.
struct ClientAs {
  std::vector<json::value> messages;  // every message received, in order
  pid_t pid = -1;
  int hold = -1;
  ClientAs() = default;
  ClientAs(ClientAs&& o) { *this = std::move(o); }
  ClientAs& operator=(ClientAs&& o) {
    std::swap(messages, o.messages);
    std::swap(pid, o.pid);
    std::swap(hold, o.hold);
    return *this;
  }
  ~ClientAs() {
    if (hold >= 0) close(hold);
    if (pid > 0) waitpid(pid, nullptr, 0);
  }
};

// In a child running as `uid`: connects to the DAP server on `port`, sends
// `requests` (seq 1, 2, ...) and reads until the response to the last one,
// then stays connected until the result is destroyed.
ClientAs exchange_as(uid_t uid, int port, const std::vector<json::value>& requests) {
  ClientAs result;
  int out[2], hold[2];
  if (pipe(out) != 0 || pipe(hold) != 0) return result;
  pid_t child = fork();
  if (child == 0) {
    close(out[0]);
    close(hold[1]);
    if (setgroups(0, nullptr) != 0 || setgid(uid) != 0 || setuid(uid) != 0) _exit(3);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) _exit(4);
    std::string bytes;
    for (const json::value& r : requests) bytes += frame(r);
    if (write(fd, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) _exit(5);
    // Relays what the server says until the last response is in (the
    // parent parses it); the server closing first also ends it.
    std::string seen;
    std::string last = "\"request_seq\":" + std::to_string(requests.size()) + ",";
    char buf[4096];
    ssize_t n;
    while (seen.find(last) == std::string::npos && (n = read(fd, buf, sizeof buf)) > 0) {
      seen.append(buf, static_cast<size_t>(n));
      (void)!write(out[1], buf, static_cast<size_t>(n));
    }
    close(out[1]);
    char c;
    (void)!read(hold[0], &c, 1);
    _exit(0);
  }
  close(out[1]);
  close(hold[0]);
  result.pid = child;
  result.hold = hold[1];
  std::string raw;
  char buf[4096];
  ssize_t n;
  while ((n = read(out[0], buf, sizeof buf)) > 0) raw.append(buf, static_cast<size_t>(n));
  close(out[0]);
  std::vector<json::value>& messages = result.messages;
  size_t pos = 0;
  while ((pos = raw.find("Content-Length: ", pos)) != std::string::npos) {
    size_t len = std::stoul(raw.substr(pos + 16));
    size_t body = raw.find("\r\n\r\n", pos) + 4;
    messages.push_back(json::parse(raw.substr(body, len)));
    pos = body + len;
  }
  return result;
}

json::value request(int seq, const std::string& command, json::object args) {
  return json::object{{"seq", seq}, {"type", "request"}, {"command", command}, {"arguments", std::move(args)}};
}

json::value initialize() { return request(1, "initialize", {{"adapterID", "go"}}); }

// The response to request `seq` among `messages` (null if none).
json::value response(const std::vector<json::value>& messages, int seq) {
  for (const json::value& m : messages)
    if (m.at("type") == "response" && m.at("request_seq") == seq) return m;
  return nullptr;
}

std::string failure_text(const json::value& r) {
  if (!r.is_object() || r.at("success").as_bool()) return "not a failure: " + json::serialize(r);
  return std::string(r.at("body").at("error").at("format").as_string());
}

struct DapServer {
  Background proc;
  int port = -1;
};

DapServer start_dap_for_other_users() {
  DapServer s;
  s.proc = start({gotrace(), "dap", "--only-same-user=false", "--listen=127.0.0.1:0"});
  auto rest = wait_for_line(s.proc, "DAP server listening at: ", 10);
  if (rest) s.port = std::atoi(rest->c_str() + rest->rfind(':') + 1);
  return s;
}

void stop(DapServer& s) {
  if (pid_alive(s.proc.pid)) kill(s.proc.pid, SIGTERM);
  s.proc.wait(20);
}

// The uid line of /proc/PID/status: real, effective, saved, filesystem.
std::string uids_of(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(f, line);)
    if (line.rfind("Uid:", 0) == 0) return line;
  return "";
}

TEST(DapSecurity, LaunchOfAProgramTheClientCannotRunIsRefused) {
  require_root();
  // Root's own copy, in a directory only root may enter.
  std::string dir = "/tmp/gotrace-private-XXXXXX";
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  std::string program = dir + "/ticker-N";
  ASSERT_EQ(run({"/bin/cp", fixture("ticker-N"), program}).exit_code, 0);
  DapServer srv = start_dap_for_other_users();
  ASSERT_GT(srv.port, 0);
  ClientAs client = exchange_as(kNobody, srv.port,
                          {initialize(), request(2, "launch", {{"mode", "exec"}, {"program", program}})});
  EXPECT_EQ(failure_text(response(client.messages, 2)),
            "Failed to launch: nobody (uid 65534) may not run " + program + ": Permission denied");
  // Not a way to learn about files either: unreadable is refused alike.
  client = ClientAs();
  stop(srv);
  srv = start_dap_for_other_users();
  client = exchange_as(kNobody, srv.port,
                       {initialize(), request(2, "launch", {{"mode", "exec"}, {"program", "/etc/shadow"}})});
  EXPECT_EQ(failure_text(response(client.messages, 2)),
            "Failed to launch: nobody (uid 65534) may not run /etc/shadow: Permission denied");
  client = ClientAs();
  stop(srv);
  run({"/bin/rm", "-rf", dir});
}

TEST(DapSecurity, WhatAnotherUserLaunchesRunsAsThatUser) {
  require_root();
  ReadableCopies copies({{fixture("ticker-N"), "ticker-N"}});
  DapServer srv = start_dap_for_other_users();
  ASSERT_GT(srv.port, 0);
  ClientAs client = exchange_as(
      kNobody, srv.port,
      // threads: its response comes after the process event the launch sends.
      {initialize(), request(2, "launch", {{"mode", "exec"}, {"program", copies.path("ticker-N")}}),
       request(3, "threads", {})});
  json::value r = response(client.messages, 2);
  ASSERT_TRUE(r.is_object() && r.at("success").as_bool()) << json::serialize(r);
  pid_t pid = 0;
  for (const json::value& m : client.messages)
    if (m.at("type") == "event" && m.at("event") == "process")
      pid = static_cast<pid_t>(m.at("body").at("systemProcessId").as_int64());
  ASSERT_GT(pid, 0);
  EXPECT_EQ(uids_of(pid), "Uid:\t65534\t65534\t65534\t65534");
  // The client leaves: the session ends and what it launched with it.
  client = ClientAs();
  EXPECT_TRUE(wait_pid_gone(pid, 20000));
  stop(srv);
}

TEST(DapSecurity, AttachToAProcessTheClientCannotTraceIsRefused) {
  require_root();
  Background prog = start({fixture("ticker-N")});  // root's
  ASSERT_TRUE(wait_for_text(prog.out_path, "ready", 5000));
  DapServer srv = start_dap_for_other_users();
  ASSERT_GT(srv.port, 0);
  ClientAs client =
      exchange_as(kNobody, srv.port, {initialize(), request(2, "attach", {{"mode", "local"}, {"processId", prog.pid}})});
  EXPECT_EQ(failure_text(response(client.messages, 2)),
            "Failed to attach: nobody (uid 65534) may not trace process " + std::to_string(prog.pid) +
                ": Permission denied");
  EXPECT_EQ(tracer_pid(prog.pid), 0);
  client = ClientAs();
  stop(srv);
  kill(prog.pid, SIGKILL);
  prog.wait(10);
}

TEST(DapSecurity, AttachToTheClientsOwnProcessIsAllowed) {
  require_root();
  ReadableCopies copies({{fixture("ticker-N"), "ticker-N"}});
  pid_t prog = fork();
  if (prog == 0) {
    if (setgroups(0, nullptr) != 0 || setgid(kNobody) != 0 || setuid(kNobody) != 0) _exit(3);
    std::string path = copies.path("ticker-N");
    execl(path.c_str(), path.c_str(), nullptr);
    _exit(127);
  }
  DapServer srv = start_dap_for_other_users();
  ASSERT_GT(srv.port, 0);
  ClientAs client =
      exchange_as(kNobody, srv.port, {initialize(), request(2, "attach", {{"mode", "local"}, {"processId", prog}})});
  json::value r = response(client.messages, 2);
  EXPECT_TRUE(r.is_object() && r.at("success").as_bool()) << json::serialize(r);
  client = ClientAs();
  stop(srv);
  // Attached, not launched: it keeps running after the session.
  EXPECT_TRUE(pid_alive(prog));
  kill(prog, SIGKILL);
  waitpid(prog, nullptr, 0);
}

}  // namespace
}  // namespace gotrace::itest
