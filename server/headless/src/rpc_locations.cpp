// ListFunctions, FindLocation, FunctionReturnLocations.
#include "convert.h"
#include "rpc_methods.h"

namespace gotrace::headless {

void add_location_methods(MethodTable& t) {
  t["ListFunctions"] = [](RpcSession& s, const json::object& p) -> asio::awaitable<Reply> {
    json::value pv(p);
    rpc::ReadContext ctx("ListFunctions");
    std::string filter;
    int64_t follow = 0;
    rpc::ObjectReader(pv, ctx).field("Filter", filter).field("FollowCalls", follow);
    if (ctx.failed()) co_return ctx.error();
    json::array funcs;
    // On an exited target Delve answers with an empty list, not an error.
    if (!s.dbg().exit_status()) {
      auto names = s.dbg().functions(filter, static_cast<int>(std::clamp<int64_t>(follow, 0, 64)));
      if (!names) co_return names.error();
      for (auto& n : *names) funcs.emplace_back(n);
    }
    co_return json::value(json::object{{"Funcs", std::move(funcs)}});
  };
  t["FindLocation"] = [](RpcSession& s, const json::object& p) -> asio::awaitable<Reply> {
    json::value pv(p);
    rpc::ReadContext ctx("FindLocation");
    std::string loc;
    rpc::ObjectReader(pv, ctx).field("Loc", loc);
    if (ctx.failed()) co_return ctx.error();
    std::string subst;
    auto locs = s.dbg().find_location(loc, &subst);
    if (!locs) co_return locs.error();
    std::vector<rpc::Location> out;
    for (const auto& l : *locs) {
      rpc::Location r = location_of(s.dbg(), l.pc);
      if (!l.function_name.empty() && r.function && r.function->name != l.function_name) {
        // A function inlined everywhere: the location is that function (no
        // entry), not the caller of its first copy. Clients then ask for
        // its returns, and it has none of its own.
        r.function->name = l.function_name;
        r.function->value = 0;
        r.function->optimized = true;
      }
      r.pcs = l.pcs;
      r.pcpids.assign(r.pcs.size(), s.dbg().pid());
      out.push_back(std::move(r));
    }
    co_return json::value(json::object{{"Locations", rpc::to_json(out)}, {"SubstituteLocExpr", subst}});
  };
  t["FunctionReturnLocations"] = [](RpcSession& s, const json::object& p) -> asio::awaitable<Reply> {
    json::value pv(p);
    rpc::ReadContext ctx("FunctionReturnLocations");
    std::string fn;
    rpc::ObjectReader(pv, ctx).field("FnName", fn);
    if (ctx.failed()) co_return ctx.error();
    auto addrs = s.dbg().return_locations(fn);
    if (!addrs) co_return addrs.error();
    json::array a;
    for (uint64_t x : *addrs) a.emplace_back(x);
    co_return json::value(json::object{{"Addrs", std::move(a)}});
  };
}

}  // namespace gotrace::headless
