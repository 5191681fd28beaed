#include "kernel_btf.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace gotrace::bpf {
namespace {

struct BtfDeleter {
  void operator()(struct btf* b) const { btf__free(b); }
};

// The struct or union type behind `id`, through typedefs and qualifiers.
const struct btf_type* resolve(const struct btf* btf, uint32_t id) {
  const struct btf_type* t = btf__type_by_id(btf, id);
  while (t && (btf_is_typedef(t) || btf_is_mod(t))) t = btf__type_by_id(btf, t->type);
  return t;
}

// The byte offset of member `name` of struct `t` (searching anonymous
// members' members too), and its type id.
bool member_offset(const struct btf* btf, const struct btf_type* t, std::string_view name, uint64_t& off,
                   uint32_t& type) {
  if (!t || !btf_is_composite(t)) return false;
  const struct btf_member* m = btf_members(t);
  for (uint16_t i = 0; i < btf_vlen(t); i++, m++) {
    uint64_t here = btf_member_bit_offset(t, i) / 8;
    const char* n = btf__name_by_offset(btf, m->name_off);
    if (n && name == n) {
      off = here;
      type = m->type;
      return true;
    }
    if ((!n || !*n) && member_offset(btf, resolve(btf, m->type), name, off, type)) {
      off += here;
      return true;
    }
  }
  return false;
}

}  // namespace

Result<uint64_t> task_fsbase_offset() {
  std::unique_ptr<struct btf, BtfDeleter> btf(btf__load_vmlinux_btf());
  if (!btf) {
    int e = errno;
    return make_error(Errc::unsupported, std::string("cannot read the kernel's BTF: ") + std::strerror(e));
  }
  int32_t task = btf__find_by_name_kind(btf.get(), "task_struct", BTF_KIND_STRUCT);
  uint64_t thread = 0, fsbase = 0;
  uint32_t thread_type = 0, fsbase_type = 0;
  if (task < 0 || !member_offset(btf.get(), btf__type_by_id(btf.get(), task), "thread", thread, thread_type) ||
      !member_offset(btf.get(), resolve(btf.get(), thread_type), "fsbase", fsbase, fsbase_type))
    return make_error(Errc::unsupported, "the kernel's BTF has no task_struct.thread.fsbase");
  return thread + fsbase;
}

}  // namespace gotrace::bpf
