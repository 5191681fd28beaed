#include "ptrace_tracer.h"

#include "child_exits.h"
#include "ptrace_inject.h"
#include "ptrace_messages.h"

#include <dirent.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <linux/kcmp.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace gotrace::tracer {
namespace {

constexpr uint8_t kInt3 = 0xcc;
// A slot region is mapped this close to the code: a rip-relative operand or
// a JMP rel32 back from the slot must reach.
constexpr uint64_t kSlotRegionBytes = 64 * 1024;

std::string hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%#" PRIx64, v);
  return buf;
}

uint64_t monotonic_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

std::vector<pid_t> task_ids(pid_t pid) {
  std::vector<pid_t> out;
  std::string dir = "/proc/" + std::to_string(pid) + "/task";
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d))
      if (e->d_name[0] != '.') out.push_back(static_cast<pid_t>(std::atoi(e->d_name)));
    closedir(d);
  }
  return out;
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

PtraceTracer::PtraceTracer(PtraceConfig cfg, PtraceSink sink, HitCounters& counters)
    : cfg_(cfg), sink_(std::move(sink)), counters_(counters) {}

PtraceTracer::~PtraceTracer() { detach_all(); }

Result<void> PtraceTracer::seize_thread(pid_t tid, bool first) {
  long opts = PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACEEXEC;
  if (cfg_.kill_on_exit) opts |= PTRACE_O_EXITKILL;
  if (ptrace(PTRACE_SEIZE, tid, nullptr, reinterpret_cast<void*>(opts)) == 0) {
    threads_.try_emplace(tid);
    return {};
  }
  int err = errno;
  // A thread that is gone, or one we hold already (auto-attached clone).
  if (!first && (err == ESRCH || (err == EPERM && threads_.count(tid)))) return {};
  return seize_error(cfg_.pid, err);
}

Result<void> PtraceTracer::seize() {
  child_exits::claim(cfg_.pid);
  if (cfg_.await_exec) {
    // Held before exec: one thread, and nothing of the program mapped yet.
    if (auto r = seize_thread(cfg_.pid, true); !r) {
      child_exits::release(cfg_.pid);
      return r;
    }
    return {};
  }
  if (auto r = seize_thread(cfg_.pid, true); !r) {
    child_exits::release(cfg_.pid);
    return r;
  }
  // Threads started by a thread we had not seized yet are not auto-attached:
  // list again until every thread is ours.
  for (bool grew = true; grew;) {
    grew = false;
    for (pid_t tid : task_ids(cfg_.pid))
      if (!threads_.count(tid)) {
        if (auto r = seize_thread(tid, false); !r) return r;
        grew = grew || threads_.count(tid);
      }
  }
  exec_seen_ = true;
  auto mem = TargetMemoryFile::open(cfg_.pid);
  if (!mem) {
    detach_all();
    return mem.error();
  }
  mem_ = std::move(*mem);
  return {};
}

Result<std::vector<std::pair<uint64_t, uint32_t>>> PtraceTracer::resolve(
    const std::string& path, std::span<const bpf::Site> sites) {
  auto image = ImageMap::read(cfg_.pid, path);
  if (!image) return image.error();
  std::vector<std::pair<uint64_t, uint32_t>> out;
  for (const bpf::Site& s : sites) {
    auto a = image->address_of(s.file_offset);
    if (!a) return a.error();
    out.emplace_back(*a, s.spec_id);
  }
  if (!slot_region_hint_) slot_region_hint_ = image->low();
  return out;
}

Result<void> PtraceTracer::add(uint64_t handle, const std::string& path,
                               std::span<const bpf::Site> sites) {
  if (gone_) return make_error(Errc::not_found, "the traced process has exited");
  if (!exec_seen_) {
    pending_.emplace_back(handle, path, std::vector<bpf::Site>(sites.begin(), sites.end()));
    return {};
  }
  auto addrs = resolve(path, sites);
  if (!addrs) return addrs.error();
  return arm(handle, *addrs);
}

Result<void> PtraceTracer::arm_pending() {
  Result<void> first_error;
  for (auto& [handle, path, sites] : pending_) {
    auto addrs = resolve(path, sites);
    Result<void> r = addrs ? arm(handle, *addrs) : Result<void>(addrs.error());
    if (!r && first_error) first_error = r.error();
  }
  pending_.clear();
  return first_error;
}

Result<uint64_t> PtraceTracer::slot_for(size_t want) {
  uint64_t bytes = want * arch::kStepOverSlotBytes;
  if (slot_next_ + bytes <= slot_end_) {
    uint64_t at = slot_next_;
    slot_next_ += bytes;
    return at;
  }
  bool held = hold_;
  auto stopped = stop_one_thread();
  if (!stopped) {
    hold_ = held;
    return stopped.error();
  }
  auto [tid_v, we_stopped] = *stopped;
  auto tid = &tid_v;
  uint64_t len = std::max<uint64_t>(kSlotRegionBytes, (bytes + 4095) & ~uint64_t{4095});
  Result<uint64_t> mapped = make_error(Errc::io, "no room for breakpoint slots near the code");
  int sig = 0;
  // Below the image first (nothing grows into it), then above it.
  uint64_t base = slot_region_hint_ & ~uint64_t{0xfffff};
  for (int k = 1; k <= 16 && !mapped; k++) {
    uint64_t step = static_cast<uint64_t>(k) << 20;
    if (base > step + len && base - step - len >= 0x10000)
      mapped = inject_mmap(*tid, *mem_, base - step, len, &sig);
  }
  if (sig) threads_[*tid].pending_signal = sig;
  hold_ = held;
  if (we_stopped) resume(*tid);
  if (!mapped) return mapped.error();
  slot_next_ = *mapped + bytes;
  slot_end_ = *mapped + len;
  return *mapped;
}

Result<void> PtraceTracer::arm(uint64_t handle,
                               const std::vector<std::pair<uint64_t, uint32_t>>& addrs) {
  size_t fresh = 0;
  for (const auto& [addr, spec] : addrs) fresh += bps_.count(addr) ? 0 : 1;
  uint64_t slot = 0;
  if (fresh) {
    auto s = slot_for(fresh);
    if (!s) return s.error();
    slot = *s;
  }
  for (const auto& [addr, spec_id] : addrs) {
    if (auto it = bps_.find(addr); it != bps_.end()) {
      it->second.specs.emplace_back(handle, spec_id);
      continue;
    }
    Breakpoint bp;
    bp.insn.resize(16);
    if (!mem_->read(addr, bp.insn.data(), bp.insn.size())) {
      remove(handle);
      return make_error(Errc::io, "cannot read the instruction at " + hex(addr));
    }
    auto plan = arch::plan_step_over(arch::Machine::amd64, bp.insn, addr, slot);
    if (!plan) {
      remove(handle);
      return plan.error();
    }
    bp.plan = std::move(*plan);
    bp.slot = slot;
    bp.original = bp.insn[0];
    bp.specs.emplace_back(handle, spec_id);
    // The slot first: a thread may hit the int3 the moment it is written.
    if (bp.plan.kind == arch::StepOver::Kind::displaced)
      if (auto w = mem_->write(slot, bp.plan.code.data(), bp.plan.code.size()); !w) {
        remove(handle);
        return w.error();
      }
    if (auto w = mem_->write(addr, &kInt3, 1); !w) {
      remove(handle);
      return w.error();
    }
    removed_.erase(addr);
    if (bp.plan.kind == arch::StepOver::Kind::displaced) slot_owner_[slot] = addr;
    bps_.emplace(addr, std::move(bp));
    slot += arch::kStepOverSlotBytes;
  }
  return {};
}

void PtraceTracer::remove(uint64_t handle) {
  for (auto it = pending_.begin(); it != pending_.end();)
    it = std::get<0>(*it) == handle ? pending_.erase(it) : it + 1;
  for (auto it = bps_.begin(); it != bps_.end();) {
    auto& specs = it->second.specs;
    specs.erase(std::remove_if(specs.begin(), specs.end(),
                               [&](const auto& s) { return s.first == handle; }),
                specs.end());
    if (!specs.empty()) {
      ++it;
      continue;
    }
    if (mem_ && !gone_) (void)mem_->write(it->first, &it->second.original, 1);
    // A thread may already have trapped on it without being reported yet.
    removed_.insert(it->first);
    it = bps_.erase(it);
  }
}

Result<std::pair<pid_t, bool>> PtraceTracer::stop_one_thread() {
  for (auto& [tid, t] : threads_)
    if (t.stopped && !t.foreign) return std::pair{tid, false};
  hold_ = true;
  std::vector<pid_t> candidates;
  for (auto& [tid, t] : threads_)
    if (!t.foreign) candidates.push_back(tid);
  for (pid_t tid : candidates) {
    if (ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr) != 0) continue;
    if (wait_until_stopped(tid)) return std::pair{tid, true};
  }
  return make_error(Errc::not_found, "no thread of the target could be stopped");
}

bool PtraceTracer::wait_until_stopped(pid_t tid) {
  while (threads_.count(tid) && !threads_[tid].stopped) {
    int status = 0;
    pid_t w = waitpid(tid, &status, __WALL);
    if (w < 0 && errno == EINTR) continue;
    if (w != tid) break;
    on_wait_status(tid, status);
  }
  return threads_.count(tid) && threads_[tid].stopped;
}

void PtraceTracer::resume(pid_t tid) {
  auto it = threads_.find(tid);
  if (it == threads_.end() || hold_ || !it->second.stopped) return;
  int sig = std::exchange(it->second.pending_signal, 0);
  it->second.stopped = false;
  ptrace(PTRACE_CONT, tid, nullptr, reinterpret_cast<void*>(static_cast<long>(sig)));
}

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
    bool vec_loaded = false;
    HitContext ctx{static_cast<uint32_t>(cfg_.pid), static_cast<uint32_t>(tid), 0, monotonic_ns(),
                   cfg_.goid_offset, cfg_.stack_hi_offset};
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
      if (auto rec = build_hit_record(spec, hr, *mem_, ctx, counters_)) sink_.record(std::move(*rec));
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
  bps_.clear();
  mem_.reset();
  gone_ = true;
  for (auto& [other, th] : threads_)
    if (th.stopped) ptrace(PTRACE_DETACH, other, nullptr, nullptr);
  threads_.clear();
  child_exits::release(cfg_.pid);
}

void PtraceTracer::on_new_child(pid_t child, bool) {
  Thread& c = threads_[child];
  c.foreign = true;
  if (shares_memory(child, cfg_.pid)) {
    c.vfork_child = true;  // traced until it execs or exits
    resume(child);
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
  gone_ = true;
  bps_.clear();
  mem_.reset();
  child_exits::record(cfg_.pid, code);
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
      on_new_child(tid, false);
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
    case PTRACE_EVENT_CLONE:
    case PTRACE_EVENT_FORK:
    case PTRACE_EVENT_VFORK: {
      unsigned long child = 0;
      ptrace(PTRACE_GETEVENTMSG, tid, nullptr, &child);
      resume(tid);
      return;
    }
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
      resume(tid);
      return;
  }
}

void PtraceTracer::stop_all() {
  hold_ = true;
  for (auto it = threads_.begin(); it != threads_.end();) {
    // A thread that is gone already (a zombie leader whose group lives on)
    // will never report a stop.
    if (!it->second.stopped && ptrace(PTRACE_INTERRUPT, it->first, nullptr, nullptr) != 0 &&
        errno == ESRCH)
      it = threads_.erase(it);
    else
      ++it;
  }
  auto all_stopped = [&] {
    return std::all_of(threads_.begin(), threads_.end(), [](const auto& e) { return e.second.stopped; });
  };
  while (!threads_.empty() && !all_stopped()) {
    int status = 0;
    pid_t w = waitpid(-1, &status, __WALL | __WNOTHREAD);
    if (w < 0) {
      if (errno == EINTR) continue;
      threads_.clear();  // ECHILD: nothing left to wait for
      break;
    }
    // A thread born meanwhile stops on its own (auto-attach).
    on_wait_status(w, status);
  }
}

void PtraceTracer::settle_pending_traps() {
  // A thread can execute an int3 and then report our interrupt before the
  // trap: the SIGTRAP stays queued and, once detached, would kill the
  // program. Let each such thread take its trap while still traced (it is
  // dequeued before the thread runs another instruction).
  std::vector<pid_t> trapped;
  for (auto& [tid, t] : threads_)
    if (t.stopped && signal_pending(tid, SIGTRAP)) trapped.push_back(tid);
  for (pid_t tid : trapped) {
    if (ptrace(PTRACE_CONT, tid, nullptr, nullptr) != 0) continue;
    threads_[tid].stopped = false;
    wait_until_stopped(tid);
  }
}

void PtraceTracer::detach_all() {
  if (threads_.empty()) {
    if (!gone_) child_exits::release(cfg_.pid);
    return;
  }
  stop_all();
  settle_pending_traps();
  if (mem_)
    for (auto& [addr, bp] : bps_) (void)mem_->write(addr, &bp.original, 1);
  bps_.clear();
  pending_.clear();
  for (auto& [tid, t] : threads_)
    if (t.stopped)
      ptrace(PTRACE_DETACH, tid, nullptr, reinterpret_cast<void*>(static_cast<long>(t.pending_signal)));
  threads_.clear();
  hold_ = false;
  if (!gone_) child_exits::release(cfg_.pid);
}

}  // namespace gotrace::tracer
