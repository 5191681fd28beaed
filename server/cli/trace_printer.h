// What gotrace trace prints for each event: Delve's trace lines (or JSON
// Lines), filtered by --cond, --follow-calls and --max-events, counted for
// --summary.
#pragma once

#include "call_summary.h"
#include "gotrace/debugger/condition.h"
#include "gotrace/tracer/engine.h"
#include "gotrace/values/trace_format.h"
#include "json_events.h"
#include "trace_flags.h"

#include <re2/re2.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace gotrace::cli {

class Printer {
 public:
  Printer(const TraceFlags& f, const tracer::Engine& engine) : flags_(f), engine_(engine), root_(f.regex) {
    time_t now = time(nullptr);
    tm lt{};
    localtime_r(&now, &lt);
    utc_offset_ = static_cast<int>(lt.tm_gmtoff);
    // Delve's terminal: colours unless TERM is "dumb" (any case).
    std::string term = std::getenv("TERM") ? std::getenv("TERM") : "";
    for (char& c : term) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    stack_colors_ = term != "dumb";
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
      // Delve follows a call through a function value only where it
      // happens within the depth asked for.
      if (by_value_.contains(ev.function->function) && *frame > flags_.follow_calls) return true;
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
  // --follow-calls: the functions reached only through function values.
  void set_by_value(std::set<const symbols::Function*> fns) { by_value_ = std::move(fns); }

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

  // --follow-calls: Delve's frame number, the position of the outermost
  // root function (one matching the regexp) in the hit's stack plus one, so
  // that a recursive root nests; 0 when no root is on the stack.
  int root_frame(const tracer::TraceEvent& ev) {
    bool truncated = false;
    std::vector<tracer::Frame> frames = engine_.stack(ev, &truncated);
    for (size_t i = frames.size(); i-- > 0;)
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
      o.stack_colors = stack_colors_;
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
      // Delve's return lines end at the values; the call's time is opt-in.
      if (flags_.durations) o.duration_ns = ev.duration_ns;
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
  std::set<const symbols::Function*> by_value_;
  std::map<const tracer::TracedFunction*, std::string> inlined_;
  uint64_t printed_ = 0;
  CallSummary summary_;
  int utc_offset_ = 0;
  bool stack_colors_ = false;
  std::string buf_;
  std::map<const tracer::TracedFunction*, std::vector<values::Variable>> markers_;
};

}  // namespace gotrace::cli
