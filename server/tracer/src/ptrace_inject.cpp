#include "ptrace_inject.h"

#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>

namespace gotrace::tracer {

#if defined(__x86_64__)
Result<uint64_t> inject_mmap(pid_t tid, TargetMemoryFile& mem, uint64_t addr, uint64_t len,
                             int* pending_signal) {
  static constexpr uint8_t kSyscall[2] = {0x0f, 0x05};
  user_regs_struct saved;
  if (ptrace(PTRACE_GETREGS, tid, nullptr, &saved) != 0)
    return make_error(Errc::io, std::string("cannot read registers: ") + std::strerror(errno));
  // A thread stopped in a system call sits right after its SYSCALL: reuse
  // it. Otherwise borrow the two bytes at the pc.
  uint64_t at = saved.rip;
  uint8_t before[2] = {};
  bool borrowed = false;
  if (saved.rip >= 2 && mem.read(saved.rip - 2, before, 2) && std::memcmp(before, kSyscall, 2) == 0) {
    at = saved.rip - 2;
  } else {
    if (!mem.read(at, before, 2))
      return make_error(Errc::io, "cannot read the code at the stopped thread's pc");
    if (auto w = mem.write(at, kSyscall, 2); !w) return w.error();
    borrowed = true;
  }
  user_regs_struct r = saved;
  r.rax = SYS_mmap;
  r.rdi = addr;
  r.rsi = len;
  r.rdx = PROT_READ | PROT_EXEC;
  r.r10 = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE;
  r.r8 = static_cast<uint64_t>(-1);
  r.r9 = 0;
  r.rip = at;
  // Not in a system call: the kernel must not try to restart one when the
  // thread resumes.
  r.orig_rax = static_cast<uint64_t>(-1);
  Result<uint64_t> result = make_error(Errc::io, "the injected mmap did not complete");
  if (ptrace(PTRACE_SETREGS, tid, nullptr, &r) == 0) {
    bool stepped = false;
    for (int tries = 0; tries < 64 && !stepped; tries++) {
      if (ptrace(PTRACE_SINGLESTEP, tid, nullptr, nullptr) != 0) break;
      int status = 0;
      pid_t w;
      do {
        w = waitpid(tid, &status, __WALL);
      } while (w < 0 && errno == EINTR);
      if (w != tid || !WIFSTOPPED(status)) {
        result = make_error(Errc::not_found, "the thread exited while gotrace mapped memory");
        return result;
      }
      int sig = WSTOPSIG(status);
      user_regs_struct now;
      ptrace(PTRACE_GETREGS, tid, nullptr, &now);
      if (sig == SIGTRAP && (status >> 16) == 0 && now.rip == at + 2) {
        stepped = true;
        int64_t ret = static_cast<int64_t>(now.rax);
        if (ret < 0 && ret > -4096)
          result = make_error(Errc::io, std::string("mmap in the target failed: ") +
                                            std::strerror(static_cast<int>(-ret)));
        else
          result = static_cast<uint64_t>(ret);
      } else if ((status >> 16) == 0 && sig != SIGTRAP) {
        *pending_signal = sig;  // deliver after we are done
      }
    }
  }
  if (borrowed) (void)mem.write(at, before, 2);
  ptrace(PTRACE_SETREGS, tid, nullptr, &saved);
  return result;
}
#else
Result<uint64_t> inject_mmap(pid_t, TargetMemoryFile&, uint64_t, uint64_t, int*) {
  return make_error(Errc::unsupported, "the ptrace backend supports amd64 only");
}
#endif

}  // namespace gotrace::tracer
