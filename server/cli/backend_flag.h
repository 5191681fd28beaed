// --backend=ebpf|ptrace|auto, shared by every command that traces.
#pragma once

#include "args.h"
#include "gotrace/tracer/engine.h"

#include <string>

namespace gotrace::cli {

// --backend, else --ebpf (Delve's flag) meaning ebpf, else GOTRACE_BACKEND,
// else auto. Fails naming the bad value.
Result<tracer::BackendKind> backend_flag(const ParsedArgs& parsed);

// The line that tells the user `auto` chose ptrace, and why ("" otherwise).
std::string backend_choice_line(const tracer::Engine& engine);
// Prints it on stderr, if any.
void report_backend(const tracer::Engine& engine);

}  // namespace gotrace::cli
