// Builds a Go package for tracing, as `dlv trace [package]` does: with
// optimizations and inlining off (-gcflags='all=-N -l').
#pragma once

#include "gotrace/support/result.h"
#include "gotrace/tracer/build_output.h"

#include <string>

namespace gotrace::cli {

// Runs `go build -gcflags='all=-N -l' -o OUTPUT` in PKGDIR; the compiler's
// output goes to our stderr. Fails naming the package when the build fails.
Result<void> go_build_for_debug(const std::string& pkgdir, const std::string& output);

}  // namespace gotrace::cli
