// The ptrace tracer's breakpoints: where the sites are in the running image,
// the int3 bytes, and the slots their displaced instructions run from.
#include "ptrace_inject.h"
#include "ptrace_tracer.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>

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

}  // namespace

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
  auto [tid, we_stopped] = *stopped;
  uint64_t len = std::max<uint64_t>(kSlotRegionBytes, (bytes + 4095) & ~uint64_t{4095});
  Result<uint64_t> mapped = make_error(Errc::io, "no room for breakpoint slots near the code");
  int sig = 0;
  // Below the image first (nothing grows into it), then above it.
  uint64_t base = slot_region_hint_ & ~uint64_t{0xfffff};
  for (int k = 1; k <= 16 && !mapped; k++) {
    uint64_t step = static_cast<uint64_t>(k) << 20;
    if (base > step + len && base - step - len >= 0x10000)
      mapped = inject_mmap(tid, *mem_, base - step, len, &sig);
  }
  if (sig) threads_[tid].pending_signal = sig;
  hold_ = held;
  if (we_stopped) resume(tid);
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
    // An instruction is at most 15 bytes; near the end of the mapping fewer
    // can be read.
    uint8_t insn[16];
    size_t have = sizeof insn;
    while (have > 0 && !mem_->read(addr, insn, have)) have--;
    if (have == 0) {
      remove(handle);
      return make_error(Errc::io, "cannot read the instruction at " + hex(addr));
    }
    auto plan = arch::plan_step_over(arch::Machine::amd64, std::span(insn, have), addr, slot);
    if (!plan) {
      remove(handle);
      return plan.error();
    }
    bp.plan = std::move(*plan);
    bp.slot = slot;
    bp.original = insn[0];
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

}  // namespace gotrace::tracer
