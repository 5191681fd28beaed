#include "backend.h"

#include <map>

namespace gotrace::tracer {
namespace {

class BpfBackend final : public Backend {
 public:
  BpfBackend(std::unique_ptr<bpf::TraceProgram> prog, pid_t pid)
      : prog_(std::move(prog)), pid_(pid) {}

  Result<void> set_spec(uint32_t id, const gt_spec& spec) override {
    return prog_->set_spec(id, spec);
  }
  Result<uint64_t> attach(const std::string& path, std::span<const bpf::Site> sites) override {
    auto a = prog_->attach(path, sites, pid_);
    if (!a) return a.error();
    uint64_t h = next_handle_++;
    attachments_.emplace(h, std::move(*a));
    return h;
  }
  void detach(uint64_t handle) override { attachments_.erase(handle); }
  void detach_all() override { attachments_.clear(); }
  int wait_fd() const override { return prog_->ring_fd(); }
  Result<size_t> drain(const bpf::TraceProgram::RecordFn& fn,
                       const std::function<void(const std::string&)>&) override {
    return prog_->drain(fn);
  }
  uint64_t lost() const override { return prog_->lost(); }
  Result<uint64_t> hit_count(uint32_t counter) const override { return prog_->hit_count(counter); }
  Result<void> set_hit_count(uint32_t counter, uint64_t value) override {
    return prog_->set_hit_count(counter, value);
  }

 private:
  std::unique_ptr<bpf::TraceProgram> prog_;
  pid_t pid_;
  uint64_t next_handle_ = 1;
  std::map<uint64_t, std::unique_ptr<bpf::Attachment>> attachments_;
};

}  // namespace

Result<std::unique_ptr<Backend>> make_bpf_backend(const BackendConfig& cfg) {
  bpf::ProgramOptions o;
  o.tgid = cfg.pid;
  if (cfg.max_specs) o.max_specs = cfg.max_specs;
  if (cfg.ring_bytes) o.ring_bytes = cfg.ring_bytes;
  auto prog = bpf::TraceProgram::load(o);
  if (!prog) return prog.error();
  auto layout = cfg.g_layout();
  if (!layout) return layout.error();
  (*prog)->set_g_layout(*layout);
  return std::unique_ptr<Backend>(new BpfBackend(std::move(*prog), cfg.pid));
}

}  // namespace gotrace::tracer
