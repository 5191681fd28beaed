// Fuzz target: Delve JSON-RPC bytes from a client. The stream decoder (split
// where the first byte says), every value through parse_request, and the
// params of the methods gotrace serves read into their request types.
#include "gotrace/protocol/rpc/framing.h"
#include "gotrace/protocol/rpc/json_read.h"
#include "gotrace/protocol/rpc/json_write.h"
#include "gotrace/protocol/rpc/message.h"
#include "gotrace/protocol/rpc/types.h"

#include "chunked_feed.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rpc = gotrace::protocol::rpc;
namespace json = boost::json;

namespace {

template <class T>
void read_param(const json::value& params, const char* key) {
  rpc::ReadContext ctx(key);
  T out{};
  if (const auto* o = params.if_object())
    if (const json::value* v = rpc::find_key(*o, key)) (void)rpc::read_value(*v, out, ctx);
}

void request(const json::value& message) {
  rpc::Request req = rpc::parse_request(message);
  if (req.error) {
    (void)rpc::encode_error(req.id, *req.error);
    return;
  }
  read_param<rpc::Breakpoint>(req.params, "Breakpoint");
  read_param<rpc::LoadConfig>(req.params, "LoadCfg");
  read_param<rpc::DebuggerCommand>(req.params, "DebuggerCommand");
  read_param<rpc::EvalScope>(req.params, "Scope");
  rpc::ReadContext ctx("params");
  rpc::DebuggerCommand cmd{};
  (void)rpc::read_value(req.params, cmd, ctx);
  (void)rpc::encode_result(req.id, req.params.is_object() ? req.params : json::value(json::object{}));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  rpc::StreamDecoder decoder(1 << 20);
  feed_in_two_reads(decoder, data, size, request);
  return 0;
}
