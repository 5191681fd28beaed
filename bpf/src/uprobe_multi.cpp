#include "uprobe_multi.h"

#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace gotrace::bpf {
namespace {

// The link_create member of union bpf_attr with the uprobe_multi arm, as in
// the kernel's include/uapi/linux/bpf.h since 6.6.
struct LinkCreateUprobeMulti {
  uint32_t prog_fd;
  uint32_t target_fd;
  uint32_t attach_type;
  uint32_t flags;
  uint64_t path;
  uint64_t offsets;
  uint64_t ref_ctr_offsets;
  uint64_t cookies;
  uint32_t cnt;
  uint32_t multi_flags;
  uint32_t pid;
};

}  // namespace

Result<int> create_uprobe_multi_link(int prog_fd, const std::string& path,
                                     std::span<const uint64_t> offsets,
                                     std::span<const uint64_t> cookies,
                                     pid_t pid) {
  // The kernel rejects attributes with non-zero bytes it does not know, so
  // start from a zeroed union the size the kernel expects at most.
  alignas(8) unsigned char attr[sizeof(union bpf_attr) > 128 ? sizeof(union bpf_attr) : 128] = {};
  LinkCreateUprobeMulti lc{};
  lc.prog_fd = static_cast<uint32_t>(prog_fd);
  lc.attach_type = kAttachUprobeMulti;
  lc.path = reinterpret_cast<uint64_t>(path.c_str());
  lc.offsets = reinterpret_cast<uint64_t>(offsets.data());
  lc.cookies = reinterpret_cast<uint64_t>(cookies.data());
  lc.cnt = static_cast<uint32_t>(offsets.size());
  lc.pid = static_cast<uint32_t>(pid);
  std::memcpy(attr, &lc, sizeof lc);
  long fd = syscall(__NR_bpf, BPF_LINK_CREATE, attr, sizeof(union bpf_attr));
  if (fd < 0) {
    int err = errno;
    return make_error(err == EPERM || err == EACCES ? Errc::permission : Errc::io,
                      "uprobe_multi link on " + path + " (" +
                          std::to_string(offsets.size()) +
                          " sites): " + std::strerror(err));
  }
  return static_cast<int>(fd);
}

}  // namespace gotrace::bpf
