// initialize, launch, attach, configurationDone, disconnect, terminate.
#include "dap_args.h"
#include "client_user.h"
#include "dap_session.h"
#include "gotrace/protocol/dap/types.h"
#include "gotrace/tracer/go_build.h"

#include <limits>

namespace gotrace::headless {
namespace {

using namespace dap_args;
namespace pdap = protocol::dap;

// Builds a package for tracing (`go build`/`go test -c` with
// -gcflags='all=-N -l'), its output going to the DAP console, the binary
// into a TempBuildOutput; the build runs as `as` when it is given.
Result<tracer::TempBuildOutput> build(const std::string& mode, const std::string& program,
                                      const std::vector<std::string>& flags,
                                      const std::optional<tracer::Credentials>& as, std::string* log) {
  auto built = tracer::TempBuildOutput::create(as);
  if (!built) return built.error();
  tracer::GoBuild b{program, mode == "test", flags, as};
  if (auto r = tracer::go_build_for_debug(b, built->path(), log); !r) return r.error();
  return std::move(*built);
}

void initialize(DapSession& s, int64_t seq, const json::object&) {
  // Only what is implemented is advertised.
  json::object caps{{"supportsConfigurationDoneRequest", true},
                    {"supportsFunctionBreakpoints", true},
                    {"supportsConditionalBreakpoints", true},
                    {"supportsHitConditionalBreakpoints", true},
                    {"supportsLogPoints", true},
                    {"supportTerminateDebuggee", true},
                    {"supportsTerminateRequest", true}};
  s.respond(seq, "initialize", std::move(caps));
}

void started(DapSession& s, int64_t seq, const std::string& command) {
  // Delve 1.27's order: a launch says `process`, an attach `capabilities`
  // (it may end the program), then `initialized`, then the response.
  debugger::Debugger* d = s.dbg();
  if (command == "launch")
    s.event("process", json::object{{"name", d->program()},
                                    {"systemProcessId", d->pid()},
                                    {"isLocalProcess", true},
                                    {"startMethod", "launch"}});
  else
    s.event("capabilities", json::object{{"capabilities", json::object{{"supportTerminateDebuggee", true}}}});
  s.event("initialized");
  s.respond(seq, command);
  s.start_target_watch();
}

std::vector<std::string> build_flags(const pdap::LaunchArguments& la) {
  if (!la.buildFlags) return {};
  if (auto* list = std::get_if<std::vector<std::string>>(&la.buildFlags->value)) return *list;
  json::object o{{"f", std::get<std::string>(la.buildFlags->value)}};
  return strings(o, "f");  // one string: split on spaces
}

// The "backend" attribute: gotrace's ebpf|ptrace|auto; Delve's own
// "default" and "native" (what vscode-go may send) mean gotrace's default.
Result<tracer::BackendKind> backend_attribute(DapSession& s, const std::optional<std::string>& value) {
  if (!value || *value == "default" || *value == "native") {
    if (s.server().opts.backend) return *s.server().opts.backend;
    return tracer::default_backend();
  }
  if (auto k = tracer::parse_backend(*value)) return *k;
  return make_error(Errc::invalid_argument,
                    "invalid debug configuration - unsupported 'backend' attribute \"" + *value +
                        "\": must be ebpf, ptrace or auto");
}

// What every launch and attach of this server starts from: the backend the
// request names (or the server's), the server's ring and limits.
Result<debugger::TargetOptions> target_options(DapSession& s, const std::optional<std::string>& backend) {
  auto kind = backend_attribute(s, backend);
  if (!kind) return kind.error();
  debugger::TargetOptions to;
  to.backend = *kind;
  to.ring_bytes = s.server().opts.ring_bytes;
  to.limits = s.server().opts.limits;
  return to;
}

// Tells the client when `auto` fell back to ptrace, and why.
void report_backend(DapSession& s) {
  const tracer::Engine& e = s.dbg()->engine();
  if (e.backend() == tracer::BackendKind::ptrace && !e.fallback_reason().empty())
    s.output("console", "gotrace: tracing with ptrace: eBPF is unavailable: " + e.fallback_reason() + "\n");
}

void launch(DapSession& s, int64_t seq, const json::object& a) {
  s.trace_data = flag(a, "traceData");
  auto failed = [&](const std::string& why) {
    s.fail(seq, "launch", "Failed to launch", 3000, "Failed to launch: " + why);
  };
  if (s.dbg()) return failed("a program is already being traced in this session");
  auto la = pdap::parse_arguments<pdap::LaunchArguments>(json::value(a), "launch");
  if (!la) return failed("invalid debug configuration - " + la.error().message);
  std::string mode = la->mode.empty() ? "debug" : la->mode;
  if (mode != "exec" && mode != "debug" && mode != "test")
    return failed("invalid debug configuration - unsupported 'mode' attribute \"" + mode + "\"");
  if (la->program.empty()) return failed("The program attribute is missing in debug configuration.");
  auto as = acting_user(s.client_uid);
  if (!as) return failed(as.error().message);
  // The server reads the program's symbols for them: they must be able to
  // read it, not only run it.
  if (*as && mode == "exec")
    if (auto r = tracer::check_access_as(**as, la->program, R_OK | X_OK); !r) return failed(r.error().message);
  auto options = target_options(s, la->backend);
  if (!options) return failed(options.error().message);
  debugger::TargetOptions& to = *options;
  to.program = la->program;
  to.args = la->args;
  to.launch.capture_output = true;
  to.launch.run_as = *as;
  if (la->cwd) to.launch.cwd = *la->cwd;
  for (const auto& [k, v] : la->env) {
    if (v)
      to.launch.env_set.emplace_back(k, *v);
    else
      to.launch.env_unset.push_back(k);
  }
  if (mode != "exec") {
    std::string log;
    auto built = build(mode, la->program, build_flags(*la), *as, &log);
    if (!log.empty()) s.output("console", log);
    if (!built) return failed(built.error().message);
    to.program = built->path();
    s.built = std::move(*built);
  }
  auto d = debugger::Debugger::create(to);
  if (!d) return failed("could not launch process: " + d.error().message);
  s.server().dbg = std::move(*d);
  s.launched_here = true;
  report_backend(s);
  started(s, seq, "launch");
}

void attach(DapSession& s, int64_t seq, const json::object& a) {
  s.trace_data = flag(a, "traceData");
  auto failed = [&](const std::string& why) {
    s.fail(seq, "attach", "Failed to attach", 3001, "Failed to attach: " + why);
  };
  auto aa = pdap::parse_arguments<pdap::AttachArguments>(json::value(a), "attach");
  if (!aa) return failed("invalid debug configuration - " + aa.error().message);
  std::string mode = aa->mode.empty() ? "local" : aa->mode;
  if (mode == "remote") {
    // On a headless server's port: trace the server's program.
    if (!s.dbg()) return failed("no program on this server: use mode \"local\" or launch");
    started(s, seq, "attach");
    return;
  }
  if (mode != "local") return failed("invalid debug configuration - unsupported 'mode' attribute \"" + mode + "\"");
  if (s.dbg()) return failed("a program is already being traced in this session");
  auto pid = aa->processId;
  if (!pid || *pid <= 0 || *pid > std::numeric_limits<pid_t>::max())
    return failed("the processId attribute is missing or invalid");
  auto as = acting_user(s.client_uid);
  if (!as) return failed(as.error().message);
  if (*as)
    if (auto r = tracer::check_ptrace_as(**as, static_cast<pid_t>(*pid)); !r) return failed(r.error().message);
  auto options = target_options(s, aa->backend);
  if (!options) return failed(options.error().message);
  debugger::TargetOptions& to = *options;
  to.attach_pid = static_cast<pid_t>(*pid);
  auto d = debugger::Debugger::create(to);
  if (!d) return failed(d.error().message);
  s.server().dbg = std::move(*d);
  s.launched_here = true;
  report_backend(s);
  started(s, seq, "attach");
}

void configuration_done(DapSession& s, int64_t seq, const json::object&) {
  s.configured = true;
  if (debugger::Debugger* d = s.dbg()) {
    if (auto r = d->resume(); !r) {
      s.fail(seq, "configurationDone", "Failed to start", 3002, r.error().message);
      return;
    }
  }
  // Delve's pointer to its Debug Console commands (dap_console.cpp).
  s.output("console", "Type 'dlv help' for list of commands.\n");
  s.respond(seq, "configurationDone");
}

void end_session(DapSession& s, int64_t seq, const std::string& command, bool kill) {
  debugger::Debugger* d = s.dbg();
  Server::Impl& srv = s.server();
  // Delve's words for what becomes of the program.
  if (d && !srv.dap_only && !s.launched_here && !kill) {
    boost::system::error_code ec;
    auto at = srv.acceptor.local_endpoint(ec);
    s.output("console", "Closing client session, but leaving multi-client DAP server at " +
                            at.address().to_string() + ":" + std::to_string(at.port()) + " with debuggee " +
                            (d->exit_status() ? "exited" : "running") + "\n");
  } else if (d && d->exit_status()) {
    s.output("console", d->exit_message() + "\n");
    s.output("console", "Detaching\n");
  } else if (d) {
    s.output("console", kill ? "Detaching and terminating target process\n"
                             : "Detaching without terminating target process\n");
  }
  s.respond(seq, command);
  s.event("terminated", json::object{});
  if (srv.dap_only || s.launched_here) {
    // The session owned the program: end it as asked, then the server.
    if (d && kill && !d->launched()) d->kill_attached();
    if (d) d->terminate(kill);
    if (srv.dap_only) srv.shutdown(kill);
  } else if (kill) {
    // attach remote with terminateDebuggee: like Delve, the headless
    // server ends and takes its program with it.
    srv.shutdown(true);
  }
  s.release();
  s.close_after_flush();
}

void disconnect(DapSession& s, int64_t seq, const json::object& a) {
  debugger::Debugger* d = s.dbg();
  // A program this session launched dies with it unless asked otherwise;
  // attached ones, and a headless server's program, live unless
  // terminateDebuggee says so.
  bool kill = flag(a, "terminateDebuggee", d && s.launched_here && d->launched());
  end_session(s, seq, "disconnect", kill);
}

void terminate(DapSession& s, int64_t seq, const json::object&) {
  if (debugger::Debugger* d = s.dbg()) d->terminate(true);
  s.respond(seq, "terminate");
  s.server().notify();
}

}  // namespace

void add_dap_lifecycle(std::map<std::string, DapHandler, std::less<>>& t) {
  t["initialize"] = initialize;
  t["launch"] = launch;
  t["attach"] = attach;
  t["configurationDone"] = configuration_done;
  t["disconnect"] = disconnect;
  t["terminate"] = terminate;
}

}  // namespace gotrace::headless
