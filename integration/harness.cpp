#include "harness.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <re2/re2.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
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
std::string fixture(const std::string& name) { return std::string(GOTRACE_FIXTURE_DIR) + "/" + name; }
std::string source_dir() { return GOTRACE_SOURCE_DIR; }

Background start(const std::vector<std::string>& argv) {
  Background b;
  b.out_path = temp_path("out");
  b.err_path = temp_path("err");
  pid_t pid = fork();
  if (pid == 0) {
    int o = open(b.out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int e = open(b.err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(o, 1);
    dup2(e, 2);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    std::vector<char*> av;
    for (const auto& a : argv) av.push_back(const_cast<char*>(a.c_str()));
    av.push_back(nullptr);
    execv(av[0], av.data());
    _exit(127);
  }
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

void require_root() {
  ASSERT_EQ(geteuid(), 0u) << "integration tests trace with eBPF and must run as root";
}

}  // namespace gotrace::itest
