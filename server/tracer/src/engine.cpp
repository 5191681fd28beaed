#include "gotrace/tracer/engine.h"

#include "backend.h"
#include "capture_plan.h"
#include "gotrace/arch/abi.h"
#include "gotrace/arch/probe_sites.h"
#include "pairing.h"
#include "record.h"
#include "type_shape.h"

#include <re2/re2.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <deque>

namespace gotrace::tracer {
namespace {

arch::Machine machine_of(symbols::Machine m) {
  return m == symbols::Machine::arm64 ? arch::Machine::arm64 : arch::Machine::amd64;
}

uint8_t branch_cond_code(arch::BranchCond c) {
  switch (c) {
    case arch::BranchCond::amd64_jbe: return GT_COND_AMD64_JBE;
    case arch::BranchCond::amd64_jb: return GT_COND_AMD64_JB;
    case arch::BranchCond::arm64_ls: return GT_COND_ARM64_LS;
    case arch::BranchCond::arm64_lo: return GT_COND_ARM64_LO;
    case arch::BranchCond::none: return 0;
  }
  return 0;
}

uint64_t clock_ns(clockid_t id) {
  timespec ts;
  clock_gettime(id, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// Type and function lookups for runtime addresses seen in captured values.
class BinaryTypes final : public values::TypeLookup {
 public:
  explicit BinaryTypes(const symbols::Binary& b) : b_(b) {}
  const symbols::Type* by_runtime_address(uint64_t addr) const override {
    return addr >= bias_ ? b_.type_by_runtime_address(addr - bias_) : nullptr;
  }
  std::string function_name(uint64_t pc) const override {
    const symbols::Function* f = pc >= bias_ ? b_.function_at(pc - bias_) : nullptr;
    return f && f->entry + bias_ == pc ? f->name : std::string();
  }
  void set_bias(uint64_t bias) { bias_ = bias; }

 private:
  const symbols::Binary& b_;
  uint64_t bias_ = 0;
};

// A site's decoding recipe: which function, entry or return, which values.
// Every probed address has its own spec id, so a record names its site.
struct SiteInfo {
  const TracedFunction* fn = nullptr;
  bool is_return = false;
  uint64_t pc = 0;     // entry: the function's entry (what Delve reports)
  uint64_t probe = 0;  // the probed instruction
  std::vector<ValuePlan> values;
  // A function whose first instruction is its RET (an optimized leaf that
  // returns an argument unchanged) has one site for both events: values
  // before `split` are the entry's, the rest the return's.
  bool entry_and_return = false;
  size_t split = 0;
};

}  // namespace

struct Engine::Impl {
  std::unique_ptr<symbols::Binary> binary;
  std::unique_ptr<BinaryTypes> types;
  std::deque<TracedFunction> functions;  // stable addresses
  std::vector<SiteInfo> sites;           // indexed by spec id
  std::vector<gt_spec> specs;
  std::vector<std::vector<bpf::Site>> probe_sites;  // per function, by id
  std::unique_ptr<Backend> backend;
  Pairing pairing;
  int64_t wall_offset_ns = 0;
  uint64_t bias = 0;  // PIE load bias: runtime minus link-time addresses
  bool bias_known = false;

  // The first hit tells where a PIE binary was loaded: the record carries the
  // runtime address of a site whose link-time address we know. (Reading
  // /proc/PID/maps instead races with short-lived processes.)
  void learn_bias(const Record& rec, const SiteInfo& site) {
    bias_known = true;
    if (!binary->is_pie() || rec.hdr.ip < site.probe) return;
    bias = rec.hdr.ip - site.probe;
    types->set_bias(bias);
  }

  void load_values(const Record& rec, const SiteInfo& site, size_t first, size_t last,
                   TraceEvent& ev) const {
    CapturedMemory mem(rec, binary.get(), bias);
    const values::LoadConfig& cfg = site.fn->options.load;
    uint64_t reg_index = 0;
    for (size_t i = first; i < last && i < site.values.size(); i++) {
      const ValuePlan& vp = site.values[i];
      // Delve's addresses: the stack slot, or a fake one for register values.
      uint64_t addr = vp.on_stack ? rec.hdr.sp + static_cast<uint64_t>(vp.stack_offset)
                                  : values::kFakeAddressBase + 0x100 * reg_index++;
      values::Variable v;
      if (!vp.unreadable.empty() || !vp.type) {
        static const symbols::Type unknown{};
        v = values::unreadable_variable(vp.name, vp.type ? *vp.type : unknown, vp.unreadable);
      } else {
        std::vector<uint8_t> bytes(vp.size, 0);
        for (const Chunk& c : vp.chunks) {
          if (c.word >= rec.words.size() || c.value_offset + c.size > bytes.size()) continue;
          std::memcpy(bytes.data() + c.value_offset, &rec.words[c.word], std::min<uint32_t>(c.size, 8));
        }
        v = values::load_variable(vp.name, *vp.type, bytes, mem, *types, cfg, addr);
      }
      v.flags |= vp.is_result ? values::kVarReturnArgument : values::kVarArgument;
      ev.values.push_back(std::move(v));
    }
  }
};

Engine::Engine() : impl_(std::make_unique<Impl>()) {}
Engine::~Engine() { stop(); }

Result<std::unique_ptr<Engine>> Engine::open(const std::string& path) {
  auto bin = symbols::Binary::open(path);
  if (!bin) return bin.error();
  std::unique_ptr<Engine> e(new Engine());
  e->impl_->binary = std::move(*bin);
  e->impl_->types = std::make_unique<BinaryTypes>(*e->impl_->binary);
  return e;
}

const symbols::Binary& Engine::binary() const { return *impl_->binary; }

Result<std::vector<const symbols::Function*>> Engine::match(std::string_view regex) const {
  RE2::Options o;
  o.set_log_errors(false);
  RE2 re(regex, o);
  if (!re.ok())
    return make_error(Errc::invalid_argument,
                      "invalid regular expression \"" + std::string(regex) + "\": " + re.error());
  std::vector<const symbols::Function*> out;
  for (const symbols::Function& f : impl_->binary->functions())
    if (RE2::PartialMatch(f.name, re)) out.push_back(&f);
  return out;
}

Result<const TracedFunction*> Engine::add(const symbols::Function& fn, const TraceOptions& opts) {
  const symbols::Binary& bin = *impl_->binary;
  auto sig = bin.signature(fn);
  if (!sig) return sig.error();
  auto code = bin.code(fn);
  if (!code) return code.error();
  arch::Machine m = machine_of(bin.machine());
  uint64_t deferreturn = bin.symbol_address("runtime.deferreturn").value_or(0);
  auto sites = arch::find_probe_sites(m, *code, fn.entry, deferreturn);
  if (!sites)
    return make_error(sites.error().code, fn.name + ": " + sites.error().message);

  std::vector<arch::AbiType> in, out;
  if (sig->has_dictionary) {
    // The hidden generic dictionary pointer takes the first integer register.
    arch::AbiType dict;
    dict.size = dict.align = 8;
    in.push_back(dict);
  }
  for (const auto& p : sig->params) {
    if (!p.type) return make_error(Errc::unsupported, fn.name + ": parameter " + p.name + " has no type");
    in.push_back(abi_type_of(*p.type));
  }
  for (const auto& r : sig->results) {
    if (!r.type) return make_error(Errc::unsupported, fn.name + ": result " + r.name + " has no type");
    out.push_back(abi_type_of(*r.type));
  }
  arch::FrameLayout layout = arch::assign_frame(m, in, out);
  if (sig->has_dictionary) layout.params.erase(layout.params.begin());

  // Every site's file offset first, so a failure leaves nothing half-added.
  auto entry_off = bin.file_offset(sites->entry.address);
  if (!entry_off) return make_error(entry_off.error().code, fn.name + ": " + entry_off.error().message);
  std::vector<uint64_t> ret_offs;
  for (uint64_t r : sites->returns) {
    auto roff = bin.file_offset(r);
    if (!roff) return make_error(roff.error().code, fn.name + ": " + roff.error().message);
    ret_offs.push_back(*roff);
  }

  TracedFunction& tf = impl_->functions.emplace_back();
  tf.id = static_cast<uint32_t>(impl_->functions.size() - 1);
  tf.function = &fn;
  tf.signature = std::move(*sig);
  tf.entry_line = bin.pc_to_line(fn.entry).value_or(tf.signature.decl);
  tf.entry_probe = sites->entry.address;
  // Only RETs: since Go 1.18 runtime.deferreturn always returns to its caller,
  // which then reaches a RET, so RET probes see every return exactly once;
  // probing the deferreturn call as well (as Delve 1.20.2 does) prints two
  // return lines per call.
  tf.return_probes = sites->returns;
  tf.options = opts;

  auto add_site = [&](SitePlan plan, bool is_return, uint64_t pc, uint64_t probe,
                      uint64_t flags, uint8_t cond, bool combined = false, size_t split = 0) {
    uint32_t id = static_cast<uint32_t>(impl_->specs.size());
    plan.spec.fn_id = tf.id;
    plan.spec.flags = static_cast<gt_u16>(flags);
    plan.spec.branch_cond = cond;
    // One extra frame tells whether the stack was truncated at the depth.
    if (opts.stack_depth > 0)
      plan.spec.stack_frames =
          static_cast<gt_u8>(std::min(opts.stack_depth + 1, GT_MAX_FRAMES));
    impl_->specs.push_back(plan.spec);
    impl_->sites.push_back({&tf, is_return, pc, probe, std::move(plan.values), combined, split});
    return id;
  };

  bool branch = sites->entry.kind == arch::EntryKind::stack_check_branch;
  bool entry_is_ret = opts.returns && std::find(sites->returns.begin(), sites->returns.end(),
                                                sites->entry.address) != sites->returns.end();
  uint32_t entry_id;
  if (entry_is_ret) {
    std::vector<symbols::Variable> vars = tf.signature.params;
    vars.insert(vars.end(), tf.signature.results.begin(), tf.signature.results.end());
    std::vector<arch::ValueLocation> locs = layout.params;
    locs.insert(locs.end(), layout.results.begin(), layout.results.end());
    entry_id = add_site(plan_site(vars, locs, opts.load), false, fn.entry,
                        sites->entry.address, 0, 0, /*combined=*/true,
                        tf.signature.params.size());
  } else {
    entry_id = add_site(plan_site(tf.signature.params, layout.params, opts.load), false,
                        fn.entry, sites->entry.address, branch ? GT_SPEC_SKIP_BRANCH : 0,
                        branch_cond_code(sites->entry.cond));
  }
  std::vector<bpf::Site> probes{{*entry_off, entry_id}};
  if (opts.returns) {
    auto ret_plan = plan_site(tf.signature.results, layout.results, opts.load);
    for (size_t i = 0; i < sites->returns.size(); i++) {
      uint64_t r = sites->returns[i];
      if (entry_is_ret && r == sites->entry.address) continue;
      probes.push_back({ret_offs[i], add_site(ret_plan, true, r, r, GT_SPEC_RETURN, 0)});
    }
  }
  impl_->probe_sites.push_back(std::move(probes));
  return &tf;
}

Result<std::vector<Engine::Skipped>> Engine::start(pid_t pid, const std::string& path,
                                                   uint32_t ring_bytes) {
  if (impl_->probe_sites.empty())
    return make_error(Errc::invalid_argument, "no functions to trace");
  if (ring_bytes < 4096 || (ring_bytes & (ring_bytes - 1)) != 0)
    return make_error(Errc::invalid_argument,
                      "ring buffer size " + std::to_string(ring_bytes) +
                          " is not a power of two of at least 4096 bytes");
  auto goid = impl_->binary->g_goid_offset();
  if (!goid) return goid.error();
  auto hi = impl_->binary->g_stack_hi_offset();
  if (!hi) return hi.error();
  BackendConfig cfg;
  cfg.goid_offset = *goid;
  cfg.stack_hi_offset = *hi;
  cfg.pid = pid;
  cfg.max_specs = static_cast<uint32_t>(std::max<size_t>(impl_->specs.size(), 1));
  cfg.ring_bytes = ring_bytes;
  auto be = make_bpf_backend(cfg);
  if (!be) return be.error();
  for (uint32_t id = 0; id < impl_->specs.size(); id++) {
    auto r = (*be)->set_spec(id, impl_->specs[id]);
    if (!r) return r.error();
  }
  std::vector<bpf::Site> all;
  for (const auto& fs : impl_->probe_sites) all.insert(all.end(), fs.begin(), fs.end());
  std::vector<Skipped> skipped;
  if (auto r = (*be)->attach(path, all); !r) {
    if (r.error().code == Errc::permission) return r.error();
    for (size_t i = 0; i < impl_->probe_sites.size(); i++)
      if (auto one = (*be)->attach(path, impl_->probe_sites[i]); !one)
        skipped.push_back({&impl_->functions[i], one.error()});
    if (skipped.size() == impl_->probe_sites.size()) return r.error();
  }
  impl_->backend = std::move(*be);
  impl_->wall_offset_ns = static_cast<int64_t>(clock_ns(CLOCK_REALTIME)) -
                          static_cast<int64_t>(clock_ns(CLOCK_MONOTONIC));
  return skipped;
}

std::vector<Frame> Engine::stack(const TraceEvent& ev, bool* truncated) const {
  const symbols::Binary& bin = *impl_->binary;
  std::vector<Frame> out;
  uint64_t bias = impl_->bias;
  auto frame_at = [&](uint64_t pc, uint64_t line_pc) {
    Frame f;
    f.pc = pc;
    const symbols::Function* fn = pc >= bias ? bin.function_at(pc - bias) : nullptr;
    f.function = fn ? fn->name : "?";
    if (auto l = bin.pc_to_line(line_pc - bias)) {
      f.file = l->file;
      f.line = l->line;
    }
    return f;
  };
  out.push_back(frame_at(ev.site_pc, ev.site_pc));
  size_t depth = static_cast<size_t>(std::max(ev.function->options.stack_depth, 0));
  for (size_t i = 0; i < ev.return_addresses.size() && i < depth; i++) {
    uint64_t ra = ev.return_addresses[i];
    // A return address is the instruction after the CALL; the call's line
    // is the one of the byte before it.
    out.push_back(frame_at(ra, ra - 1));
  }
  if (truncated) *truncated = ev.return_addresses.size() > depth;
  return out;
}

void Engine::stop() {
  if (impl_ && impl_->backend) impl_->backend->detach();
}

int Engine::wait_fd() const { return impl_->backend ? impl_->backend->wait_fd() : -1; }

uint64_t Engine::lost() const { return impl_->backend ? impl_->backend->lost() : 0; }

Result<size_t> Engine::drain(const std::function<void(const TraceEvent&)>& sink) {
  if (!impl_->backend) return size_t{0};
  Error failure;
  bool failed = false;
  auto n = impl_->backend->drain([&](std::span<const uint8_t> raw) {
    auto rec = parse_record(raw);
    if (!rec) {
      failure = rec.error();
      failed = true;
      return;
    }
    if (rec->hdr.spec_id >= impl_->sites.size()) return;
    const SiteInfo& site = impl_->sites[rec->hdr.spec_id];
    if (!impl_->bias_known) impl_->learn_bias(*rec, site);
    auto emit = [&](bool is_return, size_t first, size_t last) {
      TraceEvent ev;
      ev.kind = is_return ? TraceEvent::Kind::ret : TraceEvent::Kind::entry;
      ev.function = site.fn;
      ev.goroutine = rec->hdr.goid;
      ev.pid = rec->hdr.tgid;
      ev.tid = rec->hdr.tid;
      ev.mono_ns = rec->hdr.ts_ns;
      ev.wall_ns =
          static_cast<uint64_t>(static_cast<int64_t>(rec->hdr.ts_ns) + impl_->wall_offset_ns);
      CallKey key{rec->hdr.goid, rec->hdr.depth, site.fn->id};
      if (is_return)
        ev.duration_ns = impl_->pairing.returned(key, rec->hdr.ts_ns);
      else
        impl_->pairing.entered(key, rec->hdr.ts_ns);
      ev.site_pc = site.pc + impl_->bias;
      ev.return_addresses = rec->frames;
      impl_->load_values(*rec, site, first, last, ev);
      sink(ev);
    };
    if (site.entry_and_return) {
      emit(false, 0, site.split);
      emit(true, site.split, site.values.size());
    } else {
      emit(site.is_return, 0, site.values.size());
    }
  });
  if (!n) return n.error();
  if (failed) return failure;
  return n;
}

}  // namespace gotrace::tracer
