#include "rpc_session.h"

#include "gotrace/protocol/rpc/framing.h"
#include "gotrace/protocol/rpc/json_read.h"
#include "gotrace/protocol/rpc/message.h"
#include "rpc_methods.h"

#include <cstdio>

namespace gotrace::headless {

namespace rpc = protocol::rpc;

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
  // A continue of this session may be waiting for hits: let it see the close.
  srv_->notify();
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
  rpc::StreamDecoder decoder(srv_->opts.max_message_bytes);
  std::array<char, 16384> buf;
  while (!closed_) {
    auto [ec, n] = co_await sock_.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
    if (ec || n == 0) break;
    decoder.feed(std::string_view(buf.data(), n));
    for (;;) {
      auto v = decoder.next();
      if (!v) {
        // Oversized or malformed: the stream cannot be resynchronized.
        // Answer once (Delve would hang instead), then close.
        std::fprintf(stderr, "gotrace: closing a JSON-RPC connection: %s\n",
                     v.error().message.c_str());
        send(nullptr, rpc_error("invalid JSON-RPC stream: " + v.error().message));
        close_after_flush();
        break;
      }
      if (!*v) break;
      handle(std::move(**v));
    }
    if (closing_) break;
  }
  if (!closing_) close();
  while (!closed_) {
    // Let the writer flush the last answer.
    co_await asio::post(sock_.get_executor(), asio::use_awaitable);
  }
  srv_->session_ended(self);
}

void RpcSession::handle(json::value message) {
  rpc::Request req = rpc::parse_request(message);
  if (req.error) {
    send(req.id, rpc_error(*req.error));
    return;
  }
  json::value id = req.id;
  std::string method = req.method;
  json::object args = req.params.is_object() ? req.params.get_object() : json::object{};
  if (!req.params.is_object() && !req.params.is_null()) {
    send(id, rpc_error("invalid request: params[0] must be an object, got " +
                       std::string(rpc::json_kind_name(req.params))));
    return;
  }
  const MethodTable& table = rpc_methods();
  std::string_view name = method;
  if (name.rfind("RPCServer.", 0) == 0) name.remove_prefix(10);
  auto it = table.find(name);
  if (it == table.end() || method.rfind("RPCServer.", 0) != 0) {
    if (method.rfind("RPCServer.", 0) == 0 && is_delve_method(name))
      send(id, rpc_error(method + " is not supported by gotrace: it is a trace server and "
                                  "never stops the program"));
    else
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
  if (!reply)
    send_line(rpc::encode_error(id, reply.error().message));
  else if (!reply->text.empty())
    send_line(rpc::encode_result_text(id, reply->text));
  else
    send_line(rpc::encode_result(id, reply->value));
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
