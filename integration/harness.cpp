#include "fixture_dir.h"
#include "harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <gtest/gtest.h>
#include <re2/re2.h>
#include <filesystem>
#include <sys/stat.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string_view>
#include <thread>

namespace gotrace::itest {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string temp_path(const char* tag) {
  static int n = 0;
  return "/tmp/gotrace-itest-" + std::to_string(getpid()) + "-" + tag + "-" + std::to_string(n++);
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return -WTERMSIG(status);
  return -1;
}

}  // namespace

std::string gotrace() { return GOTRACE_BINARY; }
std::string fixture(const std::string& name) { return gotrace::testing::fixture_dir() + "/" + name; }
std::string source_dir() { return GOTRACE_SOURCE_DIR; }

Background start(const std::vector<std::string>& argv) { return start(argv, "/dev/null"); }

Background start(const std::vector<std::string>& argv, const std::string& stdin_path) {
  Background b;
  b.out_path = temp_path("out");
  b.err_path = temp_path("err");
  // Emptied before the fork, not in the child: the paths carry the test's
  // pid, which the kernel reuses (pid_max 32768), and a file left by an
  // earlier process would otherwise be read by wait_for_line before the
  // child truncates it (an old "API server listening at" line, a dead port).
  int o = open(b.out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  int e = open(b.err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(o, 1);
    dup2(e, 2);
    int devnull = open(stdin_path.c_str(), O_RDONLY);
    dup2(devnull, 0);
    std::vector<char*> av;
    for (const auto& a : argv) av.push_back(const_cast<char*>(a.c_str()));
    av.push_back(nullptr);
    execv(av[0], av.data());
    _exit(127);
  }
  close(o);
  close(e);
  b.pid = pid;
  return b;
}

RunResult Background::wait(int timeout_s) {
  RunResult r;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  int status = 0;
  for (;;) {
    pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      ADD_FAILURE() << "timed out after " << timeout_s << " s";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  r.exit_code = decode_status(status);
  r.out = slurp(out_path);
  r.err = slurp(err_path);
  unlink(out_path.c_str());
  unlink(err_path.c_str());
  return r;
}

RunResult run(const std::vector<std::string>& argv, int timeout_s) {
  return start(argv).wait(timeout_s);
}

std::string normalize(const std::string& text) {
  std::string s = text;
  RE2::GlobalReplace(&s, R"(Process \d+ has exited)", "Process PID has exited");
  RE2::GlobalReplace(&s, R"(0x[0-9a-f]{6,16})", "0xADDR");
  RE2::GlobalReplace(&s, kDurationPattern, R"( [DUR]\1)");
  // Delve's stack colours (bold function and file names unless TERM=dumb):
  // the differential tests against Delve check them byte for byte.
  RE2::GlobalReplace(&s, R"(\x1b\[[01]m)", "");
  std::string src = source_dir();
  size_t pos;
  while ((pos = s.find(src)) != std::string::npos) s.replace(pos, src.size(), "$SRC");
  return s;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string l;
  while (std::getline(ss, l)) out.push_back(l);
  return out;
}

std::string slurp_file(const std::string& path) { return slurp(path); }

bool wait_for_text(const std::string& path, const std::string& needle, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (slurp(path).find(needle) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

int tracer_pid(pid_t pid) {
  int tracer = -1;
  for (const std::string& l : lines(slurp_file("/proc/" + std::to_string(pid) + "/status")))
    if (RE2::FullMatch(l, R"(TracerPid:\s+(\d+))", &tracer)) break;
  return tracer;
}

ReadableCopies::ReadableCopies(const std::vector<std::pair<std::string, std::string>>& files) {
  char tmpl[] = "/tmp/gotrace-itest-copies-XXXXXX";
  EXPECT_NE(mkdtemp(tmpl), nullptr);
  dir_ = tmpl;
  EXPECT_EQ(chmod(dir_.c_str(), 0755), 0);
  for (const auto& [from, name] : files) {
    std::filesystem::copy_file(from, path(name));
    std::filesystem::permissions(path(name), std::filesystem::perms(0755));
  }
}

ReadableCopies::~ReadableCopies() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void expect_ticker_trace_until_interrupted(pid_t pid) {
  Background tr = start({gotrace(), "trace", "--pid", std::to_string(pid), R"(main\.tick$)"});
  ASSERT_TRUE(wait_for_text(tr.err_path, ">> goroutine(1): main.tick => (", 10000));
  kill(tr.pid, SIGINT);
  RunResult r = tr.wait(20);
  EXPECT_EQ(r.exit_code, 128 + SIGINT);
  std::vector<std::string> ls = lines(r.err);
  ASSERT_GE(ls.size(), 3u) << r.err;
  EXPECT_EQ(ls.back(), "gotrace: interrupted; detached from process " + std::to_string(pid));
  int first = -1;
  ASSERT_TRUE(RE2::FullMatch(ls[0], R"(> goroutine\(1\): main\.tick\((\d+)\))", &first)) << ls[0];
  for (size_t i = 0; i + 1 < ls.size(); i++) {
    int n = first + static_cast<int>(i / 2);
    EXPECT_EQ(normalize(ls[i]), i % 2 == 0 ? "> goroutine(1): main.tick(" + std::to_string(n) + ")"
                                           : ">> goroutine(1): main.tick => (" + std::to_string(n + 1) + ")");
  }
}

std::optional<std::string> wait_for_line(const Background& b, const std::string& prefix,
                                         int timeout_s) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  for (;;) {
    std::string out = slurp(b.out_path);
    size_t pos = 0;
    for (;;) {
      size_t nl = out.find('\n', pos);
      if (nl == std::string::npos) break;
      if (out.compare(pos, prefix.size(), prefix) == 0)
        return out.substr(pos + prefix.size(), nl - pos - prefix.size());
      pos = nl + 1;
    }
    if (!pid_alive(b.pid) || std::chrono::steady_clock::now() > deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

Server start_server(const std::vector<std::string>& argv, int timeout_s) {
  Server s;
  s.proc = start(argv);
  auto rest = wait_for_line(s.proc, "API server listening at: ", timeout_s);
  if (!rest) return s;
  size_t colon = rest->rfind(':');
  if (colon != std::string::npos) s.port = std::atoi(rest->c_str() + colon + 1);
  return s;
}

Server start_gotrace_exec(const std::string& binary, const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {gotrace(), "exec", "--headless", "--listen=127.0.0.1:0",
                                   "--api-version=2"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  argv.push_back(binary);
  return start_server(argv);
}

bool pid_alive(pid_t pid) {
  // A zombie (an unreaped child of ours) counts as gone; Background::wait reaps it.
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(f, line)) return false;
  size_t rp = line.rfind(')');
  return rp != std::string::npos && rp + 2 < line.size() && line[rp + 2] != 'Z' &&
         line[rp + 2] != 'X';
}

std::vector<pid_t> wait_children(pid_t pid, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  std::vector<pid_t> out;
  for (;;) {
    std::error_code ec;
    for (const auto& t : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
      std::stringstream ss(slurp(t.path().string() + "/children"));
      pid_t c;
      while (ss >> c) out.push_back(c);
    }
    if (!out.empty() || std::chrono::steady_clock::now() > deadline) return out;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

bool wait_pid_gone(pid_t pid, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (pid_alive(pid)) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

int free_tcp_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sa.sin_port = 0;
  socklen_t len = sizeof sa;
  int port = -1;
  if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) == 0)
    port = ntohs(sa.sin_port);
  close(fd);
  return port;
}

Backend backend() {
  const char* env = getenv("GOTRACE_BACKEND");
  return env && std::string_view(env) == "ptrace" ? Backend::ptrace : Backend::ebpf;
}

const char* backend_name(Backend b) { return b == Backend::ptrace ? "ptrace" : "ebpf"; }

void require_root() {
  ASSERT_EQ(geteuid(), 0u) << "integration tests trace with eBPF and must run as root";
}

}  // namespace gotrace::itest
