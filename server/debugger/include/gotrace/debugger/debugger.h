// The debugger facade both protocol servers drive: one target process, its
// logical breakpoints, and the hits the engine collects for them.
//
// Not thread-safe: the server calls it from its one io_context thread. It
// never blocks; the server calls pump() when the engine has data (or on a
// short timer) and checks for stops afterwards.
#pragma once

#include "gotrace/debugger/breakpoint.h"
#include "gotrace/support/result.h"
#include "gotrace/tracer/engine.h"
#include "gotrace/tracer/process.h"

#include <sys/types.h>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace gotrace::debugger {

class Condition;

// A condition's kernel form: groups of terms, any group all true
// (Condition::kernel_groups).
using KernelGroups = std::vector<std::vector<tracer::KernelTerm>>;

// What one traced program may cost a server (flags of the server commands).
struct Limits {
  // Probe sites (entries, returns, lines) in place at once (--max-probes).
  // cmd/go's every function and inlined copy is ~7,000.
  uint32_t max_probe_sites = 20000;
  // Bytes of each string captured (--max-string-len); a breakpoint whose
  // LoadArgs/LoadLocals ask for more is refused, not silently cut short.
  int max_string_len = 64;
  // --raw-words: an assembly function's frame words as its values (see
  // tracer::TraceOptions::raw_words); not a limit, a capture policy the
  // servers pass along with them.
  bool raw_words = false;
};

struct TargetOptions {
  std::string program;             // the binary to launch (launch mode)
  std::vector<std::string> args;   // its arguments
  tracer::LaunchOptions launch;    // cwd, environment, output capture
  pid_t attach_pid = 0;            // attach mode when non-zero
  tracer::BackendKind backend = tracer::BackendKind::automatic;
  uint32_t ring_bytes = tracer::kDefaultRingBytes;  // --ring-size
  Limits limits;
};

struct Location {
  uint64_t pc = 0;  // the first of pcs
  std::string file;
  int line = 0;
  const symbols::Function* function = nullptr;  // pc's
  // Every address the location stands for: a file:line in several functions
  // (closures, generic shapes) has the line's first statement in each; a
  // function, its entry and the start of each copy the compiler inlined.
  std::vector<uint64_t> pcs;
  // A function location: the function's name (`function` is the caller's
  // when it has no out-of-line copy) and the inlined copies among pcs.
  std::string function_name;
  std::vector<uint64_t> inlined;
};

// One collected tracepoint hit.
struct Hit {
  int breakpoint = 0;  // Breakpoint::id
  tracer::TraceEvent event;
  std::string file;  // of the hit address
  int line = 0;
  // The breakpoint's counts as of this hit (Delve reports them per stop).
  std::map<int64_t, uint64_t> hit_count;
  uint64_t total_hit_count = 0;
  // Set when the hit is at a copy of the breakpoint's function the compiler
  // inlined: that function's name. The event is then a line event in the
  // caller, reported as the inlined function's entry.
  std::string inlined_function;
};

class Debugger {
 public:
  // Launches the program held before its first instruction (it runs at the
  // first resume()), or refers to a running process.
  static Result<std::unique_ptr<Debugger>> create(const TargetOptions& opts);
  ~Debugger();  // probes removed; a launched process is killed

  pid_t pid() const;
  // The target's command line as Delve shows it (TargetCommandLine): the
  // arguments of /proc/PID/cmdline joined by spaces, those with a space
  // quoted; read once per process.
  std::string command_line() const;
  bool launched() const;
  const std::string& program() const;
  const tracer::Engine& engine() const;

  // The program's stdout/stderr pipes when launched with capture_output
  // (the caller owns them; -1 otherwise).
  std::pair<int, int> take_output_fds() { return process_->take_output_fds(); }

  // Starts the program (first continue). Idempotent.
  Result<void> resume();
  bool started() const;

  // Drains the engine: routes hits to breakpoints, notices exit. Returns true
  // if anything a waiting client cares about changed.
  bool pump();
  int wait_fd() const;  // readable when the engine has data
  int exit_fd() const;  // readable when the process has exited

  std::optional<int> exit_status() const;  // set once the process exited
  std::string exit_message() const;  // "Process N has exited with status S"

  // --- Locations and breakpoints ---
  // "main.foo", "prog.go:17" (suffix match), "/regex/", "*0x49b5c0".
  // Delve's location specs (pkg/locspec): also "foo", "main.foo:1", "+N",
  // "-N", "N" (from the entry point: gotrace never stops), "*main.foo".
  // `substitute`: Delve's SubstituteLocExpr (the file:line a relative
  // spec stood for).
  Result<std::vector<Location>> find_location(const std::string& loc, std::string* substitute = nullptr) const;
  // A function by name, with its inlined copies (a function inlined
  // everywhere has no entry, only copies).
  Result<Location> function_location(const std::string& name) const;
  // The first statement of file:line in each function with code there.
  Result<Location> file_location(const std::string& file, int line) const;
  // The functions matching a regexp (Go/RE2, partial), with the ones that
  // exist only as inlined copies; sorted.
  Result<std::vector<std::string>> traceable_functions(const std::string& regex) const;
  Result<std::vector<uint64_t>> return_locations(const std::string& function) const;
  // Sorted; with `follow_calls` > 0 the names --follow-calls N traces from
  // each match (Delve's ListFunctions(filter, FollowCalls)).
  Result<std::vector<std::string>> functions(const std::string& regex, int follow_calls = 0) const;

  Result<Breakpoint> create_breakpoint(const BreakpointRequest& req);
  Result<Breakpoint> clear_breakpoint(int id, const std::string& name);
  Result<Breakpoint> toggle_breakpoint(int id, const std::string& name);
  Result<void> amend_breakpoint(const Breakpoint& bp);
  Result<Breakpoint> get_breakpoint(int id, const std::string& name) const;
  std::vector<Breakpoint> breakpoints() const;
  const Breakpoint* breakpoint(int id) const;

  // Checks that every variable the breakpoint's Cond and `variables` read
  // exists where it is (Delve only finds out at a hit; DAP clients want to
  // know up front). Errc::not_found names the first unknown one.
  Result<void> check_reads(const Breakpoint& bp) const;

  // Evaluates a breakpoint `variables` expression (argument, field path,
  // len(x)) over a hit's captured values.
  Result<values::Variable> evaluate(const std::string& expr, const tracer::TraceEvent& ev) const;

  // --- Hits ---
  // Receives, as they are drained, the hits of the breakpoints whose owner
  // is the returned id (> 0). The sink decides what to do with a hit it
  // cannot deliver; the debugger never blocks on it.
  using HitSink = std::function<void(Hit&&)>;
  int add_hit_sink(HitSink sink);
  void remove_hit_sink(int owner);
  // Hits waiting for a JSON-RPC client's continue (and CreateEBPFTracepoint
  // hits waiting for GetBufferedTracepoints) are bounded: a client that
  // stops asking must not grow the server without limit, nor slow the
  // program. Beyond this many the newest are dropped, counted, and said in
  // a notice.
  static constexpr size_t kMaxQueuedHits = 65536;
  uint64_t dropped_hits() const { return dropped_; }
  bool has_hits() const { return !hits_.empty(); }
  // Messages about the target (it forked, exec'd) since the last call.
  std::vector<std::string> take_notices() { return std::exchange(notices_, {}); }
  // Removes and returns up to `max` queued hits, oldest first, stopping
  // before a second hit on the same OS thread: a stop shows each thread once
  // (Delve's client prints one hit per thread id).
  std::vector<Hit> take_hits(size_t max);
  // Hits of CreateEBPFTracepoint breakpoints (GetBufferedTracepoints).
  std::vector<Hit> take_buffered();
  uint64_t lost() const;

  // Kills a launched process (detaches from an attached one) and removes the
  // probes.
  void terminate(bool kill);
  // DAP's terminateDebuggee on an attached process: kill it (never done
  // implicitly: detaching leaves attached processes running).
  void kill_attached();

  struct Discarded {
    Breakpoint bp;
    std::string reason;
  };
  // Kills and relaunches a launched program (held until the next resume),
  // with new arguments if given, and re-creates its breakpoints. Like Delve,
  // breakpoints set by address only (return tracepoints) are discarded.
  Result<std::vector<Discarded>> restart(const std::optional<std::vector<std::string>>& args);

 private:
  Debugger() = default;
  // Probes fn's entry (and its returns when `returns`), re-tracing it when
  // it lacks the stack depth or the returns asked for.
  Result<void> ensure_traced(const symbols::Function& fn, int stack_depth, bool returns);
  // The limits of TargetOptions.
  Result<void> check_probe_limit(const tracer::TracedFunction* tf);
  Result<void> check_string_limit(const Breakpoint& bp) const;
  // Line tracepoints of a breakpoint inside a function body, one per pc;
  // re-planned when what the breakpoint reads changes.
  Result<void> trace_lines(const Breakpoint& bp, const std::vector<uint64_t>& pcs);
  void release_lines(const Breakpoint& bp);
  bool is_line(const Breakpoint& bp) const;  // probes a statement in a body
  // Hands the conjunctive part of a condition to the kernel: on a function
  // entry when its return breakpoints share the condition (a dropped entry
  // leaves its return unpaired), on a breakpoint's own line probes always.
  void refresh_filter(const symbols::Function* fn);
  void refresh_line_filter(Breakpoint& bp);
  void refresh_filters(Breakpoint& bp);  // whichever of the two bp has
  // Moves bp's hit condition into the kernel when it can decide it there,
  // or back to user space.
  void apply_kernel_hit_condition(Breakpoint& bp,
                                  const std::vector<const tracer::TracedFunction*>& probes,
                                  const KernelGroups& terms,
                                  bool whole_condition_in_kernel);
  Result<void> start_target();
  void route(const tracer::TraceEvent& ev);
  bool passes(Breakpoint& bp, const tracer::TraceEvent& ev);
  Breakpoint* find(int id, const std::string& name);
  void release_if_unused(const symbols::Function* fn);

  TargetOptions opts_;
  std::unique_ptr<tracer::Engine> engine_;
  std::unique_ptr<tracer::Process> process_;
  bool started_ = false;
  std::optional<int> exit_status_;
  std::vector<Breakpoint> bps_;
  int next_id_ = 1;
  std::map<const symbols::Function*, const tracer::TracedFunction*> traced_;
  mutable std::pair<pid_t, std::string> cmdline_{0, ""};
  std::map<uint64_t, const tracer::TracedFunction*> lines_;  // by statement pc
  // Parsed Cond text, so a hit does not parse it again.
  std::map<std::string, std::shared_ptr<const Condition>> conditions_;
  std::deque<Hit> hits_;
  std::deque<Hit> buffered_;
  std::map<int, HitSink> sinks_;
  int next_owner_ = 1;
  uint64_t dropped_ = 0, dropped_said_ = 0;  // hits the bounded queues dropped
  uint64_t lost_said_ = 0;                   // ring losses already told
  std::vector<std::string> notices_;
  bool raw_notice_given_ = false;
};

}  // namespace gotrace::debugger
