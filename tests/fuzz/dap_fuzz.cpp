// Fuzz target: DAP bytes from a client. The frame decoder on the stream
// (split where the first byte says, to exercise partial reads), every body
// through parse_request, the arguments of each command gotrace serves, and
// logpoint templates.
#include "gotrace/protocol/dap/framing.h"
#include "gotrace/protocol/dap/log_message.h"
#include "gotrace/protocol/dap/message.h"
#include "gotrace/protocol/dap/types.h"

#include "chunked_feed.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace dap = gotrace::protocol::dap;
namespace json = boost::json;

namespace {

void log_messages(const json::value& v) {
  if (const auto* o = v.if_object()) {
    for (const auto& kv : *o) {
      if (kv.key() == "logMessage" && kv.value().is_string()) (void)dap::parse_log_message(kv.value().get_string());
      log_messages(kv.value());
    }
  } else if (const auto* a = v.if_array()) {
    for (const auto& e : *a) log_messages(e);
  }
}

void request(const json::value& message) {
  auto req = dap::parse_request(message);
  if (!req) {
    (void)dap::peek_seq(message);
    return;
  }
  const json::value& a = req->arguments;
  const std::string_view c = req->command;
  if (c == "initialize") (void)dap::parse_arguments<dap::InitializeArguments>(a, c);
  if (c == "launch") (void)dap::parse_arguments<dap::LaunchArguments>(a, c);
  if (c == "attach") (void)dap::parse_arguments<dap::AttachArguments>(a, c);
  if (c == "setBreakpoints") (void)dap::parse_arguments<dap::SetBreakpointsArguments>(a, c);
  if (c == "setFunctionBreakpoints") (void)dap::parse_arguments<dap::SetFunctionBreakpointsArguments>(a, c);
  if (c == "setExceptionBreakpoints") (void)dap::parse_arguments<dap::SetExceptionBreakpointsArguments>(a, c);
  if (c == "continue") (void)dap::parse_arguments<dap::ContinueArguments>(a, c);
  if (c == "pause") (void)dap::parse_arguments<dap::PauseArguments>(a, c);
  if (c == "disconnect") (void)dap::parse_arguments<dap::DisconnectArguments>(a, c);
  if (c == "terminate") (void)dap::parse_arguments<dap::TerminateArguments>(a, c);
  if (c == "setTracepoints") (void)dap::parse_arguments<dap::SetTracepointsArguments>(a, c);
  log_messages(a);
  // What the server answers with must encode whatever the request held.
  (void)dap::encode_frame(dap::make_response(1, *req, true));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  dap::FrameDecoder decoder(1 << 20);
  feed_in_two_reads(decoder, data, size, request);
  return 0;
}
