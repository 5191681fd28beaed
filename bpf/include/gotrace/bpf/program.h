// The loaded trace program: specs map, ring buffer, and attachments.
//
// One TraceProgram serves one target process. Specs are written by id (the
// attach cookie of every site that uses them); attach() puts all sites of a
// batch behind one uprobe_multi link (one syscall, ~2 ms for 1000 sites, and
// ~60 ms to tear down instead of ~0.1 s per perf-event uprobe). Everything is
// detached when the Attachment or the program is destroyed, including when
// the process dies: the kernel drops uprobes with their last fd.
#pragma once

#include "gotrace/bpf/trace_abi.h"
#include "gotrace/support/result.h"

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace gotrace::bpf {

struct ProgramOptions {
  pid_t tgid = 0;              // only this process's hits are recorded
  uint32_t ring_bytes = 4u << 20;  // the engine passes its own
  uint32_t max_specs = 4096;
};

// One probe site: a file offset in the traced binary and the spec it uses.
struct Site {
  uint64_t file_offset = 0;
  uint32_t spec_id = 0;
};

class Attachment {
 public:
  virtual ~Attachment() = default;
  virtual size_t size() const = 0;  // sites attached
};

class TraceProgram {
 public:
  // Fails with Errc::permission when BPF cannot be loaded (not root, no
  // CAP_BPF/CAP_PERFMON), Errc::unsupported when the kernel lacks a feature.
  static Result<std::unique_ptr<TraceProgram>> load(const ProgramOptions& opts);
  ~TraceProgram();

  Result<void> set_spec(uint32_t id, const gt_spec& spec);
  // Where runtime.g keeps the goroutine id and stack bound, and g's slot
  // from the thread pointer (ABI0 sites); set before the first attach.
  void set_g_layout(const gt_g_layout& layout);

  // Attaches every site to `binary` (a path the kernel can open) for process
  // `pid` (0: any). Sites the kernel refuses are reported in the error.
  Result<std::unique_ptr<Attachment>> attach(const std::string& binary,
                                             std::span<const Site> sites,
                                             pid_t pid);

  // fd to poll for readable ring data (wakeups are batched: also drain on a
  // timer).
  int ring_fd() const;
  using RecordFn = std::function<void(std::span<const uint8_t>)>;
  // Drains every record queued now; returns how many.
  Result<size_t> drain(const RecordFn& fn);
  // Records the BPF program could not queue because the ring was full.
  uint64_t lost() const;
  // The kernel-side hit counters of gt_spec.counter (ids < max_specs).
  Result<uint64_t> hit_count(uint32_t counter) const;
  Result<void> set_hit_count(uint32_t counter, uint64_t value);

 private:
  TraceProgram();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gotrace::bpf
