#include "trace_flags.h"

#include "args.h"
#include "backend_flag.h"
#include "gotrace/bpf/trace_abi.h"

namespace gotrace::cli {

Result<TraceFlags> parse_trace_flags(const std::vector<std::string>& args) {
  auto parsed = parse_args(args, {{"exec", 'e'},
                                  {"pid", 'p'},
                                  {"output", 'o'},
                                  {"stack", 's'},
                                  {"verbose", 'v'},
                                  {"timestamp", 0, false},
                                  {"no-return", 0, false},
                                  {"ring-size", 0},
                                  {"max-string-len", 0},
                                  {"ebpf", 0, false},
                                  {"backend", 0},
                                  {"format", 0},
                                  {"summary", 0, false},
                                  {"stats", 0, false},
                                  {"exit-on-first", 0, false},
                                  {"max-events", 0},
                                  {"cond", 0},
                                  {"follow-calls", 0}});
  if (!parsed) return parsed.error();
  TraceFlags f;
  if (auto v = parsed->get("format")) {
    if (*v != "text" && *v != "json")
      return make_error(Errc::invalid_argument, "invalid argument \"" + *v + "\" for --format: text or json");
    f.json = *v == "json";
  }
  f.summary = parsed->has("summary");
  f.stats = parsed->has("stats");
  if (auto v = parsed->get("cond")) f.cond = *v;
  if (auto v = parsed->get("follow-calls")) {
    auto n = parse_int_flag("follow-calls", *v, 0, 64);
    if (!n) return n.error();
    f.follow_calls = static_cast<int>(*n);
  }
  if (auto v = parsed->get("max-events")) {
    auto n = parse_int_flag("max-events", *v, 1, 1l << 62);
    if (!n) return n.error();
    f.max_events = static_cast<uint64_t>(*n);
  }
  if (parsed->has("exit-on-first")) {
    if (f.max_events > 1)
      return make_error(Errc::invalid_argument, "--exit-on-first and --max-events cannot be used together");
    f.max_events = 1;
  }
  auto backend = backend_flag(*parsed);
  if (!backend) return backend.error();
  f.backend = *backend;
  f.program_args = parsed->passthrough;
  if (auto v = parsed->get("exec")) f.exec = *v;
  if (auto v = parsed->get("pid")) {
    auto n = parse_int_flag("pid", *v, 1, 1 << 30);
    if (!n) return n.error();
    f.pid = static_cast<pid_t>(*n);
  }
  if (auto v = parsed->get("output")) f.output = *v;
  if (auto v = parsed->get("stack")) {
    auto n = parse_int_flag("stack", *v, 0, 64);
    if (!n) return n.error();
    f.stack = static_cast<int>(*n);
  }
  if (auto v = parsed->get("verbose")) {
    auto n = parse_int_flag("verbose", *v, 0, 4);
    if (!n) return n.error();
    f.verbosity = static_cast<int>(*n);
  }
  f.timestamp = parsed->has("timestamp");
  f.returns = !parsed->has("no-return");
  if (auto v = parsed->get("max-string-len")) {
    auto n = parse_int_flag("max-string-len", *v, 0, GT_MAX_DEREF_BYTES);
    if (!n) return n.error();
    f.max_string_len = static_cast<int>(*n);
  }
  auto ring = ring_size_flag(*parsed);
  if (!ring) return ring.error();
  if (*ring) f.ring_bytes = **ring;
  if (!f.exec.empty() && f.pid)
    return make_error(Errc::invalid_argument, "--exec and --pid cannot be used together");
  const auto& pos = parsed->positional;
  if (!f.exec.empty() || f.pid) {
    if (pos.size() != 1)
      return make_error(Errc::invalid_argument,
                        "expected exactly one argument, the function regexp");
    f.regex = pos[0];
  } else if (pos.size() == 1) {
    f.package = ".";
    f.regex = pos[0];
  } else if (pos.size() == 2) {
    f.package = pos[0];
    f.regex = pos[1];
  } else {
    return make_error(Errc::invalid_argument,
                      pos.empty() ? "you must provide a function regexp to trace"
                                  : "too many arguments");
  }
  return f;
}

}  // namespace gotrace::cli
