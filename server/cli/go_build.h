// Builds a Go package for tracing, as `dlv trace [package]` does: with
// optimizations and inlining off (-gcflags='all=-N -l').
#pragma once

#include "gotrace/support/result.h"

#include <string>

namespace gotrace::cli {

// Runs `go build -gcflags='all=-N -l' -o OUTPUT` in PKGDIR; the compiler's
// output goes to our stderr. Fails naming the package when the build fails.
Result<void> go_build_for_debug(const std::string& pkgdir, const std::string& output);

// Where gotrace puts a binary it builds for itself (Delve's __debug_bin):
// alone in a fresh mkdtemp directory, so that no other local user can have
// planted a link at its name; the binary and the directory go with this.
class TempBuildOutput {
 public:
  static Result<TempBuildOutput> create();
  TempBuildOutput() = default;
  TempBuildOutput(TempBuildOutput&& o) noexcept : dir_(std::move(o.dir_)) { o.dir_.clear(); }
  TempBuildOutput& operator=(TempBuildOutput&& o) noexcept;
  ~TempBuildOutput();
  std::string path() const { return dir_.empty() ? "" : dir_ + "/__debug_bin"; }

 private:
  void remove();
  std::string dir_;
};

}  // namespace gotrace::cli
