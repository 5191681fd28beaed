#include "backend_flag.h"

#include <cstdio>

namespace gotrace::cli {

Result<tracer::BackendKind> backend_flag(const ParsedArgs& parsed) {
  if (auto v = parsed.get("backend")) {
    if (auto k = tracer::parse_backend(*v)) return *k;
    return make_error(Errc::invalid_argument,
                      "invalid argument \"" + *v + "\" for --backend: must be ebpf, ptrace or auto");
  }
  if (parsed.has("ebpf")) return tracer::BackendKind::ebpf;
  return tracer::default_backend();
}

std::string backend_choice_line(const tracer::Engine& engine) {
  if (engine.backend() != tracer::BackendKind::ptrace || engine.fallback_reason().empty())
    return "";
  return "gotrace: tracing with ptrace: eBPF is unavailable: " + engine.fallback_reason();
}

void report_backend(const tracer::Engine& engine) {
  std::string line = backend_choice_line(engine);
  if (!line.empty()) std::fprintf(stderr, "%s\n", line.c_str());
}

}  // namespace gotrace::cli
