// The user-space twin of trace.bpf.c's record assembly: given a thread stopped
// at a probe site, the bytes the BPF program would write to the ring, so a
// ptrace backend feeds the same decoder (record.h) as the eBPF one.
//
// Differences on purpose: float registers (amd64 DWARF 17..32, arm64 64..95)
// read as the low 8 bytes of the vector register instead of 0, a failed stack
// copy zeroes all its words instead of the first, and deref padding is zero.
#pragma once

#include "gotrace/arch/machine.h"
#include "gotrace/bpf/trace_abi.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

namespace gotrace::tracer {

// The state of a thread stopped at a probe site.
struct HitRegisters {
  arch::Machine machine = arch::Machine::amd64;
  // By DWARF number: amd64 0..15, arm64 0..30 (x29 is the frame pointer, x30
  // the return address). The stack pointer is read from `sp` only.
  uint64_t gpr[32] = {};
  uint64_t vec_lo[32] = {};  // low 8 bytes of xmm / v registers, by index
  bool have_vec = false;     // false: float words read as 0
  uint64_t sp = 0;
  uint64_t pc = 0;     // the probed instruction
  uint64_t flags = 0;  // EFLAGS (amd64) or PSTATE (arm64)
  uint64_t thread_pointer = 0;  // amd64 FS base (for GT_SPEC_G_FROM_TLS)
};

// Reads target memory: all `len` bytes or nothing (false).
class TargetMemory {
 public:
  virtual ~TargetMemory() = default;
  virtual bool read(uint64_t addr, void* out, size_t len) = 0;
};

struct HitContext {
  uint32_t tgid = 0;
  uint32_t tid = 0;
  uint32_t spec_id = 0;
  uint64_t ts_ns = 0;
  uint64_t goid_offset = 0;  // in runtime.g, as gt_config
  uint64_t stack_hi_offset = 0;
  int64_t g_tls_offset = -8;  // g's slot from the thread pointer
  uint64_t m_offset = 0, curg_offset = 0;  // as gt_g_layout: g0.m.curg
};

// Hit counts for hit conditions, indexed by gt_spec.counter; several threads
// may hit one breakpoint at once.
class HitCounters {
 public:
  explicit HitCounters(size_t n) : counts_(n) {}
  // The new count, or nullopt when `id` is out of range.
  std::optional<uint64_t> increment(uint32_t id);
  std::optional<uint64_t> get(uint32_t id) const;
  bool set(uint32_t id, uint64_t value);  // false when `id` is out of range
  size_t size() const { return counts_.size(); }

 private:
  std::vector<std::atomic<uint64_t>> counts_;
};

// The goroutines inside a --follow-calls root (the BPF program's `roots`
// map): GT_SPEC_ROOT_ENTER / _LEAVE count them, GT_SPEC_UNDER_ROOT keeps
// only their hits.
class RootGoroutines {
 public:
  // Counts `goid` in or out, or says whether it is inside a root.
  bool filter(uint16_t spec_flags, uint64_t goid);

 private:
  std::mutex mu_;
  std::unordered_map<uint64_t, uint64_t> inside_;
};

// The record the BPF program would write for this hit, or nullopt when it
// would write none (morestack pass, predicate or hit condition failed, a
// follow-calls callee outside every root).
std::optional<std::vector<uint8_t>> build_hit_record(const gt_spec& spec,
                                                     const HitRegisters& regs, TargetMemory& mem,
                                                     const HitContext& ctx,
                                                     HitCounters& counters,
                                                     RootGoroutines* roots = nullptr);

// Whether a spec reads vector registers (so the caller fetches them only then).
bool reads_vector_registers(const gt_spec& spec, arch::Machine m);

}  // namespace gotrace::tracer
