// The ptrace backend on real Go programs: exact events, and the target never
// harmed: children it starts, an exec, a kill mid-trace, a detach, another
// debugger already holding it.
#include "fixture_dir.h"
#include "gotrace/tracer/engine.h"
#include "gotrace/tracer/process.h"
#include "gotrace/values/trace_format.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace gotrace::tracer {
namespace {

std::string fixture(const std::string& name) { return gotrace::testing::fixture_dir() + "/" + name; }

// A traced run: the engine's events as `gotrace trace` prints them, and the
// notices in their place.
struct TracedRun {
  std::unique_ptr<Engine> engine;
  std::unique_ptr<Process> process;
  std::vector<std::string> lines;

  void collect() {
    auto r = engine->drain(
        [&](const TraceEvent& ev) {
          const std::string& name = ev.function->function->name;
          auto g = static_cast<int64_t>(ev.goroutine);
          lines.push_back(ev.kind == TraceEvent::Kind::ret
                              ? values::format_trace_return(g, name, ev.values, {})
                              : values::format_trace_entry(g, name, ev.values, {}));
        },
        [&](const std::string& text) { lines.push_back(text + "\n"); });
    ASSERT_TRUE(r) << r.error().message;
  }
  // Drains until the process exits; returns its status.
  int finish() {
    for (int i = 0; i < 1000; i++) {
      collect();
      if (auto st = process->poll_exit()) {
        collect();
        return *st;
      }
      pollfd p{engine->wait_fd(), POLLIN, 0};
      poll(&p, 1, 10);
    }
    ADD_FAILURE() << "the program did not exit";
    return -1000;
  }
  std::string output() {
    auto [out, err] = process->take_output_fds();
    std::string text;
    char buf[4096];
    ssize_t n;
    while ((n = read(out, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
    close(out);
    close(err);
    return text;
  }
};

// Launches `binary` held, traces `regex` with ptrace, releases it.
TracedRun launch(const std::string& binary, const std::string& regex, std::vector<std::string> args) {
  TracedRun run;
  auto e = Engine::open(binary);
  EXPECT_TRUE(e) << e.error().message;
  run.engine = std::move(*e);
  auto fns = run.engine->match(regex);
  for (const symbols::Function* fn : *fns) EXPECT_TRUE(run.engine->add(*fn, TraceOptions{}));
  LaunchOptions lo;
  lo.capture_output = true;
  auto p = Process::launch(binary, args, lo);
  EXPECT_TRUE(p) << p.error().message;
  run.process = std::move(*p);
  StartOptions so;
  so.backend = BackendKind::ptrace;
  so.launched = true;
  auto started = run.engine->start(run.process->pid(), binary, so);
  EXPECT_TRUE(started) << started.error().message;
  EXPECT_EQ(run.engine->backend(), BackendKind::ptrace);
  EXPECT_TRUE(run.process->resume());
  return run;
}

std::string pid_text(pid_t p) { return std::to_string(p); }

std::string status_field(pid_t pid, const std::string& key) {
  std::ifstream in("/proc/" + pid_text(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key + ":", 0) == 0) return line.substr(line.find_first_not_of(" \t", key.size() + 1));
  return "";
}

const std::vector<std::string> kTwoSteps = {
    "> goroutine(1): main.step(1)\n", ">> goroutine(1): main.step => (10)\n",
    "> goroutine(1): main.step(2)\n", ">> goroutine(1): main.step => (20)\n"};

TEST(PtraceBackend, ChildStartedThroughOsExecRunsUnharmed) {
  TracedRun run = launch(fixture("forks-O"), "^main\\.step$", {"spawn"});
  EXPECT_EQ(run.finish(), 0);
  EXPECT_EQ(run.lines, kTwoSteps);
  EXPECT_EQ(run.output(), "spawned: \"child says hi\\n\" <nil>\n");
}

TEST(PtraceBackend, ForkedChildGetsTheOriginalCodeAndRunsUntraced) {
  TracedRun run = launch(fixture("forks-O"), "^main\\.step$", {"fork"});
  EXPECT_EQ(run.finish(), 0);
  ASSERT_EQ(run.lines.size(), 5u);
  // The child's pid is only known from the notice itself.
  std::string prefix = "gotrace: process " + pid_text(run.process->pid()) + " forked process ";
  ASSERT_EQ(run.lines[2].rfind(prefix, 0), 0u) << run.lines[2];
  std::string child = run.lines[2].substr(prefix.size(), run.lines[2].find(',') - prefix.size());
  EXPECT_EQ(run.lines[2], prefix + child + ", which runs untraced\n");
  run.lines.erase(run.lines.begin() + 2);
  EXPECT_EQ(run.lines, kTwoSteps);
  // It called the traced function (int3 there would have killed it) and
  // exited with its own status.
  EXPECT_EQ(run.output(), "child exited with 7\n");
}

TEST(PtraceBackend, ExecEndsTracingWithANotice) {
  TracedRun run = launch(fixture("forks-O"), "^main\\.step$", {"exec"});
  EXPECT_EQ(run.finish(), 0);
  std::vector<std::string> want = {
      "> goroutine(1): main.step(1)\n", ">> goroutine(1): main.step => (10)\n",
      "gotrace: process " + pid_text(run.process->pid()) +
          " executed a new program; it is no longer traced\n"};
  EXPECT_EQ(run.lines, want);
  EXPECT_EQ(run.output(), "replaced\n");
}

TEST(PtraceBackend, FloatArgumentsAndResultsAreRead) {
  TracedRun run = launch(fixture("types-N"), "^main\\.floats$", {});
  EXPECT_EQ(run.finish(), 0);
  std::vector<std::string> want = {"> goroutine(1): main.floats(1.5, 2.25, 3)\n",
                                   ">> goroutine(1): main.floats => (8.25)\n"};
  EXPECT_EQ(run.lines, want);
}

TEST(PtraceBackend, KilledMidTraceIsReportedAndNothingHangs) {
  TracedRun run = launch(fixture("ticker-O"), "^main\\.tick$", {});
  for (int i = 0; i < 500 && run.lines.size() < 4; i++) {
    run.collect();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_GE(run.lines.size(), 4u);
  kill(run.process->pid(), SIGKILL);
  EXPECT_EQ(run.finish(), -SIGKILL);
  run.engine->stop();
}

// A ticker we launched without tracing, to attach to.
struct Ticker {
  std::unique_ptr<Process> process;
  Ticker() {
    LaunchOptions lo;
    lo.capture_output = true;
    auto p = Process::launch(fixture("ticker-O"), {}, lo);
    EXPECT_TRUE(p);
    process = std::move(*p);
    EXPECT_TRUE(process->resume());
    // "ready" means the runtime is up.
    int out = process->take_output_fds().first;
    char c;
    while (read(out, &c, 1) == 1 && c != '\n') {
    }
  }
};

TEST(PtraceBackend, DetachRestoresTheCodeAndLeavesTheProgramRunning) {
  Ticker t;
  pid_t pid = t.process->pid();
  auto e = Engine::open(fixture("ticker-O"));
  ASSERT_TRUE(e);
  const symbols::Function* tick = (*e)->binary().find_function("main.tick");
  ASSERT_NE(tick, nullptr);
  ASSERT_TRUE((*e)->add(*tick, TraceOptions{}));
  std::vector<uint8_t> before(16), after(16);
  std::string mem = "/proc/" + pid_text(pid) + "/mem";
  {
    std::ifstream m(mem, std::ios::binary);
    m.seekg(static_cast<std::streamoff>(tick->entry));
    m.read(reinterpret_cast<char*>(before.data()), 16);
  }
  StartOptions so;
  so.backend = BackendKind::ptrace;
  ASSERT_TRUE((*e)->start(pid, fixture("ticker-O"), so));
  // The tracer is a thread of ours (the backend's tracer thread).
  std::string tracer = status_field(pid, "TracerPid");
  EXPECT_EQ(access(("/proc/self/task/" + tracer).c_str(), F_OK), 0) << tracer;
  int calls = 0;
  for (int i = 0; i < 500 && calls < 6; i++) {
    (void)(*e)->drain([&](const TraceEvent&) { calls++; });
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_GE(calls, 6);
  (*e)->stop();
  EXPECT_EQ(status_field(pid, "TracerPid"), "0");
  {
    std::ifstream m(mem, std::ios::binary);
    m.seekg(static_cast<std::streamoff>(tick->entry));
    m.read(reinterpret_cast<char*>(after.data()), 16);
  }
  EXPECT_EQ(before, after);
  // Still ticking, untraced, well past the next calls.
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(t.process->poll_exit());
  // Sleeping between ticks or running one, never stopped (T) or held (t).
  std::string state = status_field(pid, "State").substr(0, 1);
  EXPECT_TRUE(state == "S" || state == "R") << state;
}

TEST(PtraceBackend, RefusesATargetAnotherDebuggerHolds) {
  Ticker t;
  pid_t pid = t.process->pid();
  int hold[2];
  ASSERT_EQ(pipe(hold), 0);
  pid_t other = fork();
  if (other == 0) {
    // The other debugger: seizes the target and waits to be told to go.
    close(hold[1]);
    if (ptrace(PTRACE_SEIZE, pid, nullptr, nullptr) != 0) _exit(1);
    char c;
    (void)!read(hold[0], &c, 1);
    _exit(0);
  }
  close(hold[0]);
  for (int i = 0; i < 200 && status_field(pid, "TracerPid") != pid_text(other); i++)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  auto e = Engine::open(fixture("ticker-O"));
  ASSERT_TRUE(e);
  const symbols::Function* tick = (*e)->binary().find_function("main.tick");
  ASSERT_TRUE((*e)->add(*tick, TraceOptions{}));
  StartOptions so;
  so.backend = BackendKind::ptrace;
  auto started = (*e)->start(pid, fixture("ticker-O"), so);
  close(hold[1]);
  waitpid(other, nullptr, 0);
  ASSERT_FALSE(started);
  std::string comm;
  std::getline(std::ifstream("/proc/self/comm"), comm);
  EXPECT_EQ(started.error().message, "cannot trace process " + pid_text(pid) +
                                         ": it is already traced by process " + pid_text(other) +
                                         " (" + comm + "); detach that debugger first");
  EXPECT_FALSE(t.process->poll_exit());
}

}  // namespace
}  // namespace gotrace::tracer

namespace gotrace::tracer {
namespace {

// --follow-calls in the kernel: main.a is a root, main.b a callee. main calls
// b(100) directly and a(1), which calls b(1) and b(2): only b's calls inside
// a reach user space at all, on either backend.
std::vector<std::string> follow_calls_events(BackendKind backend) {
  auto e = Engine::open(fixture("calls-O"));
  EXPECT_TRUE(e);
  TraceOptions root, callee;
  root.follow = TraceOptions::Follow::root;
  callee.follow = TraceOptions::Follow::callee;
  EXPECT_TRUE((*e)->add(*(*e)->binary().find_function("main.a"), root));
  EXPECT_TRUE((*e)->add(*(*e)->binary().find_function("main.b"), callee));
  LaunchOptions lo;
  lo.capture_output = true;
  auto p = Process::launch(fixture("calls-O"), {}, lo);
  EXPECT_TRUE(p);
  StartOptions so;
  so.backend = backend;
  so.launched = true;
  EXPECT_TRUE((*e)->start((*p)->pid(), fixture("calls-O"), so));
  EXPECT_EQ((*e)->backend(), backend);
  EXPECT_TRUE((*p)->resume());
  std::vector<std::string> out;
  auto sink = [&](const TraceEvent& ev) {
    out.push_back((ev.kind == TraceEvent::Kind::ret ? "<" : ">") + ev.function->function->name +
                  (ev.kind == TraceEvent::Kind::ret ? "" : "(" + ev.values.at(0).value + ")"));
  };
  for (int i = 0; i < 1000 && !(*p)->poll_exit(); i++) {
    (void)(*e)->drain(sink);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  (void)(*e)->drain(sink);
  return out;
}

TEST(FollowCallsInTheKernel, CalleesOutsideARootAreNeverRecorded) {
  ASSERT_EQ(geteuid(), 0u) << "eBPF tests need root: run the suite as root";
  const std::vector<std::string> want = {">main.a(1)", ">main.b(1)", "<main.b", ">main.b(2)", "<main.b", "<main.a"};
  EXPECT_EQ(follow_calls_events(BackendKind::ebpf), want);
  EXPECT_EQ(follow_calls_events(BackendKind::ptrace), want);
}

}  // namespace
}  // namespace gotrace::tracer
