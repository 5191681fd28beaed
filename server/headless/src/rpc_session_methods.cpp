// Session-level methods: versions, identity, lifecycle.
#include "rpc_methods.h"

#include <sys/stat.h>

#include <chrono>
#include <cstdio>
#include <ctime>

namespace gotrace::headless {
namespace {

json::value get_int(const json::object& p, std::string_view key, int64_t dflt) {
  for (const auto& kv : p)
    if (kv.key().size() == key.size() &&
        std::equal(kv.key().begin(), kv.key().end(), key.begin(),
                   [](char a, char b) { return std::tolower(a) == std::tolower(b); }))
      return kv.value();
  return dflt;
}

std::string rfc3339_nano(const struct timespec& ts) {
  struct tm tm {};
  gmtime_r(&ts.tv_sec, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out = buf;
  if (ts.tv_nsec) {
    char frac[16];
    std::snprintf(frac, sizeof frac, ".%09ld", ts.tv_nsec);
    std::string f = frac;
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out + "Z";
}

}  // namespace

void add_session_methods(MethodTable& t) {
  t["GetVersion"] = [](RpcSession& s, const json::object&) -> asio::awaitable<Reply> {
    json::object r;
    r["DelveVersion"] = "Version: 1.20.2\nBuild: gotrace";
    r["APIVersion"] = s.server().api_version;
    r["Backend"] = "ebpf";
    r["TargetGoVersion"] = "";
    r["MinSupportedVersionOfGo"] = "1.18.0";
    r["MaxSupportedVersionOfGo"] = "1.20.0";
    co_return json::value(r);
  };
  t["SetApiVersion"] = [](RpcSession& s, const json::object& p) -> asio::awaitable<Reply> {
    json::value v = get_int(p, "APIVersion", 0);
    if (!v.is_int64() && !v.is_uint64())
      co_return rpc_error("SetApiVersion: APIVersion must be an integer");
    int64_t n = v.to_number<int64_t>();
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
    co_return json::value(json::object{{"Time", rfc3339_nano(st.st_mtim)}});
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
    json::value kill = get_int(p, "Kill", 0);
    bool k = kill.is_bool() ? kill.get_bool() : false;
    auto srv = s.server().shared_from_this();
    // Answer first, then end everything (Delve closes every connection).
    asio::post(srv->io, [srv, k] { srv->shutdown(k); });
    co_return json::value(json::object{});
  };
}

}  // namespace gotrace::headless
