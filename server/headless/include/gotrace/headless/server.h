// The headless server: one TCP port serving Delve's JSON-RPC API v2 (and,
// by the first byte of a connection, DAP), driving one Debugger.
//
// Runs on one io_context thread. Sessions never block it: a client's
// `continue` waits asynchronously for the next tracepoint hit while the same
// and other connections keep being served.
#pragma once

#include "gotrace/debugger/debugger.h"
#include "gotrace/tracer/engine.h"
#include "gotrace/support/result.h"

#include <boost/asio/io_context.hpp>

#include <memory>
#include <optional>
#include <string>

namespace gotrace::headless {

struct ServerOptions {
  std::string listen = "127.0.0.1:0";
  bool accept_multiclient = false;
  int api_version = 1;               // Delve 1.20 defaults to 1; clients switch
  bool allow_non_loopback = false;   // --allow-non-loopback
  bool only_same_user = true;        // --only-same-user (Delve's default)
  // `gotrace dap`: serve one DAP client that launches or attaches itself
  // (the debugger may be null), then end.
  bool dap_only = false;
  bool stdio = false;                // dap_only over stdin/stdout, no port
  size_t max_message_bytes = 64u << 20;
  // The backend of a DAP launch/attach that names none (`gotrace dap
  // --backend`); GOTRACE_BACKEND's when unset.
  std::optional<tracer::BackendKind> backend;
  // The event ring of a DAP launch/attach (`gotrace dap --ring-size`).
  uint32_t ring_bytes = tracer::kDefaultRingBytes;
  // Probe and string limits of a DAP launch/attach (--max-probes,
  // --max-string-len).
  debugger::Limits limits;
  // --durations: JSON-RPC return hits also carry the call's duration
  // (durationNs, gotrace's own key); Delve has none, so by default neither.
  bool durations = false;
};

// Checks --listen (HOST:PORT, loopback unless allowed) without binding, so
// callers can refuse before starting a program.
Result<void> check_listen(const ServerOptions& opts);

class Server {
 public:
  static Result<std::unique_ptr<Server>> create(boost::asio::io_context& io,
                                                const ServerOptions& opts,
                                                std::unique_ptr<debugger::Debugger> dbg);
  ~Server();
  // "127.0.0.1:41234": the address actually bound (port 0 resolved); empty
  // for stdio.
  std::string address() const;
  // Starts accepting; returns at once. The io_context's run() returns when
  // the server has shut down (Detach, last client of a single-client server,
  // or stop()).
  void start();
  void stop();
  // The process exit code to use when the server ended.
  int exit_code() const;

  struct Impl;

 private:
  Server() = default;
  std::shared_ptr<Impl> impl_;
};

}  // namespace gotrace::headless
