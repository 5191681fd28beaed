// Bad input to gotrace trace: one clear line naming the problem, a non-zero
// exit, and nothing left behind.
#include "harness.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>
#include <utility>
#include <vector>

namespace gotrace::itest {
namespace {

TEST(TraceBadInput, UnknownBinary) {
  RunResult r = run({gotrace(), "trace", "--exec", "/nonexistent/prog", "main.foo"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "Error: no such file: /nonexistent/prog\n");
}

TEST(TraceBadInput, NotAGoBinary) {
  RunResult r = run({gotrace(), "trace", "--exec", "/bin/true", "main.foo"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "Error: not a Go binary (no .go.buildinfo or .gopclntab): /bin/true\n");
}

TEST(TraceBadInput, NotAnElfFile) {
  std::string path = "/tmp/gotrace-itest-notelf-" + std::to_string(getpid());
  std::ofstream(path) << "#!/bin/sh\necho hi\n";
  RunResult r = run({gotrace(), "trace", "--exec", path, "main.foo"});
  unlink(path.c_str());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "Error: not an ELF file: " + path + "\n");
}

TEST(TraceBadInput, NoFunctionMatches) {
  RunResult r = run({gotrace(), "trace", "--exec", fixture("types-N"), R"(main\.nosuch$)"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "Error: no function matches the regular expression \"main\\.nosuch$\" in " +
                       fixture("types-N") + "\n");
}

TEST(TraceBadInput, InvalidRegex) {
  RunResult r = run({gotrace(), "trace", "--exec", fixture("types-N"), "main.(foo"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "invalid filter argument: error parsing regexp: missing closing ): `main.(foo`\n");
}

TEST(TraceBadInput, PidThatDoesNotExist) {
  RunResult r = run({gotrace(), "trace", "--pid", "999999999", "main.foo"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "Error: no process with pid 999999999\n");
}

TEST(TraceBadInput, PidThatIsNotGo) {
  pid_t child = fork();
  if (child == 0) {
    execl("/bin/sleep", "sleep", "30", static_cast<char*>(nullptr));
    _exit(127);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  RunResult r = run({gotrace(), "trace", "--pid", std::to_string(child), "main.foo"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "Error: not a Go binary (no .go.buildinfo or .gopclntab): /proc/" +
                       std::to_string(child) + "/exe\n");
  // The target was never stopped or harmed.
  EXPECT_EQ(kill(child, 0), 0);
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
}

TEST(TraceBadInput, BadFlagValues) {
  RunResult r = run({gotrace(), "trace", "--exec", fixture("types-N"), "-v", "9", "main.ints"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(lines(r.err).back(),
            "Error: invalid argument \"9\" for --verbose: must be between 0 and 4");
  r = run({gotrace(), "trace", "--exec", fixture("types-N")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(lines(r.err).back(), "Error: expected exactly one argument, the function regexp");
  r = run({gotrace(), "trace", "--bogus", "x"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(lines(r.err).back(), "Error: unknown flag: --bogus");
}

// The flags the ptrace backend and the CI output added, on every command
// that takes them, and the environment default.
TEST(TraceBadInput, BadBackendAndOutputFlags) {
  const std::pair<std::string, std::string> cases[] = {
      {"--backend=foo", "Error: invalid argument \"foo\" for --backend: must be ebpf, ptrace or auto"},
      {"--format=xml", "Error: invalid argument \"xml\" for --format: text or json"},
      {"--max-events=0", "Error: invalid argument \"0\" for --max-events: must be between 1 and 4611686018427387904"},
      {"--follow-calls=99", "Error: invalid argument \"99\" for --follow-calls: must be between 0 and 64"},
  };
  for (const auto& [flag, msg] : cases) {
    RunResult r = run({gotrace(), "trace", flag, "--exec", fixture("types-N"), "main.ints"});
    EXPECT_EQ(r.exit_code, 1) << flag;
    EXPECT_EQ(lines(r.err).back(), msg) << flag;
  }
  const char* backend_msg = "Error: invalid argument \"foo\" for --backend: must be ebpf, ptrace or auto";
  for (std::vector<std::string> argv : {std::vector<std::string>{gotrace(), "exec", "--headless", "--backend=foo",
                                                                 fixture("types-N")},
                                        std::vector<std::string>{gotrace(), "dap", "--backend=foo"},
                                        std::vector<std::string>{gotrace(), "funcs", "--backend=foo",
                                                                 fixture("types-N")}}) {
    RunResult r = run(argv);
    EXPECT_EQ(r.exit_code, 1) << argv[1];
    EXPECT_EQ(lines(r.err).back(), backend_msg) << argv[1];
  }
  RunResult r = run({"/usr/bin/env", "GOTRACE_BACKEND=bogus", gotrace(), "trace", "--exec", fixture("types-N"),
                     "main.ints"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(lines(r.err).back(), "Error: GOTRACE_BACKEND=bogus is not one of ebpf, ptrace, auto");
}

}  // namespace
}  // namespace gotrace::itest

namespace gotrace::itest {
namespace {

// Without BPF privileges: one clear line, the held program never runs.
// eBPF asked for by name never falls back to ptrace: by GOTRACE_BACKEND=ebpf
// in the eBPF copy of the suite, by --backend=ebpf (which wins over
// GOTRACE_BACKEND=ptrace) in the ptrace copy. auto's fallback for such a
// user: trace_unprivileged_test.cpp.
TEST(TraceBadInput, NoBpfPermission) {
  require_root();  // to drop to another user
  // nobody may not reach the build tree.
  ReadableCopies copies({{gotrace(), "gotrace"}, {fixture("types-O"), "types-O"}});
  std::vector<std::string> argv = {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
                                   "--clear-groups", copies.path("gotrace"), "trace"};
  if (backend() == Backend::ptrace) argv.push_back("--backend=ebpf");
  argv.insert(argv.end(), {"--exec", copies.path("types-O"), R"(main\.ints$)"});
  RunResult r = run(argv);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "Error: cannot load BPF programs: permission denied (run as root or grant CAP_BPF "
            "and CAP_PERFMON)\n");
}

TEST(TraceBadInput, RingSizeMustBeAPowerOfTwo) {
  RunResult r = run({gotrace(), "trace", "--ring-size", "5000", "--exec", fixture("types-O"),
                     R"(main\.ints$)"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(lines(r.err).back(),
            "Error: invalid argument \"5000\" for --ring-size: not a power of two");
  // The servers take it too, checked before anything is launched.
  r = run({gotrace(), "exec", "--headless", "--ring-size=2048", fixture("types-O")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "Error: invalid argument \"2048\" for --ring-size: must be between 4096 and 1073741824\n");
  EXPECT_EQ(r.out, "");
}

}  // namespace
}  // namespace gotrace::itest
