// The Debug Console (DAP `evaluate`): Delve's `dlv <command>` forms (help,
// config, sources, types, target), and the ones that make sense only where
// the program never stops: `dlv trace LOCSPEC`, `dlv clear N`, `dlv
// breakpoints`, which add and remove tracepoints while it runs, as `dlv
// connect`'s trace and clear do. Any other expression needs a stopped
// goroutine: the answer is Delve's for a running program.
#include "convert.h"
#include "dap_args.h"
#include "dap_session.h"
#include "gotrace/values/go_quote.h"

#include <re2/re2.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <functional>

namespace gotrace::headless {
namespace {

using namespace dap_args;

// Delve's two-part split: the first word, and the rest trimmed.
std::pair<std::string, std::string> split2(const std::string& s) {
  auto trim = [](std::string x) {
    size_t a = x.find_first_not_of(" \t"), b = x.find_last_not_of(" \t");
    return a == std::string::npos ? std::string() : x.substr(a, b - a + 1);
  };
  size_t sp = s.find(' ');
  if (sp == std::string::npos) return {trim(s), ""};
  return {trim(s.substr(0, sp)), trim(s.substr(sp + 1))};
}

// Fields split on spaces, a "quoted field" kept whole.
std::vector<std::string> quoted_fields(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  bool in_quote = false, any = false;
  for (char c : s) {
    if (c == '"') {
      in_quote = !in_quote;
      any = true;
    } else if (c == ' ' && !in_quote) {
      if (any) out.push_back(cur);
      cur.clear();
      any = false;
    } else {
      cur += c;
      any = true;
    }
  }
  if (any) out.push_back(cur);
  return out;
}

// One `dlv config` parameter: its name, how it prints, how it is set.
struct Param {
  const char* name;
  std::function<std::string(const DapSession::ConsoleConfig&)> show;
  std::function<Result<void>(DapSession::ConsoleConfig&, const std::string&)> set;
};

Result<void> set_int(int64_t& field, const std::string& name, const std::string& v) {
  int64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size() || v.empty())
    return make_error(Errc::invalid_argument, "argument to \"" + name + "\" must be a number");
  if (n < 0) return make_error(Errc::invalid_argument, "argument to \"" + name + "\" must be a number greater than zero");
  field = n;
  return {};
}

Result<void> set_bool(bool& field, const std::string& name, const std::string& v) {
  if (v != "true" && v != "false")
    return make_error(Errc::invalid_argument, "argument to \"" + name + "\" must be true or false");
  field = v == "true";
  return {};
}

std::string unquote(const std::string& v) {
  return v.size() >= 2 && v.front() == '"' && v.back() == '"' ? v.substr(1, v.size() - 2) : v;
}

const std::vector<Param>& params() {
  using C = DapSession::ConsoleConfig;
  static const std::vector<Param> list = {
      {"stackTraceDepth", [](const C& c) { return std::to_string(c.stack_trace_depth); },
       [](C& c, const std::string& v) { return set_int(c.stack_trace_depth, "stackTraceDepth", v); }},
      {"maxStringLen", [](const C& c) { return std::to_string(c.max_string_len); },
       [](C& c, const std::string& v) { return set_int(c.max_string_len, "maxStringLen", v); }},
      {"maxArrayValues", [](const C& c) { return std::to_string(c.max_array_values); },
       [](C& c, const std::string& v) { return set_int(c.max_array_values, "maxArrayValues", v); }},
      {"showGlobalVariables", [](const C& c) { return std::string(c.show_global_variables ? "true" : "false"); },
       [](C& c, const std::string& v) { return set_bool(c.show_global_variables, "showGlobalVariables", v); }},
      {"showRegisters", [](const C& c) { return std::string(c.show_registers ? "true" : "false"); },
       [](C& c, const std::string& v) { return set_bool(c.show_registers, "showRegisters", v); }},
      {"goroutineFilters", [](const C& c) { return values::go_quote(c.goroutine_filters); },
       [](C& c, const std::string& v) -> Result<void> {
         c.goroutine_filters = unquote(v);
         return {};
       }},
      {"showPprofLabels",
       [](const C& c) {
         std::string s = "[";
         for (size_t i = 0; i < c.show_pprof_labels.size(); i++) s += (i ? " " : "") + c.show_pprof_labels[i];
         return s + "]";
       },
       nullptr},
      {"hideSystemGoroutines", [](const C& c) { return std::string(c.hide_system_goroutines ? "true" : "false"); },
       [](C& c, const std::string& v) { return set_bool(c.hide_system_goroutines, "hideSystemGoroutines", v); }},
      {"substitutePath",
       [](const C& c) {
         std::string s = "[";
         for (size_t i = 0; i < c.substitute_path.size(); i++)
           s += (i ? " [" : "[") + c.substitute_path[i].first + " " + c.substitute_path[i].second + "]";
         return s + "]";
       },
       nullptr},
      {"followExec", [](const C& c) { return std::string(c.follow_exec ? "true" : "false"); },
       [](C& c, const std::string& v) { return set_bool(c.follow_exec, "followExec", v); }},
      {"followExecRegex", [](const C& c) { return values::go_quote(c.follow_exec_regex); },
       [](C& c, const std::string& v) -> Result<void> {
         c.follow_exec_regex = unquote(v);
         return {};
       }},
      {"showRawStrings", [](const C& c) { return std::string(c.show_raw_strings ? "true" : "false"); },
       [](C& c, const std::string& v) { return set_bool(c.show_raw_strings, "showRawStrings", v); }},
  };
  return list;
}

std::string list_param(const DapSession::ConsoleConfig& c, const Param& p) {
  return std::string(p.name) + "\t" + p.show(c) + "\n";
}

Result<void> set_substitute_path(DapSession::ConsoleConfig& c, const std::string& rest) {
  auto& rules = c.substitute_path;
  if (rest == "-clear") {
    rules.clear();
    return {};
  }
  std::vector<std::string> argv = quoted_fields(rest);
  if (argv.size() == 2 && argv[0] == "-clear") argv.erase(argv.begin());
  if (argv.empty()) return {};
  if (argv.size() == 1) {
    auto it = std::find_if(rules.begin(), rules.end(), [&](const auto& r) { return r.first == argv[0]; });
    if (it == rules.end()) return make_error(Errc::not_found, "could not find rule for " + values::go_quote(argv[0]));
    rules.erase(it);
    return {};
  }
  if (argv.size() > 2) return make_error(Errc::invalid_argument, "too many arguments to \"config substitutePath\"");
  auto it = std::find_if(rules.begin(), rules.end(), [&](const auto& r) { return r.first == argv[0]; });
  if (it != rules.end()) it->second = argv[1];
  else rules.emplace_back(argv[0], argv[1]);
  return {};
}

Result<void> set_pprof_labels(DapSession::ConsoleConfig& c, const std::string& rest) {
  auto& labels = c.show_pprof_labels;
  if (rest == "-clear") {
    labels.clear();
    return {};
  }
  std::vector<std::string> argv = quoted_fields(rest);
  bool remove = argv.size() == 2 && argv[0] == "-clear";
  if (remove) argv.erase(argv.begin());
  if (argv.empty()) return {};
  if (argv.size() > 1) return make_error(Errc::invalid_argument, "too many arguments to \"config showPprofLabels\"");
  if (!remove) {
    labels.push_back(argv[0]);
    return {};
  }
  auto it = std::find(labels.begin(), labels.end(), argv[0]);
  if (it == labels.end()) return make_error(Errc::not_found, "could not find label " + values::go_quote(argv[0]));
  labels.erase(it);
  return {};
}

Result<std::string> config_cmd(DapSession& s, const std::string& args) {
  auto& c = s.console_config;
  // Not a structured binding: lambdas below capture them.
  auto parts = split2(args);
  const std::string name = parts.first, rest = parts.second;
  if (name == "-list") {
    std::string out;
    for (const Param& p : params())
      if (rest.empty() || rest == p.name) out += list_param(c, p);
    return out;
  }
  auto p = std::find_if(params().begin(), params().end(), [&](const Param& x) { return name == x.name; });
  if (p == params().end())
    return make_error(Errc::invalid_argument, values::go_quote(name) + " is not a configuration parameter");
  Result<void> r = name == "substitutePath"    ? set_substitute_path(c, rest)
                   : name == "showPprofLabels" ? set_pprof_labels(c, rest)
                                               : p->set(c, rest);
  if (!r) return r.error();
  // What the change makes stale in the client's views, as Delve says it.
  if (name == "showGlobalVariables" || name == "showRegisters")
    s.event("invalidated", json::object{{"areas", json::array{"variables"}}});
  if (name == "goroutineFilters" || name == "hideSystemGoroutines" || name == "showPprofLabels")
    s.event("invalidated", json::object{{"areas", json::array{"threads"}}});
  return list_param(c, *p) + "\nUpdated";
}

Result<std::string> sources_cmd(DapSession& s, const std::string& filter) {
  RE2 re(filter);
  if (!re.ok()) return make_error(Errc::invalid_argument, "invalid filter argument: " + re.error());
  std::string out;
  for (const std::string& f : s.dbg()->engine().binary().source_files())
    if (RE2::PartialMatch(f, re)) out += (out.empty() ? "" : "\n") + f;
  return out;
}

Result<std::string> types_cmd(DapSession& s, const std::string& filter) {
  RE2 re(filter);
  if (!re.ok()) return make_error(Errc::invalid_argument, "invalid filter argument: " + re.error());
  auto names = s.dbg()->engine().binary().type_names();
  std::string out;
  for (const std::string& t : names)
    if (RE2::PartialMatch(t, re)) out += (out.empty() ? "" : "\n") + t;
  return out;
}

Result<std::string> target_cmd(DapSession& s, const std::string& args) {
  auto [sub, rest] = split2(args);
  if (sub == "list") return std::string("*\t") + std::to_string(s.dbg()->pid()) + "\t" + s.dbg()->command_line() + "\n";
  if (sub == "follow-exec") {
    if (rest.empty()) return std::string("Follow exec mode is disabled");
    return make_error(Errc::unsupported, "gotrace traces one process: follow exec mode is not available");
  }
  if (sub == "switch") return make_error(Errc::unsupported, "gotrace traces one process: there is no other to switch to");
  return make_error(Errc::invalid_argument, "unknown target command");
}

// "Tracepoint 1 set at 0x4bd944 for main.foo() /src/main.go:17", as the
// dlv terminal says it.
std::string described(const debugger::Breakpoint& bp, const debugger::Debugger& d) {
  char addr[32];
  std::snprintf(addr, sizeof addr, "%#llx", static_cast<unsigned long long>(reported_address(d, bp.addr)));
  return std::string(addr) + " for " + bp.function_name + "() " + bp.file + ":" + std::to_string(bp.line);
}

// `dlv trace LOCSPEC`: Delve's location specs, a function's entry and
// returns traced, a line inside one traced where it is.
Result<std::string> trace_cmd(DapSession& s, const std::string& spec) {
  if (spec.empty()) return make_error(Errc::invalid_argument, "dlv trace needs a location: a function, FILE:LINE or /regex/");
  debugger::Debugger& d = *s.dbg();
  auto locs = d.find_location(spec);
  if (!locs) return locs.error();
  std::string out;
  for (const debugger::Location& l : *locs) {
    Result<debugger::Breakpoint> bp = make_error(Errc::internal, "");
    bool function = !l.function_name.empty() || (l.function && l.pc == d.engine().binary().after_prologue(*l.function));
    if (function) {
      std::string name = l.function_name.empty() ? l.function->name : l.function_name;
      bp = trace_function(s, name, "", "", true, 0, s.console_bps);
    } else {
      debugger::BreakpointRequest req;
      req.bp.addrs = l.pcs.empty() ? std::vector<uint64_t>{l.pc} : l.pcs;
      req.bp.tracepoint = true;
      req.bp.owner = s.hit_owner();
      req.bp.load_args = values::LoadConfig{};
      bp = d.create_breakpoint(req);
      if (bp) s.console_bps.push_back(bp->id);
    }
    if (!bp) return bp.error();
    s.prints[bp->id] = {DapSession::BpPrint::Kind::function, {}, "", bp->file, bp->line};
    out += "Tracepoint " + std::to_string(bp->id) + " set at " + described(*bp, d) + "\n";
  }
  return out;
}

// `dlv clear N`: a tracepoint this console set (with its returns).
Result<std::string> clear_cmd(DapSession& s, const std::string& arg) {
  int id = 0;
  auto [p, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), id);
  if (arg.empty() || ec != std::errc() || p != arg.data() + arg.size())
    return make_error(Errc::invalid_argument, "dlv clear needs the number of a tracepoint set with dlv trace");
  debugger::Debugger& d = *s.dbg();
  auto it = std::find(s.console_bps.begin(), s.console_bps.end(), id);
  if (it == s.console_bps.end()) return make_error(Errc::not_found, "no tracepoint " + arg + " set from this console");
  auto bp = d.get_breakpoint(id, "");
  if (!bp) return bp.error();
  std::string out = "Tracepoint " + arg + " cleared at " + described(*bp, d) + "\n";
  // The returns traced with it go too: the ids after it on the same function.
  std::vector<int> gone = {id};
  for (auto j = it + 1; j != s.console_bps.end(); ++j) {
    auto r = d.get_breakpoint(*j, "");
    if (!r || !r->trace_return || r->function_name != bp->function_name) break;
    gone.push_back(*j);
  }
  for (int g : gone) {
    (void)d.clear_breakpoint(g, "");
    s.prints.erase(g);
    std::erase(s.console_bps, g);
  }
  return out;
}

Result<std::string> breakpoints_cmd(DapSession& s, const std::string&) {
  debugger::Debugger& d = *s.dbg();
  std::string out;
  for (int id : s.console_bps) {
    auto bp = d.get_breakpoint(id, "");
    if (!bp || bp->trace_return) continue;
    out += "Tracepoint " + std::to_string(id) + " at " + described(*bp, d) + " (" +
           std::to_string(bp->total_hit_count) + ")\n";
  }
  return out.empty() ? std::string("no tracepoints set from this console\n") : out;
}

struct Command {
  std::vector<std::string> aliases;
  const char* summary;
  const char* usage;
  Result<std::string> (*run)(DapSession&, const std::string&);
};

Result<std::string> help_cmd(DapSession& s, const std::string& args);

const std::vector<Command>& commands() {
  static const std::vector<Command> list = {
      {{"help", "h"}, "Prints the help message.", "dlv help [command]", help_cmd},
      {{"config"}, "Changes configuration parameters.",
       "dlv config -list [parameter]\n\tdlv config <parameter> <value>\n\tdlv config substitutePath <from> [<to>] | "
       "-clear\n\tdlv config showPprofLabels [-clear] <label> | -clear\n\nLists or changes the session's parameters "
       "(stackTraceDepth, maxStringLen, maxArrayValues, substitutePath, ...).",
       config_cmd},
      {{"sources", "s"}, "Print list of source files.", "dlv sources [<regex>]\n\nThe program's source files, those "
                                                        "matching regex if one is given.",
       sources_cmd},
      {{"types"}, "Print list of types.", "dlv types [<regex>]\n\nThe program's types, those matching regex if one "
                                          "is given.",
       types_cmd},
      {{"target"}, "Manages child process debugging.", "dlv target list\n\ngotrace traces one process: follow-exec "
                                                       "and switch are not available.",
       target_cmd},
      {{"trace", "t"}, "Set a tracepoint while the program runs (gotrace).",
       "dlv trace <locspec>\n\nTraces a function (its calls and returns) or a line, given as dlv connect's trace "
       "takes it: main.foo, foo, main.foo:2, file.go:17, /regex/, *0xADDR. Each hit prints here.",
       trace_cmd},
      {{"clear"}, "Remove a tracepoint set with dlv trace (gotrace).", "dlv clear <id>", clear_cmd},
      {{"breakpoints", "bp"}, "List the tracepoints set with dlv trace (gotrace).", "dlv breakpoints",
       breakpoints_cmd},
  };
  return list;
}

Result<std::string> help_cmd(DapSession&, const std::string& args) {
  if (!args.empty()) {
    for (const Command& c : commands())
      if (std::find(c.aliases.begin(), c.aliases.end(), args) != c.aliases.end())
        return std::string(c.summary) + "\n\n\t" + c.usage;
    return make_error(Errc::not_found, "command not available");
  }
  std::string out = "The following commands are available:\n";
  for (const Command& c : commands()) {
    out += "    dlv " + c.aliases[0];
    if (c.aliases.size() > 1) {
      out += " (alias: ";
      for (size_t i = 1; i < c.aliases.size(); i++) out += (i > 1 ? " | " : "") + c.aliases[i];
      out += ")";
    }
    out += std::string(" \t ") + c.summary + "\n";
  }
  return out + "\nType 'dlv help' followed by a command for full documentation.\n";
}

void evaluate(DapSession& s, int64_t seq, const json::object& a) {
  std::string expr = str(a, "expression").value_or("");
  std::string context = str(a, "context").value_or("");
  bool show_user = context != "watch" && context != "repl" && context != "hover";
  if (!s.dbg()) {
    s.fail(seq, "evaluate", "Unable to evaluate expression", 2009, "Unable to evaluate expression: debugger is nil",
           show_user);
    return;
  }
  std::string cmdline;
  if (!RE2::FullMatch(expr, R"(\s*dlv\s+(\S.*))", &cmdline)) {
    // An expression needs a stopped goroutine's frame.
    s.fail(seq, "evaluate", "Unable to process `evaluate`", 4000,
           "Unable to process `evaluate`: debuggee is running", false);
    return;
  }
  auto [name, args] = split2(cmdline);
  for (const Command& c : commands()) {
    if (std::find(c.aliases.begin(), c.aliases.end(), name) == c.aliases.end()) continue;
    auto r = c.run(s, args);
    if (!r) {
      s.fail(seq, "evaluate", "Unable to run dlv command", 2015, "Unable to run dlv command: " + r.error().message,
             show_user);
      return;
    }
    s.respond(seq, "evaluate", json::object{{"result", *r}, {"variablesReference", 0}});
    return;
  }
  s.fail(seq, "evaluate", "Unable to run dlv command", 2015, "Unable to run dlv command: command not available",
         show_user);
}

}  // namespace

void add_dap_console(std::map<std::string, DapHandler, std::less<>>& t) { t["evaluate"] = evaluate; }

}  // namespace gotrace::headless
