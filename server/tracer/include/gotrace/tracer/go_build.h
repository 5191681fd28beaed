// Builds a Go package for tracing, as `dlv trace PKG`, `dlv debug` and
// dlv-dap's debug/test modes do: with optimizations and inlining off
// (-gcflags='all=-N -l'). One builder for the CLI (the go tool's output on
// our stderr) and DAP launches (its output for the client's console, the
// build run as the client's user).
#pragma once

#include "gotrace/support/result.h"
#include "gotrace/tracer/credentials.h"

#include <optional>
#include <string>
#include <vector>

namespace gotrace::tracer {

struct GoBuild {
  std::string package;  // a directory, or one .go file (`go build FILE`)
  bool test = false;    // `go test -c`: the package's test binary
  std::vector<std::string> flags;  // more build flags, after -gcflags
  std::optional<Credentials> as;   // run the build as this user
};

// Runs `go build|test -c -gcflags='all=-N -l' FLAGS -o OUTPUT` in the
// package's directory. The go tool's output is appended to `log` when it is
// given (and then ends the error message of a failed build), else it goes
// to our stderr.
Result<void> go_build_for_debug(const GoBuild& b, const std::string& output, std::string* log = nullptr);

}  // namespace gotrace::tracer
