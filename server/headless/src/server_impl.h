// Internals shared by the listener, the sessions and the method handlers.
#pragma once

#include "gotrace/headless/server.h"

#include <boost/asio.hpp>
#include <boost/json.hpp>

#include <deque>
#include <functional>
#include <memory>
#include <set>
#include <string>

namespace gotrace::headless {

namespace asio = boost::asio;
namespace json = boost::json;
using asio::ip::tcp;

// A client connection of either protocol.
class ClientSession {
 public:
  virtual ~ClientSession() = default;
  // Closes once every queued message has been written.
  virtual void close_after_flush() = 0;
  // gotrace got SIGINT/SIGTERM and is ending: tell the client, if its
  // protocol can (`report` may be empty: no program to report on).
  virtual void interrupted(const std::string& /*report*/) {}
};

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
  Impl(asio::io_context& io, const ServerOptions& o, std::unique_ptr<debugger::Debugger> d)
      : io(io), opts(o), dbg(std::move(d)), acceptor(io), pump_timer(io), stop_signal(io),
        signals(io, SIGINT, SIGTERM) {
    stop_signal.expires_at(asio::steady_timer::time_point::max());
  }

  asio::io_context& io;
  ServerOptions opts;
  std::unique_ptr<debugger::Debugger> dbg;
  tcp::acceptor acceptor;
  asio::steady_timer pump_timer;
  // Never expires: cancelled to wake every coroutine waiting for a stop
  // (hits, exit, halt), then re-armed.
  asio::steady_timer stop_signal;
  // SIGINT/SIGTERM end the server cleanly (probes removed, a launched
  // target killed).
  asio::signal_set signals;
  std::set<std::shared_ptr<ClientSession>> sessions;
  // `gotrace dap`: one DAP session, then the server ends; DAP launches and
  // attaches install the debugger here.
  bool dap_only = false;
  bool shutting_down = false;
  int exit_code = 0;
  int connections = 0;
  // A client asked to halt: pending continues return a plain stop. The
  // program itself keeps running (it is never stopped for a tracepoint).
  bool halted = false;
  bool exit_reported = false;  // a continue has answered with the exit
  int api_version = 1;

  void start_pumping();
  void pump();
  void notify();
  void session_ended(const std::shared_ptr<ClientSession>& s);
  // Ends the server: closes every connection; kills a launched target or
  // leaves an attached one running, as `kill` says.
  void shutdown(bool kill);
  // A signal's end: says what becomes of the program (stderr, clients),
  // then shutdown(true).
  void interrupted();
};

}  // namespace gotrace::headless
