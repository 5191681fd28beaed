// Where gotrace puts a binary it builds for itself (Delve's __debug_bin):
// alone in a fresh mkdtemp directory, so that no other local user can have
// planted a link at its name. The binary and the directory go with this
// object, removed one by one, never by a recursive walk: the directory may
// be a client's to write in (owner), and a removal as root must not follow
// what they put there.
#pragma once

#include "gotrace/support/result.h"
#include "gotrace/tracer/credentials.h"

#include <optional>
#include <string>

namespace gotrace::tracer {

class TempBuildOutput {
 public:
  // The directory is given to `owner` when there is one (a build that runs
  // as them must write in it).
  static Result<TempBuildOutput> create(const std::optional<Credentials>& owner = std::nullopt);
  TempBuildOutput() = default;
  TempBuildOutput(TempBuildOutput&& o) noexcept : dir_(std::move(o.dir_)) { o.dir_.clear(); }
  TempBuildOutput& operator=(TempBuildOutput&& o) noexcept;
  ~TempBuildOutput() { remove(); }
  std::string path() const { return dir_.empty() ? "" : dir_ + "/__debug_bin"; }

 private:
  void remove();
  std::string dir_;
};

}  // namespace gotrace::tracer
