// State and Command: Delve's stop/continue model over a program that is
// never stopped. A `continue` answers with the next queued tracepoint hits
// as if the program had stopped there ("virtual stops"); it waits only when
// nothing is queued.
#include "convert.h"
#include "rpc_methods.h"

namespace gotrace::headless {
namespace {

// Hits per answer: the client prints every thread of a stop and continues,
// so batching saves round trips without changing what it shows.
constexpr size_t kHitsPerStop = 64;

json::value state_result(const rpc::DebuggerState& st) {
  return json::object{{"State", rpc::to_json(st)}};
}

asio::awaitable<void> wait_for_news(Server::Impl& srv) {
  co_await srv.stop_signal.async_wait(asio::as_tuple(asio::use_awaitable));
}

}  // namespace

void add_execution_methods(MethodTable& t) {
  t["State"] = [](RpcSession& s, const json::object&) -> asio::awaitable<Reply> {
    Server::Impl& srv = s.server();
    srv.pump();
    if (s.dbg().exit_status()) co_return rpc_error(s.dbg().exit_message());
    if (!s.dbg().started() || srv.halted) co_return state_result(idle_state(s.dbg()));
    co_return state_result(running_state());
  };
  t["Command"] = [](RpcSession& s, const json::object& p) -> asio::awaitable<Reply> {
    json::value pv(p);
    auto cmd = rpc::from_json<rpc::DebuggerCommand>(pv);
    if (!cmd) co_return cmd.error();
    Server::Impl& srv = s.server();
    debugger::Debugger& dbg = s.dbg();
    if (cmd->name == "halt") {
      srv.halted = true;
      srv.notify();
      // Let a pending continue answer first, as Delve does.
      co_await asio::post(srv.io, asio::use_awaitable);
      if (dbg.exit_status()) co_return rpc_error(dbg.exit_message());
      co_return state_result(idle_state(dbg));
    }
    if (cmd->name != "continue")
      co_return rpc_error("command \"" + cmd->name +
                          "\" is not supported by gotrace: the program is never stopped; "
                          "tracepoint hits arrive through continue");
    if (srv.exit_reported) co_return rpc_error(dbg.exit_message());
    srv.halted = false;
    if (auto r = dbg.resume(); !r) co_return r.error();
    std::optional<values::LoadConfig> ret_cfg;
    if (cmd->ReturnInfoLoadConfig) ret_cfg = from_rpc(*cmd->ReturnInfoLoadConfig);
    for (;;) {
      srv.pump();
      if (dbg.has_hits())
        co_return state_result(stop_state(dbg, dbg.take_hits(kHitsPerStop), ret_cfg, srv.opts.durations));
      if (dbg.exit_status()) {
        srv.exit_reported = true;
        co_return state_result(exited_state(dbg));
      }
      if (srv.halted) co_return state_result(idle_state(dbg));
      if (s.closed() || srv.shutting_down) co_return rpc_error("the connection is closing");
      co_await wait_for_news(srv);
    }
  };
  t["Restart"] = [](RpcSession& s, const json::object& p) -> asio::awaitable<Reply> {
    json::value pv(p);
    rpc::ReadContext ctx("Restart");
    std::optional<std::vector<std::string>> args;
    bool reset_args = false, rebuild = false;
    rpc::ObjectReader(pv, ctx).field("ResetArgs", reset_args).field("NewArgs", args).field("Rebuild", rebuild);
    if (ctx.failed()) co_return ctx.error();
    if (rebuild) co_return rpc_error("Restart with Rebuild is not supported by gotrace");
    Server::Impl& srv = s.server();
    auto discarded = s.dbg().restart(reset_args ? args : std::nullopt);
    if (!discarded) co_return discarded.error();
    srv.exit_reported = false;
    srv.halted = false;
    srv.notify();
    json::array out;
    for (const auto& d : *discarded)
      out.push_back(json::object{{"Breakpoint", rpc::to_json(to_rpc(d.bp, s.dbg()))},
                                 {"Reason", d.reason}});
    co_return json::value(json::object{{"DiscardedBreakpoints", std::move(out)}});
  };
}

}  // namespace gotrace::headless
