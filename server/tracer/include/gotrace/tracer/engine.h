// The tracing engine: the one facade the CLI and both protocol servers call.
//
// It owns the opened binary, turns function names into probe sites and
// capture specs (symbols + arch), drives a backend that collects hits (eBPF
// today), and decodes hits into TraceEvents with values loaded the way Delve
// loads them. It never stops the traced program.
#pragma once

#include "gotrace/support/result.h"
#include "gotrace/symbols/binary.h"
#include "gotrace/tracer/event.h"
#include "gotrace/values/variable.h"

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gotrace::tracer {

struct TraceOptions {
  values::LoadConfig load;  // how much of each value to capture and load
  bool returns = true;      // also trace returns
  int stack_depth = 0;      // caller frames to capture per hit (dlv -s N)
  // --follow-calls: a root's calls mark their goroutine as inside a root in
  // the kernel; a callee's hits are recorded only for such goroutines (the
  // caller still checks the stack).
  enum class Follow : uint8_t { none, root, callee };
  Follow follow = Follow::none;
  // A function written in assembly (no Go prototype) in a binary with
  // DWARF: capture the words of its argument frame (raw values). Delve
  // shows no values there, so by default neither; a stripped binary has
  // nothing but raw words and always captures them.
  bool raw_words = false;
  bool operator==(const TraceOptions&) const = default;
};

// What a line tracepoint captures each time its statement runs.
struct LineCapture {
  std::vector<std::string> names;  // variables asked for by name
  bool arguments = true;           // every parameter, results included (as Delve's LoadArgs)
  bool locals = false;             // every local variable in scope
};

// One term of a breakpoint condition, `path OP literal`, that the kernel may
// check before a hit is recorded. `path` is a variable, a field path through
// struct values ("p.X"), or "len(s)".
struct KernelTerm {
  enum class Op : uint8_t { eq, ne, lt, le, gt, ge };
  enum class Literal : uint8_t { integer, boolean, nil };
  std::string path;
  Op op = Op::eq;
  Literal literal = Literal::integer;
  int64_t value = 0;  // integer value, or 0/1 for booleans
};

// A hit condition the kernel applies to the count of hits that passed the
// kernel's condition terms: `count OP n`, or `count % n == 0`.
struct KernelHitCondition {
  enum class Op : uint8_t { eq, ne, lt, le, gt, ge, mod };
  Op op = Op::gt;
  uint64_t n = 0;
  uint32_t counter = 0;  // from Engine::new_hit_counter(); shared by the
                         // probes of one breakpoint
};

// Which mechanism collects hits. `automatic` uses eBPF when it can load and
// attach, else ptrace.
enum class BackendKind : uint8_t { automatic, ebpf, ptrace };
std::string_view backend_name(BackendKind k);  // "auto", "ebpf", "ptrace"
std::optional<BackendKind> parse_backend(std::string_view name);
// The default backend: GOTRACE_BACKEND from the environment, else automatic.
// Fails naming the variable when it holds something else.
Result<BackendKind> default_backend();

// What to tell the user, once, when functions are traced with raw values
// (TracedFunction::raw_values): why, and how to read them.
std::string raw_values_notice(const symbols::Binary& bin, const std::vector<std::string>& functions);

// The BPF event ring's default size. The ring is mapped twice into the
// tracer (it wraps), all of it resident: 4 MiB costs 8 MiB of RSS and holds
// ~40,000 events, 0.2 s of a 200,000 events/s target with the consumer
// woken every quarter ring.
inline constexpr uint32_t kDefaultRingBytes = 4u << 20;

struct StartOptions {
  // Sizes the BPF event ring: a power of two, at least one page.
  uint32_t ring_bytes = kDefaultRingBytes;
  BackendKind backend = BackendKind::automatic;
  // The process was launched by us and is held before exec
  // (Process::launch): ptrace arms its breakpoints once it has exec'd, and
  // kills it if gotrace dies.
  bool launched = false;
};

// One symbolized stack frame.
struct Frame {
  uint64_t pc = 0;
  std::string function;  // "?" when the pc is in no known function
  std::string file;
  int line = 0;
};

// A function being traced, as the front ends show it.
struct TracedFunction {
  uint32_t id = 0;
  const symbols::Function* function = nullptr;
  symbols::Signature signature;
  symbols::SourceLine entry_line;  // line of the entry PC
  uint64_t entry_probe = 0;        // address of the entry site
  std::vector<uint64_t> return_probes;
  TraceOptions options;
  // No parameter types (stripped binary, assembly function): the values
  // are the argument frame's raw words, named ~w0, ~w1, ...
  bool raw_values = false;
  bool active = true;  // false once removed
  // A line tracepoint (add_line): the statement's address (also
  // entry_probe; entry_line is its line), else 0.
  uint64_t line_pc = 0;
};

class Engine {
 public:
  // Opens `binary` (Errc::not_found / unsupported / corrupt).
  static Result<std::unique_ptr<Engine>> open(const std::string& binary);
  // The same, reading the DWARF in the background (for callers that will
  // plan probes: see symbols::Binary::OpenOptions).
  static Result<std::unique_ptr<Engine>> open(const std::string& binary,
                                              const symbols::Binary::OpenOptions& opts);
  ~Engine();

  const symbols::Binary& binary() const;

  // Function names matching a Go/RE2 regexp (partial match, like Delve),
  // sorted. Fails on an invalid regexp with RE2's message.
  Result<std::vector<const symbols::Function*>> match(std::string_view regex) const;

  // Plans probes and capture specs for `fn`. Fails for a function that cannot
  // be probed safely (no RET, undecodable). Before start() the function waits
  // for start(); after it, it is attached at once (its own link).
  Result<const TracedFunction*> add(const symbols::Function& fn,
                                    const TraceOptions& opts);
  // Traces the statement at `pc` inside `fn`: every time it runs, a line
  // event carries the variables `capture` names, read from their DWARF
  // locations at that pc (innermost scope first for equal names). Fails
  // naming an unknown variable. Attached at once if started.
  Result<const TracedFunction*> add_line(const symbols::Function& fn, uint64_t pc,
                                         const LineCapture& capture, const TraceOptions& opts);
  // Makes the kernel drop `fn`'s entry (or line) hits unless every term it
  // can decide from the captured words holds; the others are left to the
  // caller, who must still check the whole condition. Returns how many terms
  // the kernel checks; an empty list removes the filter. Returns are never
  // filtered (the terms are about the call's arguments).
  Result<size_t> set_kernel_filter(const TracedFunction* fn, const std::vector<KernelTerm>& terms,
                                   const std::optional<KernelHitCondition>& hit = std::nullopt);
  // The same for a condition in disjunctive normal form: a hit is kept when
  // every term of some group holds (a || b && c: {a}, {b, c}). A term the
  // words cannot decide is left out of its group (the group gets weaker);
  // a group left with none, or more groups than the kernel holds, means no
  // filter at all, since dropping a group would drop hits that satisfy it.
  Result<size_t> set_kernel_filter(const TracedFunction* fn,
                                   const std::vector<std::vector<KernelTerm>>& groups,
                                   const std::optional<KernelHitCondition>& hit = std::nullopt);
  // A fresh kernel hit counter starting at `start`, or nullopt when none is
  // left.
  std::optional<uint32_t> new_hit_counter(uint64_t start = 0);
  // Its count of hits so far (0 before start()).
  uint64_t hit_count(uint32_t counter) const;
  // How many terms the kernel checks for `fn` now.
  size_t kernel_filter_size(const TracedFunction* fn) const;
  // Stops tracing a function: its probes are removed (functions attached
  // together with it at start() are re-attached without it).
  Result<void> remove(const TracedFunction* fn);
  // The addresses of `fn`'s RET instructions (where returns are probed).
  Result<std::vector<uint64_t>> return_addresses(const symbols::Function& fn) const;
  // The functions being traced, in the order they were added.
  std::vector<const TracedFunction*> traced() const;
  // Probe sites in place: of `fn`, or of every function traced. An entry
  // that is also a return counts once.
  size_t probe_sites(const TracedFunction& fn) const;
  size_t probe_sites() const;

  // A function the kernel refused to probe, and why.
  struct Skipped {
    const TracedFunction* function = nullptr;
    Error error;
  };
  // Loads the backend for process `pid` and attaches every added function
  // through one uprobe_multi link. `path` is how the kernel can open the
  // binary. `ring_bytes` sizes the kernel's event ring: a power of two, at
  // least one page. One refused site fails a whole link, so on refusal each
  // function is attached on its own and the ones refused are returned; it
  // fails only if nothing could be attached.
  Result<std::vector<Skipped>> start(pid_t pid, const std::string& path,
                                     uint32_t ring_bytes = kDefaultRingBytes);
  // The same with a choice of backend (see StartOptions).
  Result<std::vector<Skipped>> start(pid_t pid, const std::string& path, const StartOptions& opts);
  // The backend start() chose (ebpf or ptrace), and when `automatic` chose
  // ptrace, why eBPF was not used (else empty).
  BackendKind backend() const;
  const std::string& fallback_reason() const;
  // Messages about the target drained without a notice callback, once each.
  std::vector<std::string> take_notices();
  static constexpr uint32_t kDefaultRingBytes = tracer::kDefaultRingBytes;
  // Probe sites (entries plus returns) one engine may use in its lifetime.
  static constexpr uint32_t kMaxSpecs = 65536;
  // Removes every probe. Idempotent; also done by the destructor.
  void stop();

  // fd to poll for pending hits (wakeups are batched, so also call drain on a
  // timer of a few milliseconds).
  int wait_fd() const;
  // Decodes every queued hit, in order, into `sink`; returns how many.
  // Messages about the target (it forked, exec'd) go to `notice` in their
  // place among the events, or, without one, wait for take_notices().
  Result<size_t> drain(const std::function<void(const TraceEvent&)>& sink,
                       const std::function<void(const std::string&)>& notice = {});
  // Hits the kernel could not queue (ring full) since start.
  uint64_t lost() const;

  // What tracing cost the tracer itself (gotrace trace --stats, the
  // benchmarks): wall time of each phase and what was probed.
  struct Stats {
    double load_ms = 0;    // start(): the backend (BPF program) ready
    double attach_ms = 0;  // start(): every probe armed
    double detach_ms = 0;  // stop(): every probe removed
    size_t sites = 0;      // probe sites armed at start
    uint64_t events = 0;   // records drained
  };
  const Stats& stats() const;

  // Loads an event's values again under `cfg` (the capture follows the
  // function's TraceOptions::load, so ask for no more than that).
  std::vector<values::Variable> load_values(const TraceEvent& ev,
                                            const values::LoadConfig& cfg) const;
  // A return event's call arguments, as its entry captured them (empty if
  // the entry was not seen).
  std::vector<values::Variable> load_entry_values(const TraceEvent& ev,
                                                  const values::LoadConfig& cfg) const;

  // Symbolizes an event's stack: frame 0 is the probed site, then callers.
  // `truncated` is set when more frames existed than the depth asked for.
  std::vector<Frame> stack(const TraceEvent& ev, bool* truncated) const;

 private:
  Engine();
  Result<std::vector<Skipped>> attach_all(const std::vector<uint32_t>& ids);  // timed
  Result<std::vector<Skipped>> attach_each(const std::vector<uint32_t>& ids);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gotrace::tracer
