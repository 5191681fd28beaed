// gotrace trace: dlv trace's command line, served by the tracing engine.
#include "backend_flag.h"
#include "commands.h"
#include "gotrace/debugger/condition.h"
#include "gotrace/tracer/build_output.h"
#include "gotrace/tracer/call_graph.h"
#include "gotrace/tracer/engine.h"
#include "gotrace/tracer/go_build.h"
#include "gotrace/tracer/process.h"
#include "progress_note.h"
#include "trace_flags.h"
#include "trace_printer.h"

#include <poll.h>
#include <re2/re2.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>

namespace gotrace::cli {
namespace {

constexpr const char* kUsage =
    "Usage: gotrace trace [--exec BINARY | --pid PID | PACKAGE] REGEXP [flags] [-- ARGS...]\n";

int fail(const std::string& msg) {
  std::fprintf(stderr, "Error: %s\n", msg.c_str());
  return 1;
}

// A probe at an inlined copy: the function it stands for (its
// TracedFunction is the caller's) and, for --cond, that function's
// parameters.
struct InlinedCopy {
  std::string name;
  std::vector<std::string> params;
};

}  // namespace

int run_trace(const std::vector<std::string>& args) {
  auto flags = parse_trace_flags(args);
  if (!flags) {
    std::fputs(kUsage, stderr);
    return fail(flags.error().message);
  }

  // Which binary: --exec, the running process's, or a package we build.
  tracer::TempBuildOutput temp;
  std::unique_ptr<tracer::Process> attached;
  std::string binary;
  if (flags->pid) {
    auto p = tracer::Process::attach(flags->pid);
    if (!p) return fail(p.error().message);
    attached = std::move(*p);
    binary = attached->executable();
  } else if (!flags->exec.empty()) {
    binary = flags->exec;
  } else {
    std::string out = flags->output;
    if (out.empty()) {
      auto t = tracer::TempBuildOutput::create();
      if (!t) return fail(t.error().message);
      temp = std::move(*t);
      out = temp.path();
    }
    auto built = tracer::go_build_for_debug({.package = flags->package}, out);
    if (!built) return fail(built.error().message);
    binary = out;
  }

  auto since = [t0 = std::chrono::steady_clock::now()] {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  };
  std::optional<ProgressNote> note(std::in_place, "loading " + binary + " and planning the probes");
  auto engine = tracer::Engine::open(binary, {.read_dwarf_in_background = true});
  if (!engine) return fail(engine.error().message);
  for (const std::string& w : (*engine)->binary().warnings()) std::fprintf(stderr, "gotrace: %s\n", w.c_str());
  auto matches = (*engine)->match(flags->regex);
  if (!matches) {
    // Delve's line, as dlv trace prints ListFunctions' error.
    std::fprintf(stderr, "%s\n", matches.error().message.c_str());
    return 1;
  }
  // Functions the optimizer inlined somewhere match too (some have no
  // out-of-line copy at all).
  std::vector<std::string> inlined_matches;
  RE2 re(flags->regex);
  for (const std::string& name : (*engine)->binary().inlined_names())
    if (RE2::PartialMatch(name, re)) inlined_matches.push_back(name);
  if (matches->empty() && inlined_matches.empty())
    return fail("no function matches the regular expression \"" + flags->regex + "\" in " +
                binary);
  std::vector<const symbols::Function*> roots = *matches;
  std::set<const symbols::Function*> by_value;
  if (flags->follow_calls > 0) {
    matches->clear();
    for (const tracer::FollowedFunction& f : tracer::follow_calls((*engine)->binary(), roots, flags->follow_calls)) {
      matches->push_back(f.function);
      if (f.by_value) by_value.insert(f.function);
    }
  }
  tracer::TraceOptions opts;
  opts.load = values::load_config_for_verbosity(flags->verbosity);
  // JSON is for machines: without -v, load what the servers load for their
  // clients (pointers followed, elements and fields), not the terse -v 0.
  if (flags->json && flags->verbosity == 0) opts.load = values::LoadConfig{true, 1, 64, 64, -1};
  if (flags->max_string_len >= 0) opts.load.max_string_len = flags->max_string_len;
  opts.stack_depth = flags->stack;
  // Follow-calls finds the root in each hit's stack: 20 frames unless -s
  // says otherwise, as Delve.
  if (flags->follow_calls > 0 && opts.stack_depth == 0) opts.stack_depth = 20;
  opts.returns = flags->returns;
  opts.raw_words = flags->raw_words;
  size_t added = 0;
  std::vector<std::string> raw;
  for (const symbols::Function* fn : *matches) {
    bool root = std::find(roots.begin(), roots.end(), fn) != roots.end();
    if (flags->follow_calls > 0)
      opts.follow = root ? tracer::TraceOptions::Follow::root : tracer::TraceOptions::Follow::callee;
    auto tf = (*engine)->add(*fn, opts);
    if (!tf) {
      // Callees found by --follow-calls that cannot be probed (runtime
      // functions that never return) are left out quietly.
      if (root)
        std::fprintf(stderr, "gotrace: not tracing %s: %s\n", fn->name.c_str(),
                     tf.error().message.c_str());
      continue;
    }
    if ((*tf)->raw_values) raw.push_back(fn->name);
    added++;
  }
  if (!raw.empty())
    std::fprintf(stderr, "%s\n", tracer::raw_values_notice((*engine)->binary(), raw).c_str());
  // Optimized builds inline small functions: each inlined copy of a match
  // gets a probe at its first instruction, reading the inlined call's
  // arguments from their DWARF locations there.
  std::map<const tracer::TracedFunction*, InlinedCopy> inlined;
  for (const std::string& name : inlined_matches) {
    for (uint64_t pc : (*engine)->binary().inlined_calls(name)) {
      const symbols::Function* caller = (*engine)->binary().function_at(pc);
      if (!caller) continue;
      tracer::LineCapture capture;
      capture.arguments = true;
      opts.follow = tracer::TraceOptions::Follow::none;
      auto tf = (*engine)->add_line(*caller, pc, capture, opts);
      if (!tf) {
        std::fprintf(stderr, "gotrace: not tracing %s inlined in %s: %s\n", name.c_str(),
                     caller->name.c_str(), tf.error().message.c_str());
        continue;
      }
      InlinedCopy& copy = inlined[*tf];
      copy.name = name;
      if (auto vars = (*engine)->binary().variables_at(*caller, pc))
        for (const symbols::ScopedVariable& v : *vars)
          if (v.is_param) copy.params.push_back(v.var.name);
      added++;
    }
  }
  note.reset();
  if (added == 0) return fail("none of the matching functions can be traced");
  double planned_ms = since();
  std::optional<debugger::Condition> cond;
  if (!flags->cond.empty()) {
    auto c = debugger::Condition::parse(flags->cond);
    if (!c) return fail("invalid --cond \"" + flags->cond + "\": " + c.error().message);
    cond = std::move(*c);
    // Comparisons with constants joined by && and || are checked in the
    // kernel on entries, before anything else is copied; the whole
    // condition again here. A return whose entry was dropped is dropped
    // with it.
    for (const tracer::TracedFunction* tf : (*engine)->traced()) {
      // Every name must be an argument or result of every traced function,
      // or the condition could never hold there (Delve's message).
      std::vector<std::string> params;
      std::string where = tf->function->name;
      if (auto it = inlined.find(tf); it != inlined.end()) {
        params = it->second.params;
        where = it->second.name;
      } else {
        for (const auto& v : tf->signature.params) params.push_back(v.name);
        for (const auto& v : tf->signature.results) params.push_back(v.name);
      }
      for (const std::string& id : cond->identifiers())
        if (std::find(params.begin(), params.end(), id) == params.end())
          return fail("invalid --cond \"" + flags->cond + "\": could not find symbol value for " + id +
                      " in " + where);
      if (auto r = (*engine)->set_kernel_filter(tf, cond->kernel_groups()); !r)
        return fail(tf->function->name + ": " + r.error().message);
    }
  }

  std::unique_ptr<tracer::Process> launched;
  tracer::Process* target = attached.get();
  std::string probe_path = binary;
  if (!attached) {
    auto p = tracer::Process::launch(binary, flags->program_args);
    if (!p) return fail(p.error().message);
    launched = std::move(*p);
    target = launched.get();
  }

  // From here on SIGINT/SIGTERM arrive through a signalfd so we can detach
  // and clean up instead of dying with the target held or probes armed.
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGINT);
  sigaddset(&mask, SIGTERM);
  sigaddset(&mask, SIGHUP);
  sigprocmask(SIG_BLOCK, &mask, nullptr);
  int sfd = signalfd(-1, &mask, SFD_CLOEXEC);

  tracer::StartOptions start_opts;
  start_opts.ring_bytes = flags->ring_bytes;
  start_opts.backend = flags->backend;
  start_opts.launched = static_cast<bool>(launched);
  auto started = (*engine)->start(target->pid(), probe_path, start_opts);
  if (!started) {
    close(sfd);
    return fail(started.error().message);  // a launched target is killed by ~Process
  }
  report_backend(**engine);
  for (const auto& s : *started)
    std::fprintf(stderr, "gotrace: not tracing %s: %s\n", s.function->function->name.c_str(),
                 s.error.message.c_str());
  if (auto r = target->resume(); !r) {
    close(sfd);
    return fail(r.error().message);
  }

  Printer printer(*flags, **engine);
  for (auto& [tf, copy] : inlined) printer.add_inlined(tf, copy.name);
  printer.set_by_value(std::move(by_value));
  if (cond) printer.set_condition(&*cond);
  auto sink = [&](const tracer::TraceEvent& ev) { printer.print(ev); };
  auto notice = [&](const std::string& text) { printer.note(text); };
  int exit_signal = 0;
  bool limited = false;  // --max-events reached
  std::optional<int> status;
  for (;;) {
    pollfd fds[3] = {{(*engine)->wait_fd(), POLLIN, 0},
                     {target->exit_fd(), POLLIN, 0},
                     {sfd, POLLIN, 0}};
    // Wakeups are batched in the kernel; drain at least every 10 ms.
    poll(fds, 3, 10);
    auto n = (*engine)->drain(sink, notice);
    if (!n) std::fprintf(stderr, "gotrace: %s\n", n.error().message.c_str());
    printer.flush();
    if (fds[2].revents & POLLIN) {
      signalfd_siginfo si;
      if (read(sfd, &si, sizeof si) == sizeof si) exit_signal = static_cast<int>(si.ssi_signo);
      break;
    }
    if ((limited = printer.limit_reached())) break;
    if ((status = target->poll_exit())) break;
  }
  // Every hit of an exited process is already in the ring: drain it all.
  (void)(*engine)->drain(sink, notice);
  printer.flush();
  (*engine)->stop();
  close(sfd);

  if (uint64_t lost = (*engine)->lost())
    std::fprintf(stderr, "gotrace: %llu trace events were lost (the ring buffer was full)\n",
                 static_cast<unsigned long long>(lost));
  int code = 0;
  if (exit_signal || limited) {
    const char* why = exit_signal ? "interrupted" : "event limit reached";
    if (launched) {
      launched->kill_launched();
      std::fprintf(stderr, "gotrace: %s; killed process %d\n", why, launched->pid());
    } else {
      std::fprintf(stderr, "gotrace: %s; detached from process %d\n", why, target->pid());
    }
    code = exit_signal ? 128 + exit_signal : 0;
  } else {
    std::fprintf(stderr, "Process %d has exited with status %d\n", target->pid(), *status);
    // The target's own status, so a CI step fails when the program did; a
    // signal's death as a shell reports it.
    code = *status >= 0 ? *status : 128 - *status;
  }
  if (flags->summary) std::fputs(printer.summary().c_str(), stderr);
  if (flags->stats) {
    const tracer::Engine::Stats& s = (*engine)->stats();
    std::fprintf(stderr,
                 "gotrace: stats: %zu functions and %zu inlined copies planned in %.1f ms (symbols included); "
                 "%s loaded in %.1f ms; %zu probe sites armed in %.1f ms, removed in %.1f ms; %llu events, "
                 "%llu lost\n",
                 added - inlined.size(), inlined.size(), planned_ms, (*engine)->backend() == tracer::BackendKind::ptrace ? "ptrace" : "eBPF",
                 s.load_ms, s.sites, s.attach_ms, s.detach_ms, static_cast<unsigned long long>(s.events),
                 static_cast<unsigned long long>((*engine)->lost()));
  }
  return code;
}

}  // namespace gotrace::cli
