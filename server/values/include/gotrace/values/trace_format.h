// The lines `dlv trace` prints for tracepoint hits (Delve 1.27.2,
// pkg/terminal/command.go printTracepoint / printBreakpointInfo and
// service/api/prettyprint.go PrintStack). Every function returns the exact
// bytes to write to stderr, newlines included.
#pragma once

#include "gotrace/values/variable.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gotrace::values {

struct StackFrame {
  uint64_t pc = 0;
  std::string function;
  std::string file;  // as the client shows it (already path-substituted)
  int line = 0;
  std::string error;  // api.Stackframe.Err: printed instead of pc/function
};

struct TraceOptions {
  int verbosity = 0;  // dlv trace -v 0..4
  // RFC 3339 time with nanoseconds (see format_rfc3339_nano), printed
  // followed by a space before the hit, as `--timestamp` does.
  std::optional<std::string> timestamp;
  // --follow-calls: the hit's frame number, i.e. the index of the root
  // function in the stack plus one (0: root not in the stack, the hit is
  // not printed). nullopt: follow-calls off.
  std::optional<int> follow_calls_frame;
  // The breakpoint name prefix Delve puts before the function on entry
  // lines: "[name] " for named breakpoints, "" for plain tracepoints.
  std::string bp_name;
  // Breakpoint.stacktrace frames (dlv trace -s N: N+1 frames) if the hit
  // carries a stack; `stack_bottom` says the last frame is the goroutine's
  // outermost one (no "(truncated)").
  std::optional<std::vector<StackFrame>> stack;
  bool stack_bottom = false;
  // Delve's terminal colours a stack's function names and file base names
  // bold ("\033[1m" ... "\033[0m") unless TERM is "dumb", on a terminal or
  // not: `dlv trace -s N` output holds the escapes.
  bool stack_colors = false;
  // Return lines: the call's duration, printed after the values as
  // " [1.5µs]". Delve prints none: only `trace --durations` asks for it.
  std::optional<uint64_t> duration_ns;
};

// The argument list between the parentheses of an entry line, from
// breakpointInfo.arguments: only flag-8 (argument) variables are printed,
// result parameters (flag 16) are skipped.
std::string format_trace_args(const std::vector<Variable>& arguments,
                              int verbosity);

// The value list of a return line, from Thread.ReturnValues.
std::string format_trace_returns(const std::vector<Variable>& results,
                                 int verbosity);

// Everything printed for an entry hit: the "> goroutine(G): fn(args)" line
// and, when a stack was captured, its block(s). `arguments` is
// breakpointInfo.arguments (both flag 8 and flag 16 variables; a flag-16
// one marks the function as having results, which changes stack output).
std::string format_trace_entry(int64_t goroutine_id,
                               const std::string& function,
                               const std::vector<Variable>& arguments,
                               const TraceOptions& opts);

// Everything printed for a return hit: ">> goroutine(G): fn => (values)",
// its duration, and its stack block.
std::string format_trace_return(int64_t goroutine_id,
                                const std::string& function,
                                const std::vector<Variable>& results,
                                const TraceOptions& opts);

// api.PrintStack with indent "\t\t", preceded by the "\tStack:" header;
// `colors`: Delve's default stack-trace colours (TraceOptions::stack_colors).
std::string format_stack_block(const std::vector<StackFrame>& frames,
                               bool bottom, bool colors = false);

// api.ShortenType: "*github.com/a/b/pkg.T" -> "*pkg.T" (a path of one
// slash, "net/http.Request", stays whole; a type it cannot parse too).
std::string shorten_type(std::string_view typ);

// A duration as Go's time.Duration prints it, rounded to 3 decimals of its
// unit: 0s, 850ns, 1.5µs, 20ms, 2.25s, 1m30.5s, 2h0m0s.
std::string format_duration(uint64_t ns);

// Go's time.Format(time.RFC3339Nano): trailing zeros of the fraction are
// dropped, "Z" for UTC, otherwise "+hh:mm".
std::string format_rfc3339_nano(int64_t unix_nanos, int utc_offset_seconds);

}  // namespace gotrace::values
