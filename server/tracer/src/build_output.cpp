#include "gotrace/tracer/build_output.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace gotrace::tracer {

Result<TempBuildOutput> TempBuildOutput::create(const std::optional<Credentials>& owner) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "gotrace-build-XXXXXX").string();
  if (!mkdtemp(tmpl.data()))
    return make_error(Errc::io, std::string("cannot make a build directory: ") + std::strerror(errno));
  TempBuildOutput t;
  t.dir_ = tmpl;
  if (owner && chown(tmpl.c_str(), owner->uid, owner->gid) != 0)
    return make_error(Errc::io, "cannot give the build directory to " + owner->name + ": " + std::strerror(errno));
  return t;
}

TempBuildOutput& TempBuildOutput::operator=(TempBuildOutput&& o) noexcept {
  if (this != &o) {
    remove();
    dir_ = std::move(o.dir_);
    o.dir_.clear();
  }
  return *this;
}

void TempBuildOutput::remove() {
  if (dir_.empty()) return;
  std::error_code ec;
  std::filesystem::remove(path(), ec);
  std::filesystem::remove(dir_, ec);
  dir_.clear();
}

}  // namespace gotrace::tracer
