// One client connection speaking Delve's JSON-RPC 1.0 stream (protocols.md
// §2): bare JSON values in, one response line per request out. Requests are
// handled concurrently so a pending `continue` never blocks `halt` or a
// non-blocking `State`; responses are written in completion order.
#pragma once

#include "server_impl.h"

namespace gotrace::headless {

// A method's answer: a JSON value, or its Go encoding already written (a
// reply too large to be worth building as a tree first).
struct ReplyBody {
  ReplyBody(json::value v) : value(std::move(v)) {}  // NOLINT: handlers return values
  static ReplyBody encoded(std::string text) {
    ReplyBody b(nullptr);
    b.text = std::move(text);
    return b;
  }
  json::value value;
  std::string text;  // non-empty: the result as written
};
using Reply = Result<ReplyBody>;

class RpcSession : public ClientSession, public std::enable_shared_from_this<RpcSession> {
 public:
  RpcSession(tcp::socket sock, std::shared_ptr<Server::Impl> srv);
  void start();
  void close();
  void close_after_flush() override;

  Server::Impl& server() { return *srv_; }
  debugger::Debugger& dbg() { return *srv_->dbg; }
  bool closed() const { return closed_; }

 private:
  asio::awaitable<void> run();
  asio::awaitable<void> write_loop();
  void handle(json::value request);
  void send(const json::value& id, const Reply& reply);
  void send_line(std::string line);

  tcp::socket sock_;
  std::shared_ptr<Server::Impl> srv_;
  std::deque<std::string> out_;
  asio::steady_timer out_signal_;
  bool closed_ = false;
  bool closing_ = false;
};

}  // namespace gotrace::headless
