// Breakpoints (every one a tracepoint in effect) and the eBPF-style buffer.
#include "convert.h"
#include "rpc_methods.h"

namespace gotrace::headless {
namespace {

struct IdOrName {
  int64_t id = 0;
  std::string name;
};

Result<IdOrName> read_id(const json::object& p, const char* method) {
  json::value pv(p);
  rpc::ReadContext ctx(method);
  IdOrName r;
  rpc::ObjectReader(pv, ctx).field("Id", r.id).field("Name", r.name);
  if (ctx.failed()) return ctx.error();
  return r;
}

json::value bp_result(RpcSession& s, const debugger::Breakpoint& bp) {
  return json::object{{"Breakpoint", rpc::to_json(to_rpc(bp, s.dbg()))}};
}

}  // namespace

void add_breakpoint_methods(MethodTable& t) {
  t["CreateBreakpoint"] = [](RpcSession& s, const json::object& p) -> asio::awaitable<Reply> {
    json::value pv(p);
    rpc::ReadContext ctx("CreateBreakpoint");
    std::optional<rpc::Breakpoint> bp;
    std::string loc_expr;
    rpc::ObjectReader(pv, ctx).field("Breakpoint", bp).field("LocExpr", loc_expr);
    if (ctx.failed()) co_return ctx.error();
    debugger::BreakpointRequest req;
    if (bp) req.bp = from_rpc(*bp);
    req.loc_expr = loc_expr;
    auto created = s.dbg().create_breakpoint(req);
    if (!created) co_return created.error();
    co_return bp_result(s, *created);
  };
  t["CreateEBPFTracepoint"] = [](RpcSession& s, const json::object& p) -> asio::awaitable<Reply> {
    json::value pv(p);
    rpc::ReadContext ctx("CreateEBPFTracepoint");
    std::string fn;
    rpc::ObjectReader(pv, ctx).field("FunctionName", fn);
    if (ctx.failed()) co_return ctx.error();
    // Delve's eBPF path probes entry and returns itself; hits are drained
    // with GetBufferedTracepoints.
    auto rets = s.dbg().return_locations(fn);
    if (!rets) co_return rets.error();
    debugger::BreakpointRequest entry;
    entry.bp.ebpf = entry.bp.tracepoint = true;
    entry.bp.function_name = fn;
    if (auto created = s.dbg().create_breakpoint(entry); !created) co_return created.error();
    for (uint64_t a : *rets) {
      debugger::BreakpointRequest ret;
      ret.bp.ebpf = ret.bp.trace_return = true;
      ret.bp.addr = a;
      if (auto created = s.dbg().create_breakpoint(ret); !created) co_return created.error();
    }
    // Delve never fills the answer's breakpoint.
    co_return json::value(json::object{{"Breakpoint", rpc::to_json(rpc::Breakpoint{})}});
  };
  t["GetBufferedTracepoints"] = [](RpcSession& s, const json::object& p) -> asio::awaitable<Reply> {
    json::value pv(p);
    rpc::ReadContext ctx("GetBufferedTracepoints");
    std::optional<rpc::LoadConfig> cfg;
    rpc::ObjectReader(pv, ctx).field("LoadCfg", cfg);
    if (ctx.failed()) co_return ctx.error();
    s.server().pump();
    auto hits = s.dbg().take_buffered();
    if (hits.empty()) co_return json::value(json::object{{"TracepointResults", nullptr}});
    values::LoadConfig lc = cfg ? from_rpc(*cfg) : values::LoadConfig{};
    // Written as it is converted: under load this reply holds every hit
    // since the last poll (up to the session's bound).
    std::string out;
    out.reserve(64 + hits.size() * 640);  // a result with two values is ~550 bytes
    out += "{\"TracepointResults\":[";
    for (size_t i = 0; i < hits.size(); ++i) {
      if (i) out += ',';
      rpc::write_go_json(out, tracepoint_result(s.dbg(), hits[i], lc, s.server().opts.durations));
    }
    out += "]}";
    co_return ReplyBody::encoded(std::move(out));
  };
  t["ListBreakpoints"] = [](RpcSession& s, const json::object& p) -> asio::awaitable<Reply> {
    json::value pv(p);
    rpc::ReadContext ctx("ListBreakpoints");
    bool all = false;
    rpc::ObjectReader(pv, ctx).field("All", all);
    if (ctx.failed()) co_return ctx.error();
    std::vector<rpc::Breakpoint> out;
    for (const auto& bp : s.dbg().breakpoints()) {
      if (bp.ebpf) continue;
      rpc::Breakpoint r = to_rpc(bp, s.dbg());
      if (all) {
        // Delve's internals for All: the byte the breakpoint replaced and
        // the condition as Delve holds it.
        char buf[64];
        auto byte = s.dbg().engine().binary().static_data(r.addr, 1);
        std::snprintf(buf, sizeof buf, "OriginalData=%#x", byte ? (*byte)[0] : 0);
        r.VerboseDescr.push_back(buf);
        std::string cond = json::serialize(json::value(bp.cond));
        r.VerboseDescr.push_back("User Cond=" + cond + " HitCond=" + bp.hit_cond);
      }
      out.push_back(std::move(r));
    }
    co_return json::value(json::object{{"Breakpoints", rpc::to_json(out)}});
  };
  t["GetBreakpoint"] = [](RpcSession& s, const json::object& p) -> asio::awaitable<Reply> {
    auto id = read_id(p, "GetBreakpoint");
    if (!id) co_return id.error();
    auto bp = s.dbg().get_breakpoint(static_cast<int>(id->id), id->name);
    if (!bp) co_return bp.error();
    co_return bp_result(s, *bp);
  };
  t["ClearBreakpoint"] = [](RpcSession& s, const json::object& p) -> asio::awaitable<Reply> {
    auto id = read_id(p, "ClearBreakpoint");
    if (!id) co_return id.error();
    auto bp = s.dbg().clear_breakpoint(static_cast<int>(id->id), id->name);
    if (!bp) co_return bp.error();
    co_return bp_result(s, *bp);
  };
  t["ToggleBreakpoint"] = [](RpcSession& s, const json::object& p) -> asio::awaitable<Reply> {
    auto id = read_id(p, "ToggleBreakpoint");
    if (!id) co_return id.error();
    auto bp = s.dbg().toggle_breakpoint(static_cast<int>(id->id), id->name);
    if (!bp) co_return bp.error();
    co_return bp_result(s, *bp);
  };
  t["AmendBreakpoint"] = [](RpcSession& s, const json::object& p) -> asio::awaitable<Reply> {
    json::value pv(p);
    rpc::ReadContext ctx("AmendBreakpoint");
    std::optional<rpc::Breakpoint> bp;
    rpc::ObjectReader(pv, ctx).field("Breakpoint", bp);
    if (ctx.failed()) co_return ctx.error();
    if (!bp) co_return rpc_error("AmendBreakpoint: missing Breakpoint");
    if (auto r = s.dbg().amend_breakpoint(from_rpc(*bp)); !r) co_return r.error();
    co_return json::value(json::object{});
  };
}

}  // namespace gotrace::headless
