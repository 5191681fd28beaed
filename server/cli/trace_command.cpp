// gotrace trace: dlv trace's command line, served by the tracing engine.
#include "args.h"
#include "backend_flag.h"
#include "call_summary.h"
#include "follow_calls.h"
#include "commands.h"
#include "go_build.h"
#include "json_events.h"
#include "gotrace/bpf/trace_abi.h"
#include "gotrace/debugger/condition.h"
#include "gotrace/tracer/engine.h"
#include "gotrace/tracer/process.h"
#include "gotrace/values/trace_format.h"

#include <poll.h>
#include <re2/re2.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <map>
#include <string>

namespace gotrace::cli {
namespace {

constexpr const char* kUsage =
    "Usage: gotrace trace [--exec BINARY | --pid PID | PACKAGE] REGEXP [flags] [-- ARGS...]\n";

struct TraceFlags {
  std::string regex;
  std::string exec;
  pid_t pid = 0;
  std::string package;
  std::string output;
  int stack = 0;
  int verbosity = 0;
  bool timestamp = false;
  bool returns = true;
  uint32_t ring_bytes = tracer::Engine::kDefaultRingBytes;
  int max_string_len = -1;  // -1: as the verbosity level says
  tracer::BackendKind backend = tracer::BackendKind::automatic;
  int follow_calls = 0;       // --follow-calls N: also what the matches call, N deep
  std::string cond;           // --cond EXPR: only calls whose arguments satisfy it
  bool json = false;          // --format=json: JSON Lines
  bool summary = false;       // --summary: per-function counts and latencies at exit
  uint64_t max_events = 0;    // --max-events N / --exit-on-first (1): 0 = no limit
  std::vector<std::string> program_args;
};

int fail(const std::string& msg) {
  std::fprintf(stderr, "Error: %s\n", msg.c_str());
  return 1;
}

Result<TraceFlags> parse_trace_flags(const std::vector<std::string>& args) {
  auto parsed = parse_args(args, {{"exec", 'e'},
                                  {"pid", 'p'},
                                  {"output", 'o'},
                                  {"stack", 's'},
                                  {"verbose", 'v'},
                                  {"timestamp", 0, false},
                                  {"no-return", 0, false},
                                  {"ring-size", 0},
                                  {"max-string-len", 0},
                                  {"ebpf", 0, false},
                                  {"backend", 0},
                                  {"format", 0},
                                  {"summary", 0, false},
                                  {"exit-on-first", 0, false},
                                  {"max-events", 0},
                                  {"cond", 0},
                                  {"follow-calls", 0}});
  if (!parsed) return parsed.error();
  TraceFlags f;
  if (auto v = parsed->get("format")) {
    if (*v != "text" && *v != "json")
      return make_error(Errc::invalid_argument, "invalid argument \"" + *v + "\" for --format: text or json");
    f.json = *v == "json";
  }
  f.summary = parsed->has("summary");
  if (auto v = parsed->get("cond")) f.cond = *v;
  if (auto v = parsed->get("follow-calls")) {
    auto n = parse_int_flag("follow-calls", *v, 0, 64);
    if (!n) return n.error();
    f.follow_calls = static_cast<int>(*n);
  }
  if (auto v = parsed->get("max-events")) {
    auto n = parse_int_flag("max-events", *v, 1, 1l << 62);
    if (!n) return n.error();
    f.max_events = static_cast<uint64_t>(*n);
  }
  if (parsed->has("exit-on-first")) {
    if (f.max_events > 1)
      return make_error(Errc::invalid_argument, "--exit-on-first and --max-events cannot be used together");
    f.max_events = 1;
  }
  auto backend = backend_flag(*parsed);
  if (!backend) return backend.error();
  f.backend = *backend;
  f.program_args = parsed->passthrough;
  if (auto v = parsed->get("exec")) f.exec = *v;
  if (auto v = parsed->get("pid")) {
    auto n = parse_int_flag("pid", *v, 1, 1 << 30);
    if (!n) return n.error();
    f.pid = static_cast<pid_t>(*n);
  }
  if (auto v = parsed->get("output")) f.output = *v;
  if (auto v = parsed->get("stack")) {
    auto n = parse_int_flag("stack", *v, 0, 64);
    if (!n) return n.error();
    f.stack = static_cast<int>(*n);
  }
  if (auto v = parsed->get("verbose")) {
    auto n = parse_int_flag("verbose", *v, 0, 4);
    if (!n) return n.error();
    f.verbosity = static_cast<int>(*n);
  }
  f.timestamp = parsed->has("timestamp");
  f.returns = !parsed->has("no-return");
  if (auto v = parsed->get("max-string-len")) {
    auto n = parse_int_flag("max-string-len", *v, 0, GT_MAX_DEREF_BYTES);
    if (!n) return n.error();
    f.max_string_len = static_cast<int>(*n);
  }
  if (auto v = parsed->get("ring-size")) {
    auto n = parse_int_flag("ring-size", *v, 4096, 1l << 30);
    if (!n) return n.error();
    if ((*n & (*n - 1)) != 0)
      return make_error(Errc::invalid_argument,
                        "invalid argument \"" + *v + "\" for --ring-size: not a power of two");
    f.ring_bytes = static_cast<uint32_t>(*n);
  }
  if (!f.exec.empty() && f.pid)
    return make_error(Errc::invalid_argument, "--exec and --pid cannot be used together");
  const auto& pos = parsed->positional;
  if (!f.exec.empty() || f.pid) {
    if (pos.size() != 1)
      return make_error(Errc::invalid_argument,
                        "expected exactly one argument, the function regexp");
    f.regex = pos[0];
  } else if (pos.size() == 1) {
    f.package = ".";
    f.regex = pos[0];
  } else if (pos.size() == 2) {
    f.package = pos[0];
    f.regex = pos[1];
  } else {
    return make_error(Errc::invalid_argument,
                      pos.empty() ? "you must provide a function regexp to trace"
                                  : "too many arguments");
  }
  return f;
}

// Removes a binary gotrace built itself, like Delve's __debug_bin.
struct TempBinary {
  std::string path;
  ~TempBinary() {
    if (!path.empty()) std::filesystem::remove(path);
  }
};

class Printer {
 public:
  Printer(const TraceFlags& f, const tracer::Engine& engine) : flags_(f), engine_(engine), root_(f.regex) {
    time_t now = time(nullptr);
    tm lt{};
    localtime_r(&now, &lt);
    utc_offset_ = static_cast<int>(lt.tm_gmtoff);
  }

  // Prints one event; false once --max-events were printed (the event is
  // then dropped).
  bool print(const tracer::TraceEvent& ev) {
    if (flags_.max_events && printed_ >= flags_.max_events) return false;
    if (cond_ && !passes(ev)) return true;
    std::optional<int> frame;
    if (flags_.follow_calls > 0) {
      frame = root_frame(ev);
      if (*frame == 0) return true;  // not called under a root function
    }
    printed_++;
    if (flags_.summary) summary_.add(ev);
    if (flags_.json) {
      std::vector<values::Variable> args;
      if (ev.kind == tracer::TraceEvent::Kind::ret) args = engine_.load_entry_values(ev, ev.function->options.load);
      buf_ += json_event_line(ev, function_name(ev), args, frame);
    } else {
      print_text(ev, frame);
    }
    if (buf_.size() > (64u << 10)) flush();
    return !flags_.max_events || printed_ < flags_.max_events;
  }

  bool limit_reached() const { return flags_.max_events && printed_ >= flags_.max_events; }
  // A probe at an inlined copy of `name` (its hits are that call's entry).
  void add_inlined(const tracer::TracedFunction* tf, std::string name) { inlined_[tf] = std::move(name); }
  const std::string& function_name(const tracer::TraceEvent& ev) const {
    auto it = inlined_.find(ev.function);
    return it != inlined_.end() ? it->second : ev.function->function->name;
  }
  void set_condition(const debugger::Condition* c) { cond_ = c; }

  // --cond holds for the call: checked on the entry's arguments (a return
  // is shown only with its call's entry, which the kernel may have dropped;
  // the results can be named too). A condition that cannot be evaluated
  // does not hold, as in Delve.
  bool passes(const tracer::TraceEvent& ev) {
    std::vector<values::Variable> scope = ev.values;
    if (ev.kind == tracer::TraceEvent::Kind::ret) {
      if (!ev.entry_record) return false;
      scope = engine_.load_entry_values(ev, ev.function->options.load);
      scope.insert(scope.end(), ev.values.begin(), ev.values.end());
    }
    auto ok = cond_->eval(scope);
    return ok && *ok;
  }
  std::string summary() const { return summary_.render(); }

  // --follow-calls: Delve's frame number, the position of the innermost
  // root function (one matching the regexp) in the hit's stack plus one; 0
  // when no root is on the stack.
  int root_frame(const tracer::TraceEvent& ev) {
    bool truncated = false;
    std::vector<tracer::Frame> frames = engine_.stack(ev, &truncated);
    for (size_t i = 0; i < frames.size(); i++)
      if (RE2::PartialMatch(frames[i].function, root_)) return static_cast<int>(i) + 1;
    return 0;
  }

  void print_text(const tracer::TraceEvent& ev, std::optional<int> frame) {
    values::TraceOptions o;
    o.verbosity = flags_.verbosity;
    o.follow_calls_frame = frame;
    if (flags_.timestamp)
      o.timestamp = values::format_rfc3339_nano(static_cast<int64_t>(ev.wall_ns), utc_offset_);
    if (flags_.stack > 0 && !frame) {
      bool truncated = false;
      std::vector<values::StackFrame> frames;
      for (const tracer::Frame& fr : engine_.stack(ev, &truncated))
        frames.push_back({fr.pc, fr.function, fr.file, fr.line, ""});
      o.stack = std::move(frames);
      o.stack_bottom = !truncated;
    }
    const std::string& name = function_name(ev);
    if (ev.kind != tracer::TraceEvent::Kind::ret) {
      std::vector<values::Variable> args = ev.values;
      // Result parameters ride along (flag 16) as in Delve's
      // breakpointInfo.arguments: not printed, but they change the layout.
      if (ev.kind == tracer::TraceEvent::Kind::entry) {
        const auto& results = result_markers(*ev.function);
        args.insert(args.end(), results.begin(), results.end());
      }
      buf_ += values::format_trace_entry(static_cast<int64_t>(ev.goroutine), name, args, o);
    } else {
      buf_ += values::format_trace_return(static_cast<int64_t>(ev.goroutine), name, ev.values, o);
    }
  }

  // A message about the target, in its place among the trace lines.
  void note(const std::string& text) { buf_ += text + "\n"; }

  void flush() {
    if (!buf_.empty()) {
      std::fwrite(buf_.data(), 1, buf_.size(), stderr);
      buf_.clear();
    }
    std::fflush(stderr);
  }

 private:
  const std::vector<values::Variable>& result_markers(const tracer::TracedFunction& fn) {
    auto it = markers_.find(&fn);
    if (it != markers_.end()) return it->second;
    std::vector<values::Variable> m = values::result_placeholders(fn.signature.results);
    return markers_.emplace(&fn, std::move(m)).first->second;
  }

  const TraceFlags& flags_;
  const tracer::Engine& engine_;
  const debugger::Condition* cond_ = nullptr;
  RE2 root_;  // --follow-calls: what the roots are
  std::map<const tracer::TracedFunction*, std::string> inlined_;
  uint64_t printed_ = 0;
  CallSummary summary_;
  int utc_offset_ = 0;
  std::string buf_;
  std::map<const tracer::TracedFunction*, std::vector<values::Variable>> markers_;
};

}  // namespace

int run_trace(const std::vector<std::string>& args) {
  auto flags = parse_trace_flags(args);
  if (!flags) {
    std::fputs(kUsage, stderr);
    return fail(flags.error().message);
  }

  // Which binary: --exec, the running process's, or a package we build.
  TempBinary temp;
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
      out = (std::filesystem::temp_directory_path() /
             ("__debug_bin" + std::to_string(getpid())))
                .string();
      temp.path = out;
    }
    auto built = go_build_for_debug(flags->package, out);
    if (!built) return fail(built.error().message);
    binary = out;
  }

  auto engine = tracer::Engine::open(binary);
  if (!engine) return fail(engine.error().message);
  for (const std::string& w : (*engine)->binary().warnings()) std::fprintf(stderr, "gotrace: %s\n", w.c_str());
  auto matches = (*engine)->match(flags->regex);
  if (!matches) return fail(matches.error().message);
  auto inlined_only = [&] {
    RE2 re(flags->regex);
    for (const std::string& name : (*engine)->binary().inlined_names())
      if (RE2::PartialMatch(name, re)) return true;
    return false;
  };
  if (matches->empty() && !inlined_only())
    return fail("no function matches the regular expression \"" + flags->regex + "\" in " +
                binary);
  std::vector<const symbols::Function*> roots = *matches;
  if (flags->follow_calls > 0) {
    auto callees = follow_calls((*engine)->binary(), *matches, flags->follow_calls);
    matches->insert(matches->end(), callees.begin(), callees.end());
  }
  tracer::TraceOptions opts;
  opts.load = values::load_config_for_verbosity(flags->verbosity);
  // JSON is for machines: without -v, load what the servers load for their
  // clients (pointers followed, elements and fields), not the terse -v 0.
  if (flags->json && flags->verbosity == 0) opts.load = values::LoadConfig{true, 1, 64, 64, -1};
  if (flags->max_string_len >= 0) opts.load.max_string_len = flags->max_string_len;
  opts.stack_depth = flags->stack;
  // Follow-calls finds the root in each hit's stack: 20 frames, as Delve.
  if (flags->follow_calls > 0) opts.stack_depth = std::max(opts.stack_depth, 20);
  opts.returns = flags->returns;
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
  if (!raw.empty()) std::fprintf(stderr, "%s\n", tracer::raw_values_notice((*engine)->binary(), raw).c_str());
  // Optimized builds inline small functions: each inlined copy of a match
  // gets a probe at its first instruction, reading the inlined call's
  // arguments from their DWARF locations there.
  std::vector<std::pair<const tracer::TracedFunction*, std::string>> inlined;
  RE2 re(flags->regex);
  for (const std::string& name : (*engine)->binary().inlined_names()) {
    if (!RE2::PartialMatch(name, re)) continue;
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
      inlined.emplace_back(*tf, name);
      added++;
    }
  }
  if (added == 0) return fail("none of the matching functions can be traced");
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
      for (const std::string& id : cond->identifiers()) {
        auto named = [&](const symbols::Variable& v) { return v.name == id; };
        const auto& sig = tf->signature;
        if (std::none_of(sig.params.begin(), sig.params.end(), named) &&
            std::none_of(sig.results.begin(), sig.results.end(), named))
          return fail("invalid --cond \"" + flags->cond + "\": could not find symbol value for " + id +
                      " in " + tf->function->name);
      }
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
  for (auto& [tf, name] : inlined) printer.add_inlined(tf, name);
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
  return code;
}

}  // namespace gotrace::cli
