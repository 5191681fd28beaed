// A traced process's memory: reads for captures (process_vm_readv), and the
// writes that place breakpoints (/proc/PID/mem: the kernel lets the tracer
// write even read-only text, FOLL_FORCE and copy-on-write, and the write is
// visible to every thread at once, so the target need not be stopped to arm
// a probe).
#pragma once

#include "gotrace/support/result.h"
#include "gotrace/support/unique_fd.h"
#include "hit_record.h"

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace gotrace::tracer {

class TargetMemoryFile final : public TargetMemory {
 public:
  // Opens /proc/PID/mem (after exec: the file is bound to one address space).
  static Result<std::unique_ptr<TargetMemoryFile>> open(pid_t pid);
  bool read(uint64_t addr, void* out, size_t len) override;
  Result<void> write(uint64_t addr, const void* in, size_t len);

 private:
  TargetMemoryFile(pid_t pid, UniqueFd fd) : pid_(pid), fd_(std::move(fd)) {}
  pid_t pid_;
  UniqueFd fd_;
};

// Where a process mapped a file (matched by inode: `path` may be
// /proc/PID/exe or a name in another mount namespace).
class ImageMap {
 public:
  static Result<ImageMap> read(pid_t pid, const std::string& path);
  // The runtime address of `file_offset` in an executable mapping.
  Result<uint64_t> address_of(uint64_t file_offset) const;
  uint64_t low() const { return low_; }    // lowest mapped address
  uint64_t high() const { return high_; }  // end of the highest mapping

 private:
  struct Entry {
    uint64_t start = 0, end = 0, offset = 0;
    bool exec = false;
  };
  std::vector<Entry> entries_;
  std::string path_;
  uint64_t low_ = 0, high_ = 0;
};

}  // namespace gotrace::tracer
