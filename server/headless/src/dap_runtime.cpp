// threads, continue, pause, and what runs while the program does: its
// output and every tracepoint hit, as DAP output events.
#include "convert.h"
#include "dap_args.h"
#include "dap_hit_json.h"
#include "dap_session.h"
#include "gotrace/values/trace_format.h"


namespace gotrace::headless {
namespace {

namespace pdap = protocol::dap;

void threads(DapSession& s, int64_t seq, const json::object&) {
  json::array out;
  for (const auto& [id, fn] : s.goroutines_seen)
    out.push_back(json::object{{"id", id}, {"name", "[Go " + std::to_string(id) + "] " + fn}});
  // DAP clients expect at least one thread; the main goroutine always exists.
  if (out.empty()) out.push_back(json::object{{"id", 1}, {"name", "[Go 1]"}});
  s.respond(seq, "threads", json::object{{"threads", std::move(out)}});
}

void continue_(DapSession& s, int64_t seq, const json::object&) {
  s.respond(seq, "continue", json::object{{"allThreadsContinued", true}});
}

void pause(DapSession& s, int64_t seq, const json::object&) {
  s.respond(seq, "pause");
  s.output("console", "gotrace never stops the program: pause has no effect; hits keep printing.\n");
}

}  // namespace

void DapSession::emit_hit(const debugger::Hit& h) {
  auto it = prints.find(h.breakpoint);
  if (it == prints.end()) return;
  const BpPrint& p = it->second;
  const tracer::TraceEvent& ev = h.event;
  debugger::Debugger& d = *dbg();
  // A copy of the function the compiler inlined: the probe is a line in the
  // caller, the hit is that function's entry.
  bool inlined = !h.inlined_function.empty();
  const std::string& fn = inlined ? h.inlined_function : ev.function->function->name;
  goroutines_seen[static_cast<int64_t>(ev.goroutine)] = fn;
  bool is_ret = ev.kind == tracer::TraceEvent::Kind::ret;
  bool is_line = ev.kind == tracer::TraceEvent::Kind::line && !inlined;
  std::vector<values::Variable> vals = d.engine().load_values(ev, values::LoadConfig{});
  // At a line, the captured locals (what the logpoint reads) go apart from
  // the arguments the trace line prints.
  std::vector<values::Variable> locals;
  if (ev.kind == tracer::TraceEvent::Kind::line) {
    for (const auto& v : vals)
      if (!values::is_argument(v)) locals.push_back(v);
    // Results mid-body hold whatever was last stored; the trace line, like
    // Delve's, shows the arguments only.
    std::erase_if(vals, [](const values::Variable& v) { return (v.flags & values::kVarArgument) == 0; });
  }
  std::string text;
  if (p.kind == BpPrint::Kind::logpoint) {
    std::vector<std::string> subs;
    for (const auto& seg : p.message)
      if (seg.is_expr) {
        auto v = d.evaluate(seg.text, ev);
        subs.push_back(v ? values::single_line(*v) : "<" + v.error().message + ">");
      }
    text = "> [Go " + std::to_string(ev.goroutine) + "]: " + pdap::format_log_message(p.message, subs) + "\n";
  } else if (is_ret) {
    // The line as `dlv trace` prints it; the call's time is in the event's
    // data (duration_ns), not in its text.
    text = values::format_trace_return(static_cast<int64_t>(ev.goroutine), fn, vals, {});
  } else {
    text = values::format_trace_entry(static_cast<int64_t>(ev.goroutine), fn, vals, {});
  }
  // setTracepoints "stack": N: the frames the probe captured, printed once
  // under the line (Delve's block) and given as data.
  std::vector<tracer::Frame> stack;
  if (p.stack > 0) {
    bool truncated = false;
    stack = d.engine().stack(ev, &truncated);
    std::vector<values::StackFrame> frames;
    for (const tracer::Frame& fr : stack) frames.push_back({fr.pc, fr.function, fr.file, fr.line, ""});
    text += values::format_stack_block(frames, !truncated);
  }
  HitOutput out;
  out.text = text;
  out.file = h.file;
  out.line = h.line;
  out.goroutine = ev.goroutine;
  out.function = fn;
  out.kind = is_line ? "line" : is_ret ? "return" : "entry";
  out.wall_ns = ev.wall_ns;
  out.values = &vals;
  if (is_line) out.locals = &locals;
  out.duration_ns = ev.duration_ns;
  out.stack = &stack;
  out.with_data = trace_data;
  event_with_body("output", hit_output_body(out));
}

int DapSession::hit_owner() {
  debugger::Debugger* d = dbg();
  if (d && (!hit_owner_ || hit_owner_of_ != d)) {
    std::weak_ptr<DapSession> w = weak_from_this();
    hit_owner_ = d->add_hit_sink([w](debugger::Hit&& h) {
      if (auto s = w.lock()) s->on_hit(h);
    });
    hit_owner_of_ = d;
  }
  return hit_owner_;
}

void DapSession::on_hit(const debugger::Hit& h) {
  if (closed_) return;
  if (outq_bytes_ > kMaxQueuedBytes) {
    dropped_hits_++;
    return;
  }
  say_dropped();
  emit_hit(h);
}

void DapSession::say_dropped(bool however_full) {
  if (!dropped_hits_ || closed_ || (!however_full && outq_bytes_ >= kMaxQueuedBytes / 2)) return;
  uint64_t n = std::exchange(dropped_hits_, 0);
  output("console", "gotrace: " + std::to_string(n) +
                        " trace events were dropped: this client did not read them fast enough\n");
}

void DapSession::flush_hits() {
  debugger::Debugger* d = dbg();
  if (!d) return;
  // This session's hits reach on_hit as the engine is drained.
  srv_->pump();
  for (const std::string& text : d->take_notices()) output("console", text + "\n");
}

void DapSession::start_target_watch() {
  if (watching_) return;
  watching_ = true;
  auto self = shared_from_this();
  auto [out_fd, err_fd] = dbg()->take_output_fds();
  if (out_fd >= 0)
    asio::co_spawn(srv_->io, [self, fd = out_fd]() -> asio::awaitable<void> { co_await self->pipe_loop(fd, "stdout"); },
                   asio::detached);
  if (err_fd >= 0)
    asio::co_spawn(srv_->io, [self, fd = err_fd]() -> asio::awaitable<void> { co_await self->pipe_loop(fd, "stderr"); },
                   asio::detached);
  asio::co_spawn(srv_->io, [self]() -> asio::awaitable<void> { co_await self->hit_loop(); }, asio::detached);
}

asio::awaitable<void> DapSession::pipe_loop(int fd, std::string category) {
  auto self = shared_from_this();
  asio::posix::stream_descriptor pipe(srv_->io, fd);
  std::array<char, 8192> buf;
  for (;;) {
    auto [ec, n] = co_await pipe.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable));
    if (ec || n == 0) break;
    // Hits the program made before writing this are still in the ring:
    // deliver them first so the console keeps the program's order.
    flush_hits();
    output(category, std::string(buf.data(), n));
  }
}

asio::awaitable<void> DapSession::hit_loop() {
  auto self = shared_from_this();
  while (!closed_ && !closing_) {
    debugger::Debugger* d = dbg();
    if (!d) co_return;
    flush_hits();
    if (auto st = d->exit_status()) {
      // Whatever had to be dropped is said before the end, however full
      // the queue still is.
      say_dropped(/*however_full=*/true);
      // Let the program's last output reach the client before the exit.
      co_await asio::post(srv_->io, asio::use_awaitable);
      event("exited", json::object{{"exitCode", *st}});
      event("terminated", json::object{});
      co_return;
    }
    co_await srv_->stop_signal.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

void add_dap_runtime(std::map<std::string, DapHandler, std::less<>>& t) {
  t["threads"] = threads;
  t["continue"] = continue_;
  t["pause"] = pause;
}

}  // namespace gotrace::headless
