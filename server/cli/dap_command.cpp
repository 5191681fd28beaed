// gotrace dap: a DAP server like `dlv dap` (one client, which launches or
// attaches), on a TCP port or on stdin/stdout for VS Code's executable mode.
#include "args.h"
#include "backend_flag.h"
#include "commands.h"
#include "server_flags.h"
#include "gotrace/headless/server.h"

#include <boost/asio.hpp>

#include <cstdio>

namespace gotrace::cli {

int run_dap(const std::vector<std::string>& args) {
  std::vector<FlagSpec> flags = server_flag_specs();
  flags.insert(flags.end(), {{"stdio", 0, false}, {"log", 0, false}, {"backend", 0}});
  auto parsed = parse_args(args, flags);
  if (!parsed) {
    std::fprintf(stderr, "Error: %s\n", parsed.error().message.c_str());
    return 1;
  }
  auto backend = backend_flag(*parsed);
  if (!backend) {
    std::fprintf(stderr, "Error: %s\n", backend.error().message.c_str());
    return 1;
  }
  if (!parsed->positional.empty()) {
    std::fprintf(stderr, "Error: gotrace dap takes no arguments; the client's launch or attach names the program\n");
    return 1;
  }
  headless::ServerOptions so;
  if (auto r = read_server_flags(*parsed, so); !r) {
    std::fprintf(stderr, "Error: %s\n", r.error().message.c_str());
    return 1;
  }
  so.dap_only = true;
  so.stdio = parsed->has("stdio");
  so.backend = *backend;
  boost::asio::io_context io;
  auto server = headless::Server::create(io, so, nullptr);
  if (!server) {
    std::fprintf(stderr, "Error: %s\n", server.error().message.c_str());
    return 1;
  }
  warn_if_exposed(so);
  if (!so.stdio) {
    std::printf("DAP server listening at: %s\n", (*server)->address().c_str());
    std::fflush(stdout);
  }
  (*server)->start();
  io.run();
  return (*server)->exit_code();
}

}  // namespace gotrace::cli
