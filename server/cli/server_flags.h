// The flags every server command shares (exec/attach/debug --headless and
// dap): where it listens, who may connect, and what a client may cost.
#pragma once

#include "args.h"
#include "gotrace/headless/server.h"

#include <vector>

namespace gotrace::cli {

std::vector<FlagSpec> server_flag_specs();

// Reads them into `so` (its defaults stay for absent flags); the error names
// the flag and what it takes.
Result<void> read_server_flags(const ParsedArgs& parsed, headless::ServerOptions& so);

// Said on stderr when the server listens beyond loopback.
void warn_if_exposed(const headless::ServerOptions& so);

}  // namespace gotrace::cli
