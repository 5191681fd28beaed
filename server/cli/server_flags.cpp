#include "server_flags.h"

#include "gotrace/bpf/trace_abi.h"

#include <cstdio>

namespace gotrace::cli {

std::vector<FlagSpec> server_flag_specs() {
  return {{"listen", 'l'},           {"allow-non-loopback", 0, false}, {"only-same-user", 0},
          {"max-message-size", 0},   {"max-probes", 0},                {"max-string-len", 0},
          {"ring-size", 0},          {"durations", 0, false},          {"raw-words", 0, false}};
}

Result<void> read_server_flags(const ParsedArgs& parsed, headless::ServerOptions& so) {
  if (auto v = parsed.get("listen")) so.listen = *v;
  so.allow_non_loopback = parsed.has("allow-non-loopback");
  so.durations = parsed.has("durations");
  so.limits.raw_words = parsed.has("raw-words");
  if (auto v = parsed.get("only-same-user")) {
    if (*v != "true" && *v != "false")
      return make_error(Errc::invalid_argument, "invalid argument \"" + *v + "\" for --only-same-user: true or false");
    so.only_same_user = *v == "true";
  }
  // A DAP header alone takes a few dozen bytes; below 4 KiB no real request fits.
  if (auto r = read_int_flag(parsed, "max-message-size", 4096, 1l << 30, so.max_message_bytes); !r) return r;
  if (auto r = read_int_flag(parsed, "max-probes", 1, 65536, so.limits.max_probe_sites); !r) return r;
  if (auto r = read_int_flag(parsed, "max-string-len", 0, GT_MAX_DEREF_BYTES, so.limits.max_string_len); !r) return r;
  auto ring = ring_size_flag(parsed);
  if (!ring) return ring.error();
  if (*ring) so.ring_bytes = **ring;
  return {};
}

void warn_if_exposed(const headless::ServerOptions& so) {
  if (!so.allow_non_loopback || so.stdio) return;
  std::fprintf(stderr, "Warning: listening on a non-loopback address: anyone who can connect can %s\n",
               so.dap_only ? "launch programs as this user, trace any process this user may trace, and "
                             "read their memory"
                           : "trace this program and read its memory");
}

}  // namespace gotrace::cli
