#include "gotrace/values/trace_format.h"

#include <chrono>
#include <cmath>
#include <cstdio>

namespace gotrace::values {

namespace {

// How one variable appears in a trace line at verbosity v (PR #4251):
// 0 is the original SinglelineString, 1 names the type only, 2 adds the
// name to the inline value, 3-4 print the expanded multi-line value.
// Levels 1-4 (here and in append_list) follow the PR description, not
// HEAD's source, which has not been read; see trace_format_test.cpp.
void append_one(std::string& out, const Variable& v, int verbosity) {
  switch (verbosity) {
    case 0: append_single_line(out, v); return;
    case 1:
      out += v.name;
      out += ": <";
      out += v.type;
      out += '>';
      return;
    case 2:
      out += v.name;
      out += ": ";
      append_single_line(out, v);
      return;
    default:
      out += v.name;
      out += ": ";
      append_multi_line(out, v, "\t");
  }
}

// The values `keep` selects, separated by `sep`; levels 3-4 put each on its
// own indented line instead. Appended in place: this runs at every hit.
template <class Keep>
void append_list(std::string& out, const std::vector<Variable>& vars, int verbosity,
                 std::string_view sep, Keep keep) {
  if (verbosity >= 3) {
    size_t n = 0;
    for (const auto& v : vars) n += keep(v) ? 1 : 0;
    if (n == 0) return;
    out += '\n';
    size_t i = 0;
    for (const auto& v : vars) {
      if (!keep(v)) continue;
      out += '\t';
      append_one(out, v, verbosity);
      out += ++i < n ? ",\n" : "\n";
    }
    return;
  }
  bool first = true;
  for (const auto& v : vars) {
    if (!keep(v)) continue;
    if (!first) out += sep;
    first = false;
    append_one(out, v, verbosity);
  }
}

bool is_entry_argument(const Variable& v) { return (v.flags & kVarArgument) != 0; }
bool any_variable(const Variable&) { return true; }

void append_args(std::string& out, const std::vector<Variable>& arguments, int verbosity) {
  append_list(out, arguments, verbosity, ", ", is_entry_argument);
}

// Return values are joined with a bare "," (entry args use ", ").
void append_returns(std::string& out, const std::vector<Variable>& results, int verbosity) {
  append_list(out, results, verbosity, ",", any_variable);
}

int digits(int n) {
  if (n <= 0) return 1;
  return static_cast<int>(std::floor(std::log10(static_cast<double>(n)))) + 1;
}

void append_trace_prefix(std::string& out, int64_t goroutine_id, const TraceOptions& opts) {
  out += "goroutine(";
  out += std::to_string(goroutine_id);
  out += "):";
  if (opts.follow_calls_frame) {
    out += "frame(";
    out += std::to_string(*opts.follow_calls_frame);
    out += ')';
  }
}

void append_depth_prefix(std::string& out, const TraceOptions& opts) {
  if (!opts.follow_calls_frame || *opts.follow_calls_frame <= 0) return;
  out.append(static_cast<size_t>(*opts.follow_calls_frame - 1), ' ');
}

// A follow-calls hit whose root function is not on the stack prints nothing
// (but the timestamp, which Delve writes first).
bool printed(const TraceOptions& opts) {
  return !opts.follow_calls_frame || *opts.follow_calls_frame > 0;
}

}  // namespace

std::string format_trace_args(const std::vector<Variable>& arguments,
                              int verbosity) {
  std::string out;
  append_args(out, arguments, verbosity);
  return out;
}

std::string format_trace_returns(const std::vector<Variable>& results,
                                 int verbosity) {
  std::string out;
  append_returns(out, results, verbosity);
  return out;
}

std::string format_stack_block(const std::vector<StackFrame>& frames,
                               bool bottom) {
  std::string out = "\tStack:\n";
  if (frames.empty()) return out;
  const std::string ind = "\t\t";
  const int d = digits(static_cast<int>(frames.size()) - 1);
  const std::string s = ind + std::string(static_cast<size_t>(d) + 2 + ind.size(), ' ');
  for (size_t i = 0; i < frames.size(); ++i) {
    const StackFrame& f = frames[i];
    if (!f.error.empty()) {
      out += s + "error: " + f.error + "\n";
      continue;
    }
    std::string idx = std::to_string(i);
    if (static_cast<int>(idx.size()) < d)
      idx.insert(0, static_cast<size_t>(d) - idx.size(), ' ');
    char pc[24];
    std::snprintf(pc, sizeof pc, "0x%016llx",
                  static_cast<unsigned long long>(f.pc));
    out += ind + idx + "  " + pc + " in " + f.function + "\n";
    out += s + "at " + f.file + ":" + std::to_string(f.line) + "\n";
  }
  if (!bottom) out += ind + "(truncated)\n";
  return out;
}

std::string format_trace_entry(int64_t goroutine_id,
                               const std::string& function,
                               const std::vector<Variable>& arguments,
                               const TraceOptions& opts) {
  std::string out;
  out.reserve(128);
  if (opts.timestamp) {
    out += *opts.timestamp;
    out += ' ';
  }
  bool has_return_value = false;
  for (const auto& a : arguments)
    if (a.flags & kVarReturnArgument) has_return_value = true;
  if (printed(opts)) {
    append_depth_prefix(out, opts);
    out += "> ";
    append_trace_prefix(out, goroutine_id, opts);
    out += ' ';
    out += opts.bp_name;
    out += function;
    out += '(';
    append_args(out, arguments, opts.verbosity);
    out += ")\n";
  }
  // Stacks and follow-calls are mutually exclusive.
  if (!opts.stack || opts.follow_calls_frame) return out;
  // printBreakpointInfo: an empty line before the stack unless the function
  // has no results...
  if (has_return_value) out += "\n";
  out += format_stack_block(*opts.stack, opts.stack_bottom);
  // ...in which case printTracepoint prints the same stack a second time.
  if (!has_return_value) out += format_stack_block(*opts.stack, opts.stack_bottom);
  return out;
}

std::string format_trace_return(int64_t goroutine_id,
                                const std::string& function,
                                const std::vector<Variable>& results,
                                const TraceOptions& opts) {
  std::string out;
  out.reserve(128);
  if (opts.timestamp) {
    out += *opts.timestamp;
    out += ' ';
  }
  if (printed(opts)) {
    append_depth_prefix(out, opts);
    out += ">> ";
    append_trace_prefix(out, goroutine_id, opts);
    out += ' ';
    out += function;
    out += " => (";
    append_returns(out, results, opts.verbosity);
    out += ')';
    if (opts.duration_ns) {
      out += " [";
      out += format_duration(*opts.duration_ns);
      out += ']';
    }
    out += '\n';
  }
  if (opts.stack && !opts.follow_calls_frame)
    out += format_stack_block(*opts.stack, opts.stack_bottom);
  return out;
}

namespace {

std::string trimmed(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  std::string s = buf;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

}  // namespace

std::string format_duration(uint64_t ns) {
  if (ns == 0) return "0s";
  if (ns < 1000) return std::to_string(ns) + "ns";
  if (ns < 1'000'000) return trimmed(static_cast<double>(ns) / 1e3) + "µs";
  // From 999.9995ms up, three decimals of ms would round to "1000ms".
  if (ns < 999'999'500) return trimmed(static_cast<double>(ns) / 1e6) + "ms";
  uint64_t ms = (ns + 500'000) / 1'000'000;  // whole milliseconds from here on
  if (ms < 60'000) return trimmed(static_cast<double>(ms) / 1e3) + "s";
  // As Go: 1m30.5s, 2h0m0s.
  uint64_t h = ms / 3'600'000, m = ms / 60'000 % 60;
  std::string out = h ? std::to_string(h) + "h" : "";
  return out + std::to_string(m) + "m" + trimmed(static_cast<double>(ms % 60'000) / 1e3) + "s";
}

std::string format_rfc3339_nano(int64_t unix_nanos, int utc_offset_seconds) {
  using namespace std::chrono;
  int64_t local = unix_nanos + int64_t(utc_offset_seconds) * 1'000'000'000;
  int64_t secs = local / 1'000'000'000;
  int64_t frac = local % 1'000'000'000;
  if (frac < 0) {
    frac += 1'000'000'000;
    secs -= 1;
  }
  sys_seconds tp{seconds{secs}};
  sys_days day = floor<days>(tp);
  year_month_day ymd{day};
  hh_mm_ss<seconds> hms{tp - day};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02lld:%02lld:%02lld",
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()),
                static_cast<long long>(hms.hours().count()),
                static_cast<long long>(hms.minutes().count()),
                static_cast<long long>(hms.seconds().count()));
  std::string out = buf;
  if (frac != 0) {
    char f[16];
    std::snprintf(f, sizeof f, "%09lld", static_cast<long long>(frac));
    std::string fs = f;
    while (!fs.empty() && fs.back() == '0') fs.pop_back();
    out += "." + fs;
  }
  if (utc_offset_seconds == 0) {
    out += "Z";
  } else {
    int off = utc_offset_seconds;
    char sign = off < 0 ? '-' : '+';
    if (off < 0) off = -off;
    std::snprintf(buf, sizeof buf, "%c%02d:%02d", sign, off / 3600, (off / 60) % 60);
    out += buf;
  }
  return out;
}

}  // namespace gotrace::values
