// --backend=auto for a user who may not load BPF: gotrace says once why it
// traces with ptrace, then prints the same trace as eBPF would (floats
// included, since ptrace reads the XMM registers). Its own executable,
// registered once: it names its backends with flags, not GOTRACE_BACKEND.
//
// Why that user can ptrace but not load BPF:
// - kernel.unprivileged_bpf_disabled (2 by default on Debian) makes bpf(2)
//   need CAP_BPF or CAP_SYS_ADMIN; and even at 0 an unprivileged user may
//   load only socket filters: uprobe programs need CAP_BPF + CAP_PERFMON.
// - ptrace needs nothing for one's own processes: gotrace launches the
//   program as its child, which Yama's ptrace_scope 1 ("restricted": only
//   descendants) allows as much as 0 (classic: any process of the same uid,
//   and the default without Yama); 2 (admin only) and 3 (never) forbid it.
#include "harness.h"

#include <gtest/gtest.h>
#include <pwd.h>
#include <re2/re2.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace gotrace::itest {
namespace {

const char* kUser = "gotrace-itest";

// The integer in a /proc/sys file; `absent` when the file does not exist.
int sysctl_value(const std::string& path, int absent) {
  std::string text = slurp_file(path);
  return text.empty() ? absent : std::atoi(text.c_str());
}

class TraceUnprivileged : public ::testing::Test {
 protected:
  void SetUp() override {
    require_root();
    // No Yama is the classic rule (0).
    int scope = sysctl_value("/proc/sys/kernel/yama/ptrace_scope", 0);
    ASSERT_LE(scope, 1) << "kernel.yama.ptrace_scope=" << scope
                        << " forbids ptrace to users without CAP_SYS_PTRACE";
    if (!getpwnam(kUser)) {
      RunResult r = run({"/usr/sbin/useradd", "--system", "--user-group", "--no-create-home",
                         "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", kUser});
      // 9: created meanwhile by another run.
      ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 9) << r.err;
    }
    const passwd* pw = getpwnam(kUser);
    ASSERT_NE(pw, nullptr);
    ASSERT_NE(pw->pw_uid, 0u);
    uid_ = pw->pw_uid;
    gid_ = pw->pw_gid;

    // The user may not be able to reach the build tree.
    copies_ = std::make_unique<ReadableCopies>(
        std::vector<std::pair<std::string, std::string>>{{gotrace(), "gotrace"}, {fixture("types-N"), "types-N"}});
    dir_ = copies_->dir();
  }

  // argv run as kUser in dir_, with nothing of our environment.
  RunResult run_as_user(const std::vector<std::string>& argv) {
    std::vector<std::string> full = {"/usr/bin/setpriv", "--reuid=" + std::to_string(uid_),
                                     "--regid=" + std::to_string(gid_), "--init-groups",
                                     "/usr/bin/env", "-i", "-C", dir_, "PATH=/usr/bin:/bin",
                                     "HOME=" + dir_};
    full.insert(full.end(), argv.begin(), argv.end());
    return run(full);
  }

  uid_t uid_ = 0;
  gid_t gid_ = 0;
  std::unique_ptr<ReadableCopies> copies_;
  std::string dir_;
};

const char* kRegex = R"(main\.(ints|floats)$)";
const char* kProgramOut = "total -9223370937343077978\n";

// What ptrace prints for kRegex on types-N (eBPF: trace_cli_test.cpp).
const char* kPtraceTrace = R"(> goroutine(1): main.ints(-1, 2, -3, 4, 1099511627776)
>> goroutine(1): main.ints => (1099511627778)
> goroutine(1): main.floats(1.5, 2.25, 3)
>> goroutine(1): main.floats => (8.25)
Process PID has exited with status 0
)";

TEST_F(TraceUnprivileged, AutoFallsBackToPtraceAndSaysWhy) {
  // The copy runs for the user: its shared libraries load, its files are
  // readable.
  RunResult funcs = run_as_user({dir_ + "/gotrace", "funcs", dir_ + "/types-N", kRegex});
  ASSERT_EQ(funcs.exit_code, 0) << funcs.err;
  EXPECT_EQ(funcs.out, "main.floats\nmain.ints\n");
  EXPECT_EQ(funcs.err, "");

  RunResult r = run_as_user(
      {dir_ + "/gotrace", "trace", "--backend=auto", "--exec", dir_ + "/types-N", kRegex});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, kProgramOut);
  // First the one line naming the kernel's reason, then the whole trace.
  std::string err = normalize(r.err);
  size_t nl = err.find('\n');
  ASSERT_NE(nl, std::string::npos) << err;
  EXPECT_TRUE(RE2::FullMatch(err.substr(0, nl), R"(gotrace: tracing with ptrace: eBPF is unavailable: \S.*)"))
      << err.substr(0, nl);
  EXPECT_EQ(err.substr(nl + 1), kPtraceTrace);
}

// Named explicitly, ptrace needs no explanation.
TEST_F(TraceUnprivileged, ExplicitPtracePrintsOnlyTheTrace) {
  RunResult r = run_as_user(
      {dir_ + "/gotrace", "trace", "--backend=ptrace", "--exec", dir_ + "/types-N", kRegex});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, kProgramOut);
  EXPECT_EQ(normalize(r.err), kPtraceTrace);
}

// For root, auto is eBPF, silently: the float result is the uprobe's (the
// arguments are read where the -N -l prologue stored them).
TEST(TraceBackendAuto, RootTracesWithEbpf) {
  require_root();
  RunResult r = run({gotrace(), "trace", "--backend=auto", "--exec", fixture("types-N"), kRegex});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, kProgramOut);
  EXPECT_EQ(normalize(r.err), R"(> goroutine(1): main.ints(-1, 2, -3, 4, 1099511627776)
>> goroutine(1): main.ints => (1099511627778)
> goroutine(1): main.floats(1.5, 2.25, 3)
>> goroutine(1): main.floats => ((unreadable float register))
Process PID has exited with status 0
)");
}

}  // namespace
}  // namespace gotrace::itest
