#include "dap_session.h"

#include "gotrace/protocol/dap/framing.h"
#include "gotrace/protocol/dap/message.h"

#include <unistd.h>

#include <cstdio>
#include <set>

namespace gotrace::headless {

namespace dap = protocol::dap;

DapSession::DapSession(std::shared_ptr<Server::Impl> srv, std::function<void()> on_close)
    : srv_(std::move(srv)), on_close_(std::move(on_close)), out_signal_(srv_->io) {
  out_signal_.expires_at(asio::steady_timer::time_point::max());
}

std::shared_ptr<DapSession> make_dap_session(tcp::socket sock, std::shared_ptr<Server::Impl> srv,
                                             std::optional<uid_t> client_uid) {
  auto s = std::make_shared<DapSession>(srv, nullptr);
  s->client_uid = client_uid;
  s->start_tcp(std::move(sock));
  return s;
}

void start_dap_session(const std::shared_ptr<DapSession>&) {}

void DapSession::start_tcp(tcp::socket sock) {
  sock_.emplace(std::move(sock));
  // Started once the caller holds the shared_ptr.
  asio::post(srv_->io, [this] {
    auto self = shared_from_this();
    asio::co_spawn(srv_->io, [self]() -> asio::awaitable<void> { co_await self->read_loop(); }, asio::detached);
    asio::co_spawn(srv_->io, [self]() -> asio::awaitable<void> { co_await self->write_loop(); }, asio::detached);
  });
}

void DapSession::start_stdio() {
  in_.emplace(srv_->io, ::dup(STDIN_FILENO));
  out_.emplace(srv_->io, ::dup(STDOUT_FILENO));
  auto self = shared_from_this();
  asio::co_spawn(srv_->io, [self]() -> asio::awaitable<void> { co_await self->read_loop(); }, asio::detached);
  asio::co_spawn(srv_->io, [self]() -> asio::awaitable<void> { co_await self->write_loop(); }, asio::detached);
}

void DapSession::close() {
  if (closed_) return;
  closed_ = true;
  boost::system::error_code ignore;
  if (sock_) {
    sock_->shutdown(tcp::socket::shutdown_both, ignore);
    sock_->close(ignore);
  }
  if (in_) in_->close(ignore);
  if (out_) out_->close(ignore);
  out_signal_.cancel();
  srv_->notify();
}

void DapSession::close_after_flush() {
  closing_ = true;
  out_signal_.cancel_one();
}

void DapSession::interrupted(const std::string& report) {
  if (!report.empty()) output("console", report + "\n");
  event("terminated", json::object{});
}

asio::awaitable<void> DapSession::read_loop() {
  auto self = shared_from_this();
  dap::FrameDecoder decoder(srv_->opts.max_message_bytes);
  std::array<char, 16384> buf;
  while (!closed_ && !closing_) {
    boost::system::error_code ec;
    size_t n = 0;
    if (sock_)
      std::tie(ec, n) = co_await sock_->async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
    else
      std::tie(ec, n) = co_await in_->async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
    if (ec || n == 0) break;
    decoder.feed(std::string_view(buf.data(), n));
    for (;;) {
      auto v = decoder.next();
      if (!v) {
        // Framing cannot be recovered: say so in the console, then close.
        output("stderr", "gotrace: closing the DAP connection: " + v.error().message + "\n");
        close_after_flush();
        break;
      }
      if (!*v) break;
      dispatch(std::move(**v));
      if (closing_) break;  // nothing after a fatal message is read
    }
  }
  if (!closing_) close_after_flush();
  while (!closed_) co_await asio::post(srv_->io, asio::use_awaitable);
  release();
  srv_->session_ended(self);
  if (on_close_) on_close_();
}

asio::awaitable<void> DapSession::write_loop() {
  auto self = shared_from_this();
  while (!closed_) {
    if (outq_.empty()) {
      if (closing_) {
        close();
        co_return;
      }
      co_await out_signal_.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    // Everything queued goes out in one gathered write (up to a bound): a
    // send per frame cost more than encoding the hit did when hits arrive
    // by the hundred thousand per second.
    std::vector<std::string> batch;
    std::vector<asio::const_buffer> buffers;
    size_t bytes = 0;
    while (!outq_.empty() && batch.size() < kMaxFramesPerWrite && bytes < kMaxBytesPerWrite) {
      bytes += outq_.front().size();
      batch.push_back(std::move(outq_.front()));
      outq_.pop_front();
    }
    outq_bytes_ -= bytes;
    for (const std::string& f : batch) buffers.push_back(asio::buffer(f));
    say_dropped();
    boost::system::error_code ec;
    size_t n = 0;
    if (sock_)
      std::tie(ec, n) = co_await asio::async_write(*sock_, buffers, asio::as_tuple(asio::use_awaitable));
    else
      std::tie(ec, n) = co_await asio::async_write(*out_, buffers, asio::as_tuple(asio::use_awaitable));
    if (ec) {
      close();
      co_return;
    }
  }
}

void DapSession::send(json::object msg) { queue(dap::encode_frame(msg)); }

void DapSession::queue(std::string frame) {
  if (closed_) return;
  outq_bytes_ += frame.size();
  outq_.push_back(std::move(frame));
  out_signal_.cancel_one();
}

void DapSession::respond(int64_t request_seq, const std::string& command, json::value body) {
  send(dap::make_response(++seq_, request_seq, command, true, std::nullopt, std::move(body)));
}

void DapSession::fail(int64_t request_seq, const std::string& command, const std::string& message,
                      int id, const std::string& format, bool show_user) {
  send(dap::make_error_response(++seq_, request_seq, command, message, id, format, show_user));
}

void DapSession::event(const std::string& name, json::value body) {
  send(dap::make_event(++seq_, name, std::move(body)));
}

void DapSession::event_with_body(std::string_view name, std::string_view body_json) {
  queue(dap::encode_event_frame(++seq_, name, body_json));
}

void DapSession::output(const std::string& category, const std::string& text, json::value extra) {
  json::object body{{"category", category}, {"output", text}};
  if (auto* o = extra.if_object())
    for (auto& kv : *o) body[kv.key()] = kv.value();
  event("output", std::move(body));
}

void DapSession::release() {
  if (debugger::Debugger* d = dbg()) {
    if (hit_owner_ && hit_owner_of_ == d) d->remove_hit_sink(hit_owner_);
    for (auto* ids : {&function_bps, &tracepoint_bps, &console_bps})
      for (int id : *ids) (void)d->clear_breakpoint(id, "");
    for (auto& [path, ids] : source_bps)
      for (int id : ids) (void)d->clear_breakpoint(id, "");
  }
  hit_owner_ = 0;
  hit_owner_of_ = nullptr;
  function_bps.clear();
  tracepoint_bps.clear();
  console_bps.clear();
  source_bps.clear();
  prints.clear();
  built = {};
}

void DapSession::dispatch(json::value message) {
  if (!message.is_object()) {
    // Not a DAP message at all: nothing to answer to (no seq), so say why
    // and close, as for a framing error.
    output("stderr", "gotrace: closing the DAP connection: a message must be a JSON object, got " +
                         std::string(json::to_string(message.kind())) + "\n");
    close_after_flush();
    return;
  }
  auto req = dap::parse_request(message);
  if (!req) {
    int64_t seq = dap::peek_seq(message).value_or(0);
    fail(seq, "", "Invalid request", 1001, "Invalid request: " + req.error().message, false);
    return;
  }
  const auto& table = dap_handlers();
  auto it = table.find(req->command);
  if (it == table.end()) {
    // The protocol's other requests (stackTrace, scopes, variables, next,
    // ...) need a stopped program: Delve's answers while it runs, which
    // with gotrace is always; before a launch, Delve's answer then.
    static const std::set<std::string, std::less<>> kDapRequests = {
        "attach", "breakpointLocations", "cancel", "completions", "configurationDone", "continue",
        "dataBreakpointInfo", "disassemble", "disconnect", "evaluate", "exceptionInfo", "goto", "gotoTargets",
        "initialize", "launch", "loadedSources", "locations", "modules", "next", "pause", "readMemory", "restart",
        "restartFrame", "reverseContinue", "scopes", "setBreakpoints", "setDataBreakpoints",
        "setExceptionBreakpoints", "setExpression", "setFunctionBreakpoints", "setInstructionBreakpoints",
        "setVariable", "source", "stackTrace", "stepBack", "stepIn", "stepInTargets", "stepOut", "terminate",
        "terminateThreads", "threads", "variables", "writeMemory"};
    if (!kDapRequests.contains(req->command)) {
      fail(req->seq, "", "Internal Error", 8888,
           "Internal Error: Request command '" + req->command + "' is not supported (seq: " +
               std::to_string(req->seq) + ")",
           false);
    } else if (dbg()) {
      fail(req->seq, req->command, "Unable to process `" + req->command + "`", 4000,
           "Unable to process `" + req->command + "`: debuggee is running", false);
    } else {
      fail(req->seq, req->command, "No debug session started", 3000,
           "No debug session started: Use launch or attach request first.", true);
    }
    return;
  }
  static const json::object empty;
  const json::object& args = req->arguments.is_object() ? req->arguments.get_object() : empty;
  it->second(*this, req->seq, args);
}

const std::map<std::string, DapHandler, std::less<>>& dap_handlers() {
  static const auto table = [] {
    std::map<std::string, DapHandler, std::less<>> t;
    add_dap_lifecycle(t);
    add_dap_breakpoints(t);
    add_dap_runtime(t);
    add_dap_console(t);
    return t;
  }();
  return table;
}

}  // namespace gotrace::headless
