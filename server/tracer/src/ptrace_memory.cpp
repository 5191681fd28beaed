#include "ptrace_memory.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

namespace gotrace::tracer {
Result<std::unique_ptr<TargetMemoryFile>> TargetMemoryFile::open(pid_t pid) {
  std::string p = "/proc/" + std::to_string(pid) + "/mem";
  int fd = ::open(p.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0)
    return make_error(errno == EACCES || errno == EPERM ? Errc::permission : Errc::io,
                      "cannot open " + p + ": " + std::strerror(errno));
  return std::unique_ptr<TargetMemoryFile>(new TargetMemoryFile(pid, UniqueFd(fd)));
}

bool TargetMemoryFile::read(uint64_t addr, void* out, size_t len) {
  iovec local{out, len};
  iovec remote{reinterpret_cast<void*>(addr), len};
  return process_vm_readv(pid_, &local, 1, &remote, 1, 0) == static_cast<ssize_t>(len);
}

Result<void> TargetMemoryFile::write(uint64_t addr, const void* in, size_t len) {
  if (::pwrite(fd_.get(), in, len, static_cast<off_t>(addr)) == static_cast<ssize_t>(len))
    return {};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%#" PRIx64, addr);
  return make_error(Errc::io, std::string("cannot write the target's memory at ") + buf + ": " +
                                  std::strerror(errno));
}

Result<ImageMap> ImageMap::read(pid_t pid, const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return make_error(Errc::not_found, "cannot stat " + path + ": " + std::strerror(errno));
  std::string maps = "/proc/" + std::to_string(pid) + "/maps";
  std::ifstream in(maps);
  if (!in) return make_error(Errc::io, "cannot read " + maps);
  ImageMap m;
  m.path_ = path;
  m.low_ = UINT64_MAX;
  std::string line;
  while (std::getline(in, line)) {
    char perms[8] = {};
    unsigned dev_major = 0, dev_minor = 0;
    unsigned long long start, end, off, inode;
    if (std::sscanf(line.c_str(), "%llx-%llx %7s %llx %x:%x %llu", &start, &end, perms, &off,
                    &dev_major, &dev_minor, &inode) != 7 ||
        inode != st.st_ino)
      continue;
    m.entries_.push_back({start, end, off, perms[2] == 'x'});
    m.low_ = std::min<uint64_t>(m.low_, start);
    m.high_ = std::max<uint64_t>(m.high_, end);
  }
  if (m.entries_.empty())
    return make_error(Errc::not_found, path + " is not mapped in process " + std::to_string(pid));
  return m;
}

Result<uint64_t> ImageMap::address_of(uint64_t file_offset) const {
  for (const Entry& e : entries_)
    if (e.exec && file_offset >= e.offset && file_offset < e.offset + (e.end - e.start))
      return e.start + (file_offset - e.offset);
  return make_error(Errc::not_found, "file offset " + std::to_string(file_offset) + " of " +
                                         path_ + " is not in an executable mapping");
}

}  // namespace gotrace::tracer
