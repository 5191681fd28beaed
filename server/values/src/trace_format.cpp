#include "gotrace/values/trace_format.h"

#include <chrono>
#include <cmath>
#include <cstdio>

namespace gotrace::values {

namespace {

// printTracepoint (Delve 1.27.2, pkg/terminal/command.go): the arguments
// (flag Argument only) as FormatTraceVariable prints them; from -v 1 each
// after its name; -v 3-4 put each on its own line after two spaces (the
// line then reads "fn(\n  a: 1\n  b: 2)").
void append_args(std::string& out, const std::vector<Variable>& arguments, int verbosity) {
  bool first = true;
  for (const auto& v : arguments) {
    if ((v.flags & kVarArgument) == 0) continue;
    const size_t mark = out.size();
    if (!first) out += verbosity >= 3 ? "\n" : ", ";
    if (verbosity >= 3) out += "  ";
    if (verbosity != 0) {
      out += v.name;
      out += ": ";
    }
    const size_t value_at = out.size();
    append_trace_value(out, v, verbosity);
    if (out.size() == value_at) {  // Delve skips a value that formats as ""
      out.resize(mark);
      continue;
    }
    first = false;
  }
}

// Return values: FormatTraceVariable of each, no names, joined by ",".
void append_returns(std::string& out, const std::vector<Variable>& results, int verbosity) {
  for (size_t i = 0; i < results.size(); ++i) {
    if (i) out += ',';
    append_trace_value(out, results[i], verbosity);
  }
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
                               bool bottom, bool colors) {
  std::string out = "\tStack:\n";
  if (frames.empty()) return out;
  const std::string bold = colors ? "\033[1m" : "", normal = colors ? "\033[0m" : "";
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
    out += ind + idx + "  " + pc + " in " + bold + f.function + normal + "\n";
    // fileLine: the colour starts at the file's base name.
    out += s + "at ";
    if (colors) {
      size_t slash = f.file.rfind('/');
      size_t base = slash == std::string::npos ? 0 : slash + 1;
      out += f.file.substr(0, base) + bold + f.file.substr(base) + ":" + std::to_string(f.line) + normal + "\n";
    } else {
      out += f.file + ":" + std::to_string(f.line) + "\n";
    }
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
    if (opts.verbosity >= 3) out += '\n';
    append_args(out, arguments, opts.verbosity);
    out += ")\n";
  }
  // Stacks and follow-calls are mutually exclusive.
  if (!opts.stack || opts.follow_calls_frame) return out;
  // printBreakpointInfo: an empty line before the stack unless the function
  // has no results...
  if (has_return_value) out += "\n";
  out += format_stack_block(*opts.stack, opts.stack_bottom, opts.stack_colors);
  // ...in which case printTracepoint prints the same stack a second time.
  if (!has_return_value) out += format_stack_block(*opts.stack, opts.stack_bottom, opts.stack_colors);
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
    out += format_stack_block(*opts.stack, opts.stack_bottom, opts.stack_colors);
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
