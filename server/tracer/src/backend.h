// What the engine needs from a hit collector. The eBPF backend implements it
// with uprobes; the ptrace backend implements the same contract with int3
// breakpoints and produces the same records, so decoding is shared.
#pragma once

#include "gotrace/bpf/program.h"
#include "gotrace/bpf/trace_abi.h"
#include "gotrace/support/result.h"

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace gotrace::tracer {

struct BackendConfig {
  // Where the binary's runtime.g keeps what every hit reads (the offsets
  // come from its DWARF). Called once by the backend: the eBPF one calls it
  // after loading its program, so that libbpf's short-lived heap is given
  // back before the DWARF is read, not stacked under it.
  std::function<Result<gt_g_layout>()> g_layout;
  pid_t pid = 0;
  uint32_t max_specs = 0;
  uint32_t ring_bytes = 0;
  // ptrace: the process is held before exec (Process::launch), and dies
  // with us.
  bool await_exec = false;
  bool kill_on_exit = false;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual Result<void> set_spec(uint32_t id, const gt_spec& spec) = 0;
  // Attaches a batch of sites as one unit; the handle detaches it.
  virtual Result<uint64_t> attach(const std::string& path, std::span<const bpf::Site> sites) = 0;
  virtual void detach(uint64_t handle) = 0;
  virtual void detach_all() = 0;
  virtual int wait_fd() const = 0;
  // Hands out queued records in order; messages about the target (it
  // forked, exec'd) go to `notice` at their place among them.
  virtual Result<size_t> drain(const bpf::TraceProgram::RecordFn& fn,
                               const std::function<void(const std::string&)>& notice) = 0;
  virtual uint64_t lost() const = 0;
  virtual Result<uint64_t> hit_count(uint32_t counter) const = 0;
  virtual Result<void> set_hit_count(uint32_t counter, uint64_t value) = 0;
  // Whether words of float registers hold their values (uprobe contexts
  // have no float registers; ptrace reads them).
  virtual bool reads_float_registers() const { return false; }
};

Result<std::unique_ptr<Backend>> make_bpf_backend(const BackendConfig& cfg);
Result<std::unique_ptr<Backend>> make_ptrace_backend(const BackendConfig& cfg);

}  // namespace gotrace::tracer
