// gotrace exec|attach|debug --headless: Delve's headless server, fed by eBPF.
#include "args.h"
#include "backend_flag.h"
#include "commands.h"
#include "gotrace/headless/server.h"
#include "gotrace/tracer/build_output.h"
#include "gotrace/tracer/go_build.h"
#include "progress_note.h"
#include "server_flags.h"

#include <boost/asio.hpp>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <optional>

namespace gotrace::cli {
namespace {

int fail(const std::string& msg) {
  std::fprintf(stderr, "Error: %s\n", msg.c_str());
  return 1;
}

}  // namespace

int run_headless(const std::string& mode, const std::vector<std::string>& args) {
  std::vector<FlagSpec> flags = server_flag_specs();
  flags.insert(flags.end(), {{"headless", 0, false},
                             {"api-version", 0},
                             {"accept-multiclient", 0, false},
                             {"continue", 0, false},
                             {"output", 'o'},
                             {"log", 0, false},
                             {"backend", 0}});
  auto parsed = parse_args(args, flags);
  if (!parsed) return fail(parsed.error().message);
  headless::ServerOptions so;
  if (auto r = read_server_flags(*parsed, so); !r) return fail(r.error().message);
  auto backend = backend_flag(*parsed);
  if (!backend) return fail(backend.error().message);
  if (!parsed->has("headless"))
    return fail("gotrace " + mode +
                " needs --headless: gotrace has no interactive terminal; connect with "
                "`dlv connect HOST:PORT` or a DAP client");
  if (auto r = read_int_flag(*parsed, "api-version", 1, 2, so.api_version); !r) return fail(r.error().message);
  so.accept_multiclient = parsed->has("accept-multiclient");

  // Refuse a bad --listen before building or starting anything.
  if (auto r = headless::check_listen(so); !r) return fail(r.error().message);

  debugger::TargetOptions to;
  to.backend = *backend;
  to.ring_bytes = so.ring_bytes;
  to.limits = so.limits;
  const auto& pos = parsed->positional;
  tracer::TempBuildOutput temp;
  if (mode == "attach") {
    if (pos.size() != 1) return fail("gotrace attach needs exactly one argument, the pid");
    auto n = parse_int_flag("pid", pos[0], 1, 1 << 30);
    if (!n) return fail("invalid pid \"" + pos[0] + "\"");
    to.attach_pid = static_cast<pid_t>(*n);
  } else if (mode == "exec") {
    if (pos.size() != 1) return fail("gotrace exec needs exactly one argument, the program");
    to.program = pos[0];
    to.args = parsed->passthrough;
  } else {  // debug
    if (pos.size() > 1) return fail("gotrace debug takes at most one argument, the package");
    std::string pkg = pos.empty() ? "." : pos[0];
    std::string out = parsed->get("output").value_or("");
    if (out.empty()) {
      auto t = tracer::TempBuildOutput::create();
      if (!t) return fail(t.error().message);
      temp = std::move(*t);
      out = temp.path();
    }
    auto built = tracer::go_build_for_debug({.package = pkg}, out);
    if (!built) return fail(built.error().message);
    to.program = out;
    to.args = parsed->passthrough;
  }
  std::optional<ProgressNote> note;
  note.emplace(to.attach_pid ? "attaching to process " + std::to_string(to.attach_pid) + " and reading its program"
                             : "loading " + to.program + " and its debug information");
  auto dbg = debugger::Debugger::create(to);
  note.reset();
  if (!dbg) return fail(dbg.error().message);
  report_backend((*dbg)->engine());
  boost::asio::io_context io;
  auto server = headless::Server::create(io, so, std::move(*dbg));
  if (!server) return fail(server.error().message);
  warn_if_exposed(so);
  std::printf("API server listening at: %s\n", (*server)->address().c_str());
  std::fflush(stdout);
  (*server)->start();
  io.run();
  return (*server)->exit_code();
}

}  // namespace gotrace::cli
