#include "rpc_session.h"

#include "rpc_methods.h"

#include <cstdio>

namespace gotrace::headless {

RpcSession::RpcSession(tcp::socket sock, std::shared_ptr<Server::Impl> srv)
    : sock_(std::move(sock)), srv_(std::move(srv)), out_signal_(sock_.get_executor()) {
  out_signal_.expires_at(asio::steady_timer::time_point::max());
}

void RpcSession::start() {
  auto self = shared_from_this();
  asio::co_spawn(sock_.get_executor(), [self]() -> asio::awaitable<void> { co_await self->run(); },
                 asio::detached);
  asio::co_spawn(sock_.get_executor(),
                 [self]() -> asio::awaitable<void> { co_await self->write_loop(); },
                 asio::detached);
}

void RpcSession::close() {
  if (closed_) return;
  closed_ = true;
  boost::system::error_code ignore;
  sock_.shutdown(tcp::socket::shutdown_both, ignore);
  sock_.close(ignore);
  out_signal_.cancel();
}

void RpcSession::close_after_flush() {
  closing_ = true;
  if (out_.empty()) close();
  else out_signal_.cancel_one();
}

asio::awaitable<void> RpcSession::run() {
  auto self = shared_from_this();
  // Delve's demultiplexing: a DAP client starts with "Content-Length".
  char first = 0;
  auto [pec, pn] = co_await sock_.async_receive(asio::buffer(&first, 1), tcp::socket::message_peek,
                                                asio::as_tuple(asio::use_awaitable));
  if (!pec && pn == 1 && first == 'C') {
    std::fprintf(stderr, "gotrace: DAP connections are not supported on this port yet\n");
    close();
    srv_->session_ended(self);
    co_return;
  }
  json::stream_parser parser;
  size_t value_bytes = 0;
  std::array<char, 16384> buf;
  while (!closed_) {
    auto [ec, n] = co_await sock_.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
    if (ec || n == 0) break;
    size_t pos = 0;
    while (pos < n && !closed_) {
      // Bytes between values (whitespace) are skipped by the parser itself
      // only inside a value; skip them here so an idle newline is harmless.
      if (value_bytes == 0) {
        while (pos < n && (buf[pos] == ' ' || buf[pos] == '\n' || buf[pos] == '\r' || buf[pos] == '\t')) pos++;
        if (pos == n) break;
      }
      boost::system::error_code perr;
      size_t used = parser.write_some(buf.data() + pos, n - pos, perr);
      pos += used;
      value_bytes += used;
      if (perr) {
        // The stream cannot be resynchronized after a syntax error: answer
        // once (Delve would hang instead) and close.
        send(nullptr, rpc_error("malformed JSON-RPC request: " + perr.message()));
        co_await asio::post(sock_.get_executor(), asio::use_awaitable);
        close();
        break;
      }
      if (value_bytes > srv_->opts.max_message_bytes) {
        std::fprintf(stderr, "gotrace: closing a connection: message larger than %zu bytes\n",
                     srv_->opts.max_message_bytes);
        close();
        break;
      }
      if (parser.done()) {
        json::value v = parser.release();
        parser.reset();
        value_bytes = 0;
        handle(std::move(v));
      }
    }
  }
  close();
  srv_->session_ended(self);
}

void RpcSession::handle(json::value request) {
  json::value id = nullptr;
  auto* obj = request.if_object();
  if (!obj) {
    send(nullptr, rpc_error("invalid request: expected a JSON object, got " +
                            std::string(json::to_string(request.kind()))));
    return;
  }
  if (auto* idv = obj->if_contains("id")) id = *idv;
  auto* m = obj->if_contains("method");
  if (!m || !m->is_string()) {
    send(id, rpc_error("invalid request: missing \"method\""));
    return;
  }
  std::string method(m->get_string());
  auto* params = obj->if_contains("params");
  json::object args;
  if (!params) {
    send(id, rpc_error("invalid request: missing \"params\" (an array of one object)"));
    return;
  }
  if (!params->is_array()) {
    send(id, rpc_error("invalid request: \"params\" must be an array of one object, got " +
                       std::string(json::to_string(params->kind()))));
    return;
  }
  const json::array& pa = params->get_array();
  if (!pa.empty()) {
    if (!pa[0].is_object()) {
      send(id, rpc_error("invalid request: \"params\"[0] must be an object, got " +
                         std::string(json::to_string(pa[0].kind()))));
      return;
    }
    args = pa[0].get_object();
  }
  const MethodTable& table = rpc_methods();
  std::string_view name = method;
  if (name.rfind("RPCServer.", 0) == 0) name.remove_prefix(10);
  auto it = table.find(name);
  if (it == table.end() || method.rfind("RPCServer.", 0) != 0) {
    send(id, rpc_error("unknown method: " + method));
    return;
  }
  auto self = shared_from_this();
  const Method& fn = it->second;
  asio::co_spawn(
      sock_.get_executor(),
      [self, &fn, id, args = std::move(args)]() -> asio::awaitable<void> {
        Reply r = co_await fn(*self, args);
        self->send(id, r);
      },
      [self, id](std::exception_ptr e) {
        // The one catch-all of a request: answer, log, keep serving.
        if (!e) return;
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          std::fprintf(stderr, "gotrace: internal error: %s\n", ex.what());
          self->send(id, rpc_error(std::string("internal error: ") + ex.what()));
        }
      });
}

void RpcSession::send(const json::value& id, const Reply& reply) {
  json::object o;
  o["id"] = id;
  if (reply) {
    o["result"] = *reply;
    o["error"] = nullptr;
  } else {
    o["result"] = nullptr;
    o["error"] = reply.error().message;
  }
  send_line(json::serialize(o) + "\n");
}

void RpcSession::send_line(std::string line) {
  if (closed_) return;
  out_.push_back(std::move(line));
  out_signal_.cancel_one();
}

asio::awaitable<void> RpcSession::write_loop() {
  auto self = shared_from_this();
  while (!closed_) {
    if (out_.empty()) {
      if (closing_) {
        close();
        co_return;
      }
      co_await out_signal_.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    std::string line = std::move(out_.front());
    out_.pop_front();
    auto [ec, n] = co_await asio::async_write(sock_, asio::buffer(line), asio::as_tuple(asio::use_awaitable));
    if (ec) {
      close();
      co_return;
    }
  }
}

}  // namespace gotrace::headless
