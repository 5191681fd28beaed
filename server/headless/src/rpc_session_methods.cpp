// Session-level methods: versions, identity, lifecycle.
#include "gotrace/protocol/rpc/json_read.h"
#include "gotrace/values/trace_format.h"
#include "rpc_methods.h"

#include <sys/stat.h>


namespace gotrace::headless {

namespace rpc = protocol::rpc;

void add_session_methods(MethodTable& t) {
  t["GetVersion"] = [](RpcSession& s, const json::object&) -> asio::awaitable<Reply> {
    json::object r;
    r["DelveVersion"] = "Version: 1.20.2\nBuild: gotrace";
    r["APIVersion"] = s.server().api_version;
    r["Backend"] = std::string(tracer::backend_name(s.dbg().engine().backend()));
    r["TargetGoVersion"] = "";
    r["MinSupportedVersionOfGo"] = "1.18.0";
    r["MaxSupportedVersionOfGo"] = "1.20.0";
    co_return json::value(r);
  };
  t["SetApiVersion"] = [](RpcSession& s, const json::object& p) -> asio::awaitable<Reply> {
    json::value pv(p);
    rpc::ReadContext ctx("SetApiVersion");
    int64_t n = 0;
    rpc::ObjectReader(pv, ctx).field("APIVersion", n);
    if (ctx.failed()) co_return ctx.error();
    if (n > 2) co_return rpc_error("unknown API version");
    s.server().api_version = n < 2 ? 1 : 2;
    co_return json::value(json::object{});
  };
  t["IsMulticlient"] = [](RpcSession& s, const json::object&) -> asio::awaitable<Reply> {
    co_return json::value(json::object{{"IsMulticlient", s.server().opts.accept_multiclient}});
  };
  t["ProcessPid"] = [](RpcSession& s, const json::object&) -> asio::awaitable<Reply> {
    co_return json::value(json::object{{"Pid", s.dbg().pid()}});
  };
  t["LastModified"] = [](RpcSession& s, const json::object&) -> asio::awaitable<Reply> {
    struct stat st {};
    if (stat(s.dbg().program().c_str(), &st) != 0)
      co_return rpc_error("cannot stat " + s.dbg().program());
    int64_t ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    co_return json::value(json::object{{"Time", values::format_rfc3339_nano(ns, 0)}});
  };
  t["Recorded"] = [](RpcSession&, const json::object&) -> asio::awaitable<Reply> {
    co_return json::value(json::object{{"Recorded", false}, {"TraceDirectory", ""}});
  };
  t["AttachedToExistingProcess"] = [](RpcSession& s, const json::object&) -> asio::awaitable<Reply> {
    co_return json::value(json::object{{"Answer", !s.dbg().launched()}});
  };
  t["FollowExecEnabled"] = [](RpcSession&, const json::object&) -> asio::awaitable<Reply> {
    co_return json::value(json::object{{"Enabled", false}});
  };
  // Delve HEAD's client long-polls GetEvents while a Command is pending and
  // stops polling on the first error; an answer that never came would hang
  // every continue, so refuse at once.
  t["GetEvents"] = [](RpcSession&, const json::object&) -> asio::awaitable<Reply> {
    co_return rpc_error("GetEvents is not supported by gotrace: poll State or Command instead");
  };
  t["Detach"] = [](RpcSession& s, const json::object& p) -> asio::awaitable<Reply> {
    json::value pv(p);
    rpc::ReadContext ctx("Detach");
    bool k = false;
    rpc::ObjectReader(pv, ctx).field("Kill", k);
    if (ctx.failed()) co_return ctx.error();
    auto srv = s.server().shared_from_this();
    // Answer first, then end everything (Delve closes every connection).
    asio::post(srv->io, [srv, k] { srv->shutdown(k); });
    co_return json::value(json::object{});
  };
}

}  // namespace gotrace::headless
