// The ptrace tracer's stops: breakpoint hits turned into records, signals
// passed on, threads and children coming and going, exec and exit.
#include "child_exits.h"
#include "ptrace_messages.h"
#include "ptrace_tracer.h"

#include <signal.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <linux/kcmp.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <ctime>

namespace gotrace::tracer {
namespace {

uint64_t monotonic_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// Whether two processes share one address space (a vfork child shares the
// target's, breakpoints included). Unknown counts as shared: keeping such a
// child traced until it execs is always safe.
bool shares_memory(pid_t a, pid_t b) {
  long r = syscall(SYS_kcmp, a, b, KCMP_VM, 0, 0);
  return r != 1 && r != 2;
}

#if defined(__x86_64__)
void to_thread_registers(const user_regs_struct& r, arch::ThreadRegisters& t) {
  const uint64_t gpr[16] = {r.rax, r.rdx, r.rcx, r.rbx, r.rsi, r.rdi, r.rbp, r.rsp,
                            r.r8,  r.r9,  r.r10, r.r11, r.r12, r.r13, r.r14, r.r15};
  std::copy(std::begin(gpr), std::end(gpr), t.gpr);
  t.pc = r.rip;
  t.flags = r.eflags;
}

void from_thread_registers(const arch::ThreadRegisters& t, user_regs_struct& r) {
  unsigned long long* gpr[16] = {&r.rax, &r.rdx, &r.rcx, &r.rbx, &r.rsi, &r.rdi, &r.rbp, &r.rsp,
                       &r.r8,  &r.r9,  &r.r10, &r.r11, &r.r12, &r.r13, &r.r14, &r.r15};
  for (int i = 0; i < 16; i++) *gpr[i] = t.gpr[i];
  r.rip = t.pc;
  r.eflags = t.flags;
}
#endif

}  // namespace

void PtraceTracer::on_breakpoint(pid_t tid, Thread& t) {
#if defined(__x86_64__)
  user_regs_struct r;
  if (ptrace(PTRACE_GETREGS, tid, nullptr, &r) != 0) return;
  uint64_t addr = r.rip - 1;
  auto it = bps_.find(addr);
  if (it == bps_.end()) {
    if (removed_.count(addr)) {
      // Trapped on a breakpoint that is gone now: run the real instruction.
      r.rip = addr;
      ptrace(PTRACE_SETREGS, tid, nullptr, &r);
    } else {
      t.pending_signal = SIGTRAP;  // the program's own trap
    }
    resume(tid);
    return;
  }
  Breakpoint& bp = it->second;
  arch::ThreadRegisters tr;
  to_thread_registers(r, tr);
  if (!t.foreign) {
    HitRegisters hr;
    hr.machine = arch::Machine::amd64;
    std::copy(std::begin(tr.gpr), std::begin(tr.gpr) + 16, hr.gpr);
    hr.sp = r.rsp;
    hr.pc = addr;
    hr.flags = r.eflags;
    hr.thread_pointer = r.fs_base;
    bool vec_loaded = false;
    HitContext ctx{static_cast<uint32_t>(cfg_.pid), static_cast<uint32_t>(tid), 0, monotonic_ns(),
                   cfg_.goid_offset, cfg_.stack_hi_offset, cfg_.g_tls_offset, cfg_.m_offset, cfg_.curg_offset};
    for (const auto& [handle, spec_id] : bp.specs) {
      gt_spec spec;
      if (!sink_.spec(spec_id, &spec)) continue;
      if (!vec_loaded && reads_vector_registers(spec, arch::Machine::amd64)) {
        user_fpregs_struct fp;
        if (ptrace(PTRACE_GETFPREGS, tid, nullptr, &fp) == 0) {
          for (int i = 0; i < 16; i++)
            std::memcpy(&hr.vec_lo[i], reinterpret_cast<const uint8_t*>(fp.xmm_space) + 16 * i, 8);
          hr.have_vec = true;
        }
        vec_loaded = true;
      }
      ctx.spec_id = spec_id;
      if (auto rec = build_hit_record(spec, hr, *mem_, ctx, counters_, &roots_)) sink_.record(std::move(*rec));
    }
  }
  auto read = [&](uint64_t a, void* out, size_t n) { return mem_->read(a, out, n); };
  auto write = [&](uint64_t a, const void* in, size_t n) { return static_cast<bool>(mem_->write(a, in, n)); };
  if (auto ok = arch::apply_step_over(arch::Machine::amd64, bp.plan, bp.slot, tr, read, write); !ok) {
    sink_.notice("gotrace: " + ok.error().message);
    // Re-run the original instruction is impossible with the int3 in place;
    // the best left is to deliver the trap as the program would have seen it.
    t.pending_signal = SIGTRAP;
  } else {
    from_thread_registers(tr, r);
    ptrace(PTRACE_SETREGS, tid, nullptr, &r);
  }
  resume(tid);
#else
  (void)tid;
  (void)t;
#endif
}

void PtraceTracer::unslot_fault(pid_t tid) {
#if defined(__x86_64__)
  user_regs_struct r;
  if (ptrace(PTRACE_GETREGS, tid, nullptr, &r) != 0) return;
  auto it = slot_owner_.find(r.rip);
  if (it == slot_owner_.end()) return;
  // x86 faults are precise: the displaced copy did not run, so the fault
  // belongs to the original instruction. Go's handler turns it into a panic
  // only at a pc inside the function (a nil check, a division by zero).
  r.rip = it->second;
  ptrace(PTRACE_SETREGS, tid, nullptr, &r);
#else
  (void)tid;
#endif
}

void PtraceTracer::on_exec(pid_t tid) {
  Thread& t = threads_[tid];
  if (t.foreign) {
    // A vfork child left the target's memory for its own program.
    ptrace(PTRACE_DETACH, tid, nullptr, nullptr);
    threads_.erase(tid);
    return;
  }
  if (!exec_seen_) {
    exec_seen_ = true;
    auto mem = TargetMemoryFile::open(cfg_.pid);
    if (!mem) {
      sink_.notice("gotrace: " + mem.error().message);
    } else {
      mem_ = std::move(*mem);
      if (auto r = arm_pending(); !r) sink_.notice("gotrace: " + r.error().message);
    }
    resume(tid);
    return;
  }
  // The program replaced itself: its probes went with the old image.
  sink_.notice(exec_notice(cfg_.pid));
  lose_image();
  for (auto& [other, th] : threads_)
    if (th.stopped) ptrace(PTRACE_DETACH, other, nullptr, nullptr);
  threads_.clear();
  child_exits::release(cfg_.pid);
}

void PtraceTracer::on_new_child(pid_t child) {
  Thread& c = threads_[child];
  c.foreign = true;
  if (shares_memory(child, cfg_.pid)) {
    resume(child);  // traced until it execs or exits
    return;
  }
  // A fork has its own copy of the code, breakpoints included: give it back
  // the original instructions and let it go.
  if (auto m = TargetMemoryFile::open(child)) {
    for (auto& [addr, bp] : bps_) (void)(*m)->write(addr, &bp.original, 1);
  }
  sink_.notice(fork_notice(cfg_.pid, child));
  ptrace(PTRACE_DETACH, child, nullptr, nullptr);
  threads_.erase(child);
}

void PtraceTracer::forget_thread(pid_t tid, int status) {
  threads_.erase(tid);
  if (tid != cfg_.pid) return;
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  lose_image();
  child_exits::record(cfg_.pid, code);
}

void PtraceTracer::lose_image() {
  // Nothing to restore: the address space the breakpoints were in is gone.
  gone_ = true;
  bps_.clear();
  mem_.reset();
}

void PtraceTracer::on_wait_status(pid_t tid, int status) {
  if (WIFEXITED(status) || WIFSIGNALED(status)) {
    forget_thread(tid, status);
    return;
  }
  if (!WIFSTOPPED(status)) return;
  bool known = threads_.count(tid) != 0;
  Thread& t = threads_[tid];
  t.stopped = true;
  int sig = WSTOPSIG(status);
  int event = status >> 16;
  if (!known && event == PTRACE_EVENT_STOP) {
    // The first stop of an auto-attached thread or child (it can come
    // before its parent's clone/fork event).
    if (!same_thread_group(tid, cfg_.pid)) {
      on_new_child(tid);
      return;
    }
  }
  switch (event) {
    case 0:
      if (sig == SIGTRAP) {
        on_breakpoint(tid, t);
        return;
      }
      if (sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE || sig == SIGILL) unslot_fault(tid);
      t.pending_signal = sig;
      resume(tid);
      return;
    case PTRACE_EVENT_EXEC:
      on_exec(tid);
      return;
    case PTRACE_EVENT_STOP:
      if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) {
        // A group stop: the program was stopped by a signal and stays so
        // until SIGCONT, still traced.
        if (!hold_) {
          t.stopped = false;
          ptrace(PTRACE_LISTEN, tid, nullptr, nullptr);
        }
        return;
      }
      resume(tid);
      return;
    default:
      // PTRACE_EVENT_CLONE/FORK/VFORK: the new thread or child reports its
      // own first stop (possibly before this one); it is taken in then.
      resume(tid);
      return;
  }
}

}  // namespace gotrace::tracer
