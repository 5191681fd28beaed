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
                                  {"durations", 0, false},
                                  {"raw-words", 0, false},
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
  if (auto r = read_int_flag(*parsed, "follow-calls", 0, 64, f.follow_calls); !r) return r.error();
  if (auto r = read_int_flag(*parsed, "max-events", 1, 1l << 62, f.max_events); !r) return r.error();
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
  if (auto r = read_int_flag(*parsed, "pid", 1, 1 << 30, f.pid); !r) return r.error();
  if (auto v = parsed->get("output")) f.output = *v;
  if (auto r = read_int_flag(*parsed, "stack", 0, 64, f.stack); !r) return r.error();
  if (auto r = read_int_flag(*parsed, "verbose", 0, 4, f.verbosity); !r) return r.error();
  f.timestamp = parsed->has("timestamp");
  f.durations = parsed->has("durations");
  f.raw_words = parsed->has("raw-words");
  f.returns = !parsed->has("no-return");
  if (auto r = read_int_flag(*parsed, "max-string-len", 0, GT_MAX_DEREF_BYTES, f.max_string_len); !r) return r.error();
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
