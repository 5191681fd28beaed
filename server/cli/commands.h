// The gotrace subcommands. Each returns the process exit code.
#pragma once

#include <string>
#include <vector>

namespace gotrace::cli {

int run_trace(const std::vector<std::string>& args);
int run_funcs(const std::vector<std::string>& args);
// exec / attach / debug with --headless.
int run_headless(const std::string& mode, const std::vector<std::string>& args);
// dap --listen / --stdio.
int run_dap(const std::vector<std::string>& args);

}  // namespace gotrace::cli
