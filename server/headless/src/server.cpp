#include "server_impl.h"
#include "dap_session.h"
#include "client_user.h"
#include "peer_user.h"
#include "rpc_session.h"

#include <unistd.h>

#include <boost/asio/experimental/awaitable_operators.hpp>

#include <cstdio>

namespace gotrace::headless {

namespace {

Result<tcp::endpoint> parse_listen(const std::string& listen, bool allow_non_loopback) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos)
    return make_error(Errc::invalid_argument, "invalid --listen address \"" + listen + "\": expected HOST:PORT");
  std::string host = listen.substr(0, colon);
  std::string port = listen.substr(colon + 1);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty() || host == "localhost") host = "127.0.0.1";
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(host, ec);
  if (ec) return make_error(Errc::invalid_argument, "invalid --listen address \"" + listen + "\": " + ec.message());
  unsigned long p = 0;
  try {
    size_t used = 0;
    p = std::stoul(port, &used);
    if (used != port.size() || p > 65535) throw std::out_of_range("port");
  } catch (...) {
    return make_error(Errc::invalid_argument, "invalid --listen port \"" + port + "\"");
  }
  if (!addr.is_loopback() && !allow_non_loopback)
    return make_error(Errc::permission,
                      "refusing to listen on non-loopback address " + host +
                          ": anyone who can reach it could trace this program; pass "
                          "--allow-non-loopback to do it anyway");
  return tcp::endpoint(addr, static_cast<unsigned short>(p));
}

// Delve's demultiplexing: a DAP client starts with "Content-Length", anything
// else speaks JSON-RPC.
asio::awaitable<void> start_connection(std::shared_ptr<Server::Impl> srv, tcp::socket sock,
                                       std::optional<uid_t> client_uid) {
  char first = 0;
  auto [ec, n] = co_await sock.async_receive(asio::buffer(&first, 1), tcp::socket::message_peek,
                                             asio::as_tuple(asio::use_awaitable));
  if (ec || n != 1 || srv->shutting_down) co_return;
  if (first == 'C' || srv->dap_only) {
    auto session = make_dap_session(std::move(sock), srv, client_uid);
    srv->sessions.insert(session);
    start_dap_session(session);
  } else {
    auto session = std::make_shared<RpcSession>(std::move(sock), srv);
    srv->sessions.insert(session);
    session->start();
  }
}

asio::awaitable<void> accept_loop(std::shared_ptr<Server::Impl> srv) {
  for (;;) {
    auto [ec, sock] = co_await srv->acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    if (srv->shutting_down) co_return;
    boost::system::error_code e1, e2;
    auto local = sock.local_endpoint(e1), peer = sock.remote_endpoint(e2);
    bool local_peer = !e1 && !e2 && peer.address().is_loopback();
    std::optional<uid_t> uid;
    if (local_peer) uid = peer_uid(local, peer);
    if (srv->opts.only_same_user) {
      // Delve's --only-same-user: a local user other than us must not drive
      // a tracer running with our privileges. Remote peers have no entry.
      if (local_peer && uid != geteuid()) {
        std::fprintf(stderr, "gotrace: closing connection from %s: not the same user (uid %s)\n",
                     peer.address().to_string().c_str(),
                     uid ? std::to_string(*uid).c_str() : "unknown");
        sock.close(e1);
        continue;
      }
    }
    srv->connections++;
    // A loopback peer whose user is not found must not act as us.
    if (local_peer && !uid) uid = kUnknownLocalUser;
    asio::co_spawn(srv->io, start_connection(srv, std::move(sock), uid), asio::detached);
    // Without --accept-multiclient Delve serves exactly one connection, and
    // `dlv dap` always serves one.
    if (!srv->opts.accept_multiclient || srv->opts.dap_only) {
      boost::system::error_code ignore;
      srv->acceptor.close(ignore);
      co_return;
    }
  }
}

}  // namespace

Result<void> check_listen(const ServerOptions& opts) {
  if (opts.stdio) return {};
  auto ep = parse_listen(opts.listen, opts.allow_non_loopback);
  if (!ep) return ep.error();
  return {};
}

Result<std::unique_ptr<Server>> Server::create(asio::io_context& io, const ServerOptions& opts,
                                               std::unique_ptr<debugger::Debugger> dbg) {
  std::unique_ptr<Server> s(new Server());
  s->impl_ = std::make_shared<Impl>(io, opts, std::move(dbg));
  s->impl_->api_version = opts.api_version;
  s->impl_->dap_only = opts.dap_only;
  if (opts.stdio) return s;
  auto ep = parse_listen(opts.listen, opts.allow_non_loopback);
  if (!ep) return ep.error();
  boost::system::error_code ec;
  auto& acc = s->impl_->acceptor;
  acc.open(ep->protocol(), ec);
  if (!ec) acc.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acc.bind(*ep, ec);
  if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return make_error(Errc::io, "cannot listen on " + opts.listen + ": " + ec.message());
  return s;
}

Server::~Server() {
  if (impl_) impl_->shutdown(true);
}

std::string Server::address() const {
  if (!impl_->acceptor.is_open()) return "";
  auto ep = impl_->acceptor.local_endpoint();
  std::string host = ep.address().to_string();
  if (ep.address().is_v6()) host = "[" + host + "]";
  return host + ":" + std::to_string(ep.port());
}

void Server::start() {
  impl_->start_pumping();
  auto self = impl_;
  impl_->signals.async_wait([self](const boost::system::error_code& ec, int) {
    if (!ec) self->interrupted();
  });
  if (impl_->opts.stdio) {
    auto session = std::make_shared<DapSession>(impl_, nullptr);
    impl_->sessions.insert(session);
    session->start_stdio();
    return;
  }
  asio::co_spawn(impl_->io, accept_loop(impl_), asio::detached);
}

void Server::stop() { impl_->shutdown(true); }

int Server::exit_code() const { return impl_->exit_code; }

void Server::Impl::start_pumping() {
  // Hits arrive without wakeups (batched in the kernel): drain on a short
  // timer; the process's exit is watched through its pidfd.
  auto self = shared_from_this();
  asio::co_spawn(
      io,
      [self]() -> asio::awaitable<void> {
        while (!self->shutting_down) {
          self->pump();
          self->pump_timer.expires_after(std::chrono::milliseconds(5));
          auto [ec] = co_await self->pump_timer.async_wait(asio::as_tuple(asio::use_awaitable));
          if (ec) co_return;
        }
      },
      asio::detached);
}

void Server::Impl::pump() {
  if (!dbg) return;
  if (dbg->pump()) notify();
}

void Server::Impl::notify() {
  stop_signal.cancel();
  stop_signal.expires_at(asio::steady_timer::time_point::max());
}

void Server::Impl::session_ended(const std::shared_ptr<ClientSession>& s) {
  sessions.erase(s);
  if ((!opts.accept_multiclient || opts.dap_only) && !shutting_down) {
    // Like Delve: the single client leaving ends the server; a launched
    // target dies with it, an attached one is left running.
    shutdown(true);
  }
}

void Server::Impl::interrupted() {
  if (shutting_down) return;
  std::string report;
  if (dbg && !dbg->exit_status()) {
    // As `gotrace trace` says it: a launched program dies with us.
    report = "gotrace: interrupted; " + std::string(dbg->launched() ? "killed" : "detached from") + " process " +
             std::to_string(dbg->pid());
    std::fprintf(stderr, "%s\n", report.c_str());
  }
  if (!dbg || !dbg->exit_status())
    for (const auto& s : sessions) s->interrupted(report);
  shutdown(true);
}

void Server::Impl::shutdown(bool kill) {
  if (shutting_down) return;
  shutting_down = true;
  boost::system::error_code ignore;
  acceptor.close(ignore);
  pump_timer.cancel();
  signals.cancel(ignore);
  for (const auto& s : std::set<std::shared_ptr<ClientSession>>(sessions)) s->close_after_flush();
  sessions.clear();
  if (dbg) dbg->terminate(kill);
  notify();
}

}  // namespace gotrace::headless
