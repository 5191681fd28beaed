// setBreakpoints, setFunctionBreakpoints, setExceptionBreakpoints and the
// custom setTracepoints: DAP breakpoints as gotrace tracepoints.
#include "convert.h"
#include "dap_args.h"
#include "dap_session.h"

#include <filesystem>

namespace gotrace::headless {
namespace {

using namespace dap_args;
namespace pdap = protocol::dap;

json::object source_of(const std::string& path) {
  return json::object{{"name", std::filesystem::path(path).filename().string()}, {"path", path}};
}

json::object unverified(const std::string& why) {
  return json::object{{"verified", false}, {"message", why}};
}

json::object verified(const debugger::Breakpoint& bp) {
  return json::object{{"id", bp.id}, {"verified", true}, {"source", source_of(bp.file)}, {"line", bp.line}};
}

}  // namespace

void clear_breakpoints(DapSession& s, std::vector<int>& ids) {
  if (debugger::Debugger* d = s.dbg())
    for (int id : ids) {
      (void)d->clear_breakpoint(id, "");
      s.prints.erase(id);
    }
  ids.clear();
}

Result<debugger::Breakpoint> trace_function(DapSession& s, const std::string& fn,
                                            const std::string& cond, const std::string& hit_cond,
                                            bool returns, int stack, std::vector<int>& ids,
                                            const std::vector<pdap::Segment>& message) {
  debugger::Debugger& d = *s.dbg();
  // What the entry and the returns share. The returns print when the entry
  // does: the condition may name arguments (evaluated with the entry's
  // values), and then the kernel can drop non-matching calls at their entry.
  auto request = [&] {
    debugger::BreakpointRequest r;
    r.bp.owner = s.hit_owner();
    r.bp.cond = cond;
    r.bp.hit_cond = hit_cond;
    r.bp.stacktrace = stack;
    r.bp.load_args = values::LoadConfig{};
    return r;
  };
  debugger::BreakpointRequest req = request();
  for (const auto& seg : message)
    if (seg.is_expr) req.bp.variables.push_back(seg.text);
  req.bp.function_name = fn;
  req.bp.tracepoint = true;
  // An inlined copy, or a function that never returns, has no return of
  // its own to probe.
  auto rets = returns ? d.return_locations(fn) : Result<std::vector<uint64_t>>(std::vector<uint64_t>{});
  req.with_returns = rets && !rets->empty();
  auto entry = d.create_breakpoint(req);
  if (!entry) return entry.error();
  if (auto r = d.check_reads(*entry); !r) {
    (void)d.clear_breakpoint(entry->id, "");
    return r.error();
  }
  ids.push_back(entry->id);
  if (rets) {
    for (uint64_t a : *rets) {
      debugger::BreakpointRequest r = request();
      r.bp.addr = a;
      r.bp.trace_return = true;
      auto rb = d.create_breakpoint(r);
      if (rb) {
        ids.push_back(rb->id);
        s.prints[rb->id] = {DapSession::BpPrint::Kind::function, {}, "", rb->file, rb->line, stack};
      }
    }
  }
  return entry;
}

namespace {

void set_breakpoints(DapSession& s, int64_t seq, const json::object& a) {
  const json::object* src = obj(a, "source");
  auto path = src ? str(*src, "path") : std::nullopt;
  if (!path) {
    s.fail(seq, "setBreakpoints", "Unable to set breakpoints", 2002,
           "setBreakpoints: the source has no path");
    return;
  }
  if (!s.dbg()) {
    s.fail(seq, "setBreakpoints", "Unable to set breakpoints", 2002,
           "setBreakpoints: launch or attach first");
    return;
  }
  std::vector<int>& ids = s.source_bps[*path];
  clear_breakpoints(s, ids);
  json::array out;
  bool plain = false;
  if (const json::array* bps = arr(a, "breakpoints")) {
    for (const auto& bv : *bps) {
      if (!bv.is_object()) {
        out.push_back(unverified("breakpoint must be an object"));
        continue;
      }
      const json::object& b = bv.get_object();
      auto line = num(b, "line");
      if (!line) {
        out.push_back(unverified("missing line"));
        continue;
      }
      std::vector<pdap::Segment> message;
      auto log = str(b, "logMessage");
      if (log && !log->empty()) {
        auto segs = pdap::parse_log_message(*log);
        if (!segs) {
          out.push_back(unverified(segs.error().message));
          continue;
        }
        message = std::move(*segs);
      }
      debugger::BreakpointRequest req;
      req.bp.file = *path;
      req.bp.line = static_cast<int>(*line);
      req.bp.tracepoint = true;
      req.bp.owner = s.hit_owner();
      req.bp.cond = str(b, "condition").value_or("");
      req.bp.hit_cond = str(b, "hitCondition").value_or("");
      req.bp.load_args = values::LoadConfig{};
      // The logpoint's expressions are what a line tracepoint captures.
      for (const auto& seg : message)
        if (seg.is_expr) req.bp.variables.push_back(seg.text);
      auto created = s.dbg()->create_breakpoint(req);
      if (!created) {
        out.push_back(unverified(created.error().message));
        continue;
      }
      // Every expression must name something the hit captures.
      if (auto r = s.dbg()->check_reads(*created); !r) {
        (void)s.dbg()->clear_breakpoint(created->id, "");
        out.push_back(unverified(r.error().message));
        continue;
      }
      ids.push_back(created->id);
      auto kind = message.empty() ? DapSession::BpPrint::Kind::source : DapSession::BpPrint::Kind::logpoint;
      plain = plain || message.empty();
      s.prints[created->id] = {kind, std::move(message), "", *path, created->line};
      out.push_back(verified(*created));
    }
  }
  if (plain && !s.said_never_stops) {
    s.said_never_stops = true;
    s.output("console",
             "gotrace never stops the program: breakpoints print each call here and the "
             "program keeps running.\n");
  }
  s.respond(seq, "setBreakpoints", json::object{{"breakpoints", std::move(out)}});
}

void set_function_breakpoints(DapSession& s, int64_t seq, const json::object& a) {
  if (!s.dbg()) {
    s.fail(seq, "setFunctionBreakpoints", "Unable to set breakpoints", 2002,
           "setFunctionBreakpoints: launch or attach first");
    return;
  }
  clear_breakpoints(s, s.function_bps);
  json::array out;
  if (const json::array* bps = arr(a, "breakpoints"))
    for (const auto& bv : *bps) {
      const json::object* b = bv.if_object();
      auto name = b ? str(*b, "name") : std::nullopt;
      if (!name) {
        out.push_back(unverified("missing name"));
        continue;
      }
      auto loc = s.dbg()->function_location(*name);
      if (!loc) {
        out.push_back(unverified(loc.error().message));
        continue;
      }
      auto entry = trace_function(s, loc->function_name, str(*b, "condition").value_or(""),
                                  str(*b, "hitCondition").value_or(""), true, 0, s.function_bps);
      if (!entry) {
        out.push_back(unverified(entry.error().message));
        continue;
      }
      s.prints[entry->id] = {DapSession::BpPrint::Kind::function, {}, "", entry->file, entry->line};
      out.push_back(verified(*entry));
    }
  s.respond(seq, "setFunctionBreakpoints", json::object{{"breakpoints", std::move(out)}});
}

void set_exception_breakpoints(DapSession& s, int64_t seq, const json::object&) {
  s.respond(seq, "setExceptionBreakpoints", json::object{});
}

// {tracepoints:[{function: REGEX, logMessage?, condition?, hitCondition?,
// returns?: bool, stack?: N}]}: one verified entry per matched function.
void set_tracepoints(DapSession& s, int64_t seq, const json::object& a) {
  if (!s.dbg()) {
    s.fail(seq, "setTracepoints", "Unable to set tracepoints", 2002, "setTracepoints: launch or attach first");
    return;
  }
  clear_breakpoints(s, s.tracepoint_bps);
  json::array out;
  if (const json::array* tps = arr(a, "tracepoints"))
    for (const auto& tv : *tps) {
      const json::object* t = tv.if_object();
      auto re = t ? str(*t, "function") : std::nullopt;
      if (!re) {
        out.push_back(unverified("missing function"));
        continue;
      }
      std::vector<pdap::Segment> message;
      if (auto log = str(*t, "logMessage"); log && !log->empty()) {
        auto segs = pdap::parse_log_message(*log);
        if (!segs) {
          out.push_back(unverified(segs.error().message));
          continue;
        }
        message = std::move(*segs);
      }
      auto fns = s.dbg()->traceable_functions(*re);
      if (!fns) {
        out.push_back(unverified(fns.error().message));
        continue;
      }
      if (fns->empty()) {
        out.push_back(unverified("no function matches \"" + *re + "\""));
        continue;
      }
      for (const std::string& fn : *fns) {
        auto entry = trace_function(s, fn, str(*t, "condition").value_or(""),
                                    str(*t, "hitCondition").value_or(""), flag(*t, "returns", true),
                                    static_cast<int>(num(*t, "stack").value_or(0)), s.tracepoint_bps,
                                    message);
        if (!entry) {
          json::object u = unverified(fn + ": " + entry.error().message);
          out.push_back(std::move(u));
          continue;
        }
        auto kind = message.empty() ? DapSession::BpPrint::Kind::function : DapSession::BpPrint::Kind::logpoint;
        s.prints[entry->id] = {kind, message, "", entry->file, entry->line, entry->stacktrace};
        json::object v = verified(*entry);
        v["message"] = fn;
        out.push_back(std::move(v));
      }
    }
  s.respond(seq, "setTracepoints", json::object{{"breakpoints", std::move(out)}});
}

}  // namespace

void add_dap_breakpoints(std::map<std::string, DapHandler, std::less<>>& t) {
  t["setBreakpoints"] = set_breakpoints;
  t["setFunctionBreakpoints"] = set_function_breakpoints;
  t["setExceptionBreakpoints"] = set_exception_breakpoints;
  t["setTracepoints"] = set_tracepoints;
}

}  // namespace gotrace::headless
