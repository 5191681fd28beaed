// The ptrace backend's tracer: everything that must run on the one thread
// that seized the target (the kernel accepts ptrace requests for a tracee
// only from its tracer thread). It owns the target's threads, the int3
// breakpoints and the slots their displaced instructions run from, and turns
// every breakpoint stop into the record the BPF program would have written.
//
// Only the thread that hits a breakpoint stops, once: the breakpoint stays in
// place and the thread resumes through an emulation or a displaced copy of the
// original instruction (arch::plan_step_over), so no other thread can run past
// a removed breakpoint unseen and nothing is single-stepped.
#pragma once

#include "gotrace/bpf/program.h"
#include "gotrace/bpf/trace_abi.h"
#include "gotrace/support/result.h"
#include "gotrace/support/unique_fd.h"
#include "gotrace/arch/step_over.h"
#include "hit_record.h"
#include "ptrace_memory.h"

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <vector>

namespace gotrace::tracer {

struct PtraceConfig {
  pid_t pid = 0;
  // The process is held before exec (Process::launch): breakpoints are
  // written once it has exec'd the program.
  bool await_exec = false;
  bool kill_on_exit = false;  // PTRACE_O_EXITKILL: a launched target dies with us
  uint64_t goid_offset = 0;
  uint64_t stack_hi_offset = 0;
  int64_t g_tls_offset = -8;
  uint64_t m_offset = 0, curg_offset = 0;  // as gt_g_layout
};

// What the tracer hands out: records, and messages for the user.
struct PtraceSink {
  std::function<void(std::vector<uint8_t>)> record;
  std::function<void(std::string)> notice;
  // Spec lookup (owned by the backend, which other threads update).
  std::function<bool(uint32_t id, gt_spec* out)> spec;
};

class PtraceTracer {
 public:
  PtraceTracer(PtraceConfig cfg, PtraceSink sink, HitCounters& counters);
  ~PtraceTracer();

  // Seizes every thread of the target. Fails naming why (another tracer,
  // ptrace_scope, a vanished process).
  Result<void> seize();
  // Arms `sites` of the binary at `path` as one unit named `handle`.
  Result<void> add(uint64_t handle, const std::string& path, std::span<const bpf::Site> sites);
  void remove(uint64_t handle);
  // Restores every instruction and lets every thread go, each with the
  // signal it was about to receive. The target keeps running (or is killed
  // by the launcher afterwards).
  void detach_all();

  // True while there are tracees to wait for.
  bool tracing() const { return !threads_.empty(); }
  // No tracee is left to wait for.
  void forget_all_threads() { threads_.clear(); }
  // Handles one wait status of one tracee.
  void on_wait_status(pid_t tid, int status);

 private:
  struct Thread {
    bool stopped = false;     // in a ptrace-stop we did not resume yet
    int pending_signal = 0;   // delivered when resumed
    // A child process still sharing the target's memory (vfork until it
    // execs): it steps over breakpoints but records nothing.
    bool foreign = false;
  };
  struct Breakpoint {
    uint8_t original = 0;
    std::vector<std::pair<uint64_t, uint32_t>> specs;  // (handle, spec id) in arm order
    arch::StepOver plan;
    uint64_t slot = 0;
  };

  Result<void> seize_thread(pid_t tid, bool first);
  Result<void> arm(uint64_t handle, const std::vector<std::pair<uint64_t, uint32_t>>& addrs);
  Result<void> arm_pending();
  Result<uint64_t> slot_for(size_t want_slots);
  // A stopped thread of the target to borrow, and whether we stopped it
  // (then the caller resumes it). Leaves hold_ set.
  Result<std::pair<pid_t, bool>> stop_one_thread();
  void resume(pid_t tid);
  // Handles `tid`'s events (hold_ set: it stays stopped) until it stops;
  // false if it exited.
  bool wait_until_stopped(pid_t tid);
  void on_breakpoint(pid_t tid, Thread& t);
  void on_exec(pid_t tid);
  // A fault in a displaced instruction is reported at the original address.
  void unslot_fault(pid_t tid);
  // A child process of the target (fork, vfork, clone without
  // CLONE_THREAD) at its first stop.
  void on_new_child(pid_t tid);
  void forget_thread(pid_t tid, int status);
  // The target exited or exec'd another program.
  void lose_image();
  void stop_all();
  void settle_pending_traps();
  Result<std::vector<std::pair<uint64_t, uint32_t>>> resolve(const std::string& path,
                                                              std::span<const bpf::Site> sites);

  PtraceConfig cfg_;
  PtraceSink sink_;
  HitCounters& counters_;
  RootGoroutines roots_;  // --follow-calls: goroutines inside a root
  std::map<pid_t, Thread> threads_;
  std::unique_ptr<TargetMemoryFile> mem_;
  std::map<uint64_t, Breakpoint> bps_;
  // Breakpoints removed while threads ran: a trap on one may still come.
  std::set<uint64_t> removed_;
  // Slot -> breakpoint address, kept after removal (a thread may still be
  // running the displaced copy).
  std::map<uint64_t, uint64_t> slot_owner_;
  // Handles armed before exec, waiting for the program's image.
  std::vector<std::tuple<uint64_t, std::string, std::vector<bpf::Site>>> pending_;
  bool exec_seen_ = false;
  bool gone_ = false;
  // Slot pages mapped into the target.
  uint64_t slot_next_ = 0, slot_end_ = 0;
  uint64_t slot_region_hint_ = 0;  // lowest address of the image
  // Keep every thread that stops stopped (while arming, and before detach).
  bool hold_ = false;
};

}  // namespace gotrace::tracer
