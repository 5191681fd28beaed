#include "gotrace/tracer/engine.h"

#include "backend.h"
#include "binary_types.h"
#include "kernel_filter.h"
#include "line_plan.h"
#include "pairing.h"
#include "record.h"
#include "site_plan.h"
#include "value_loader.h"

#include <re2/re2.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <deque>
#include <map>
#include <optional>

namespace gotrace::tracer {
namespace {

uint64_t clock_ns(clockid_t id) {
  timespec ts;
  clock_gettime(id, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// Where a function's probes live: the link it shares (0: not attached).
struct Attached {
  std::vector<bpf::Site> sites;
  uint64_t link = 0;
};

}  // namespace

struct Engine::Impl {
  std::unique_ptr<symbols::Binary> binary;
  std::unique_ptr<BinaryTypes> types;
  std::deque<TracedFunction> functions;  // stable addresses, indexed by id
  std::deque<Attached> attached;         // parallel to functions
  std::vector<SiteInfo> sites;           // indexed by spec id
  std::vector<gt_spec> specs;
  std::unique_ptr<Backend> backend;
  std::string path;
  Pairing pairing;
  int64_t wall_offset_ns = 0;
  bool bias_known = false;
  uint32_t spec_capacity = 0;  // size of the kernel's spec array
  uint32_t next_counter = 0;   // kernel hit counters handed out
  std::vector<std::pair<uint32_t, uint64_t>> counter_starts;  // set at start()
  BackendKind kind = BackendKind::automatic;
  Engine::Stats stats;
  std::string fallback_reason;
  bool float_registers = false;
  std::vector<std::string> notices;  // drained without a notice callback
  // Functions removed, by (function, line pc): traced again with the same
  // options they take back their id and spec ids. Without that every
  // set/clear cycle of a client would use up spec slots (kMaxSpecs per
  // session) and memory for good.
  std::multimap<std::pair<const symbols::Function*, uint64_t>, uint32_t> removed;
  // What the ring held when probes were removed, for functions still
  // traced (a record, or a notice among them): handed out first by drain().
  // Taken out at once, so that no record of a removed site is left to be
  // mistaken for one of the function traced again with its spec ids.
  struct Held {
    std::vector<uint8_t> record;
    std::string notice;
  };
  std::deque<Held> held;

  Result<std::unique_ptr<Backend>> make_backend(BackendKind k, const BackendConfig& cfg) {
    uint64_t t0 = clock_ns(CLOCK_MONOTONIC);
    auto be = k == BackendKind::ptrace ? make_ptrace_backend(cfg) : make_bpf_backend(cfg);
    stats.load_ms = static_cast<double>(clock_ns(CLOCK_MONOTONIC) - t0) / 1e6;
    if (!be) return be.error();
    for (uint32_t id = 0; id < specs.size(); id++)
      if (auto r = (*be)->set_spec(id, specs[id]); !r) return r.error();
    for (auto [id, start] : counter_starts)
      if (auto r = (*be)->set_hit_count(id, start); !r) return r.error();
    return be;
  }

  // The first hit tells where a PIE binary was loaded: the record carries the
  // runtime address of a site whose link-time address we know. (Reading
  // /proc/PID/maps instead races with short-lived processes.)
  void learn_bias(const Record& rec, const SiteInfo& site) {
    bias_known = true;
    if (binary->is_pie() && rec.hdr.ip >= site.probe) types->set_bias(rec.hdr.ip - site.probe);
  }

  // Functions sharing `link`, other than `except`.
  std::vector<uint32_t> sharing(uint64_t link, uint32_t except) const {
    std::vector<uint32_t> out;
    for (uint32_t i = 0; i < attached.size(); i++)
      if (i != except && attached[i].link == link && functions[i].active) out.push_back(i);
    return out;
  }

  // Gives `proto` an id and its sites spec ids; attaches it at once when
  // the backend runs.
  // A removed function traced again exactly as before (same sites and
  // options); its id, or nullopt.
  std::optional<uint32_t> take_removed(const TracedFunction& proto, const std::vector<PlannedSite>& planned) {
    auto [lo, hi] = removed.equal_range({proto.function, proto.line_pc});
    for (auto it = lo; it != hi; ++it) {
      uint32_t id = it->second;
      const std::vector<bpf::Site>& old = attached[id].sites;
      if (!(functions[id].options == proto.options) || old.size() != planned.size()) continue;
      bool same = true;
      for (size_t k = 0; k < old.size(); k++) same = same && old[k].file_offset == planned[k].file_offset;
      if (!same) continue;
      removed.erase(it);
      return id;
    }
    return std::nullopt;
  }

  Result<const TracedFunction*> register_traced(TracedFunction proto, std::vector<PlannedSite> planned) {
    const std::string& name = proto.function->name;
    if (auto id = take_removed(proto, planned)) return retrace(*id, std::move(planned));
    size_t cap = backend ? spec_capacity : kMaxSpecs;
    if (specs.size() + planned.size() > cap)
      return make_error(Errc::unsupported,
                        name + ": too many probe sites (at most " + std::to_string(cap) + " per session)");
    TracedFunction& tf = functions.emplace_back(std::move(proto));
    tf.id = static_cast<uint32_t>(functions.size() - 1);
    Attached& att = attached.emplace_back();
    for (PlannedSite& ps : planned) {
      uint32_t spec_id = static_cast<uint32_t>(specs.size());
      ps.spec.fn_id = tf.id;
      ps.info.fn = &tf;
      specs.push_back(ps.spec);
      sites.push_back(std::move(ps.info));
      att.sites.push_back({ps.file_offset, spec_id});
    }
    if (backend) {
      for (const bpf::Site& s : att.sites)
        if (auto r = backend->set_spec(s.spec_id, specs[s.spec_id]); !r) {
          tf.active = false;
          return r.error();
        }
      if (auto link = attach_functions({tf.id}); !link) {
        tf.active = false;
        return make_error(link.error().code, name + ": " + link.error().message);
      }
    }
    return &tf;
  }

  // register_traced for a removed function's id: its spec ids get the
  // fresh plan's specs; the TracedFunction is the same as planned again.
  Result<const TracedFunction*> retrace(uint32_t id, std::vector<PlannedSite> planned) {
    TracedFunction& tf = functions[id];
    Attached& att = attached[id];
    for (size_t k = 0; k < planned.size(); k++) {
      uint32_t spec_id = att.sites[k].spec_id;
      planned[k].spec.fn_id = id;
      planned[k].info.fn = &tf;
      specs[spec_id] = planned[k].spec;
      sites[spec_id] = std::move(planned[k].info);
    }
    tf.active = true;
    if (backend) {
      auto failed = [&](const Error& e) -> Error {
        tf.active = false;
        removed.insert({{tf.function, tf.line_pc}, id});
        return make_error(e.code, tf.function->name + ": " + e.message);
      };
      for (const bpf::Site& s : att.sites)
        if (auto r = backend->set_spec(s.spec_id, specs[s.spec_id]); !r) return failed(r.error());
      if (auto link = attach_functions({id}); !link) return failed(link.error());
    }
    return &tf;
  }

  Result<uint64_t> attach_functions(const std::vector<uint32_t>& ids) {
    std::vector<bpf::Site> all;
    for (uint32_t id : ids) all.insert(all.end(), attached[id].sites.begin(), attached[id].sites.end());
    auto link = backend->attach(path, all);
    if (!link) return link.error();
    for (uint32_t id : ids) attached[id].link = *link;
    return *link;
  }
};

Engine::Engine() : impl_(std::make_unique<Impl>()) {}
Engine::~Engine() { stop(); }

Result<std::unique_ptr<Engine>> Engine::open(const std::string& path) { return open(path, {}); }

Result<std::unique_ptr<Engine>> Engine::open(const std::string& path, const symbols::Binary::OpenOptions& opts) {
  auto bin = symbols::Binary::open(path, opts);
  if (!bin) return bin.error();
  std::unique_ptr<Engine> e(new Engine());
  e->impl_->binary = std::move(*bin);
  e->impl_->types = std::make_unique<BinaryTypes>(*e->impl_->binary);
  return e;
}

const symbols::Binary& Engine::binary() const { return *impl_->binary; }

// Go's regexp/syntax error text for what RE2 refused: Delve's users see
// Go's words, and RE2 reports the same fragment Go does.
std::string go_regexp_error(const RE2& re) {
  const char* code = "unexpected error";
  switch (re.error_code()) {
    case RE2::ErrorBadEscape: code = "invalid escape sequence"; break;
    case RE2::ErrorBadCharClass: code = "invalid character class"; break;
    case RE2::ErrorBadCharRange: code = "invalid character class range"; break;
    case RE2::ErrorMissingBracket: code = "missing closing ]"; break;
    case RE2::ErrorMissingParen: code = "missing closing )"; break;
    case RE2::ErrorUnexpectedParen: code = "unexpected )"; break;
    case RE2::ErrorTrailingBackslash: code = "trailing backslash at end of expression"; break;
    case RE2::ErrorRepeatArgument: code = "missing argument to repetition operator"; break;
    case RE2::ErrorRepeatSize: code = "invalid repeat count"; break;
    case RE2::ErrorRepeatOp: code = "invalid nested repetition operator"; break;
    case RE2::ErrorBadPerlOp: code = "invalid or unsupported Perl syntax"; break;
    case RE2::ErrorBadUTF8: code = "invalid UTF-8"; break;
    case RE2::ErrorBadNamedCapture: code = "invalid named capture"; break;
    case RE2::ErrorPatternTooLarge: code = "expression too large"; break;
    default: break;
  }
  return std::string("error parsing regexp: ") + code + ": `" + re.error_arg() + "`";
}

Result<std::vector<const symbols::Function*>> Engine::match(std::string_view regex) const {
  RE2::Options o;
  o.set_log_errors(false);
  RE2 re(regex, o);
  if (!re.ok()) return make_error(Errc::invalid_argument, "invalid filter argument: " + go_regexp_error(re));
  std::vector<const symbols::Function*> out;
  for (const symbols::Function& f : impl_->binary->functions())
    if (RE2::PartialMatch(f.name, re)) out.push_back(&f);
  return out;
}

Result<const TracedFunction*> Engine::add(const symbols::Function& fn, const TraceOptions& opts) {
  auto plan = plan_function(*impl_->binary, fn, opts);
  if (!plan) return plan.error();
  TracedFunction tf;
  tf.function = &fn;
  tf.signature = std::move(plan->signature);
  tf.entry_line = plan->entry_line;
  tf.entry_probe = plan->entry_probe;
  tf.return_probes = std::move(plan->return_probes);
  tf.raw_values = plan->raw_values;
  tf.options = opts;
  return impl_->register_traced(std::move(tf), std::move(plan->sites));
}

Result<const TracedFunction*> Engine::add_line(const symbols::Function& fn, uint64_t pc,
                                               const LineCapture& capture,
                                               const TraceOptions& opts) {
  auto plan = plan_line(*impl_->binary, fn, pc, capture, opts);
  if (!plan) return plan.error();
  TracedFunction tf;
  tf.function = &fn;
  tf.signature = std::move(plan->signature);
  tf.entry_line = plan->line;
  tf.entry_probe = pc;
  tf.options = opts;
  tf.options.returns = false;
  tf.line_pc = pc;
  plan->site.info.is_line = true;
  std::vector<PlannedSite> sites;
  sites.push_back(std::move(plan->site));
  return impl_->register_traced(std::move(tf), std::move(sites));
}

namespace {
uint8_t hit_op_code(KernelHitCondition::Op op) {
  switch (op) {
    case KernelHitCondition::Op::eq: return GT_HIT_EQ;
    case KernelHitCondition::Op::ne: return GT_HIT_NE;
    case KernelHitCondition::Op::lt: return GT_HIT_LT;
    case KernelHitCondition::Op::le: return GT_HIT_LE;
    case KernelHitCondition::Op::gt: return GT_HIT_GT;
    case KernelHitCondition::Op::ge: return GT_HIT_GE;
    case KernelHitCondition::Op::mod: return GT_HIT_MOD;
  }
  return GT_HIT_NONE;
}
}  // namespace

std::optional<uint32_t> Engine::new_hit_counter(uint64_t start) {
  // Counter ids index a map sized like the spec array.
  uint32_t cap = impl_->backend ? impl_->spec_capacity : 4096;
  if (impl_->next_counter >= cap) return std::nullopt;
  uint32_t id = impl_->next_counter++;
  if (impl_->backend && !impl_->backend->set_hit_count(id, start)) return std::nullopt;
  if (!impl_->backend) impl_->counter_starts.emplace_back(id, start);
  return id;
}

uint64_t Engine::hit_count(uint32_t counter) const {
  if (!impl_->backend) return 0;
  auto n = impl_->backend->hit_count(counter);
  return n ? *n : 0;
}

Result<size_t> Engine::set_kernel_filter(const TracedFunction* fn,
                                         const std::vector<KernelTerm>& terms,
                                         const std::optional<KernelHitCondition>& hit) {
  return set_kernel_filter(fn, std::vector<std::vector<KernelTerm>>{terms}, hit);
}

Result<size_t> Engine::set_kernel_filter(const TracedFunction* fn,
                                         const std::vector<std::vector<KernelTerm>>& groups,
                                         const std::optional<KernelHitCondition>& hit) {
  if (!fn || fn->id >= impl_->functions.size() || !impl_->functions[fn->id].active)
    return make_error(Errc::not_found, "function is not being traced");
  size_t installed = 0;
  for (const bpf::Site& site : impl_->attached[fn->id].sites) {
    const SiteInfo& info = impl_->sites[site.spec_id];
    // A combined entry+return site would lose its returns too.
    if (info.is_return || info.entry_and_return) continue;
    gt_spec& spec = impl_->specs[site.spec_id];
    spec.n_preds = 0;
    std::vector<gt_pred> preds = kernel_predicates(groups, info.values);
    for (const gt_pred& p : preds) spec.preds[spec.n_preds++] = p;
    installed = spec.n_preds;
    spec.hit_op = hit ? hit_op_code(hit->op) : GT_HIT_NONE;
    spec.counter = hit ? hit->counter : 0;
    spec.hit_value = hit ? hit->n : 0;
    if (impl_->backend)
      if (auto r = impl_->backend->set_spec(site.spec_id, spec); !r) return r.error();
  }
  return installed;
}

size_t Engine::kernel_filter_size(const TracedFunction* fn) const {
  if (!fn || fn->id >= impl_->functions.size()) return 0;
  size_t n = 0;
  for (const bpf::Site& site : impl_->attached[fn->id].sites)
    n = std::max<size_t>(n, impl_->specs[site.spec_id].n_preds);
  return n;
}

Result<void> Engine::remove(const TracedFunction* fn) {
  if (!fn || fn->id >= impl_->functions.size() || !impl_->functions[fn->id].active)
    return make_error(Errc::not_found, "function is not being traced");
  TracedFunction& tf = impl_->functions[fn->id];
  tf.active = false;
  Attached& att = impl_->attached[fn->id];
  if (impl_->backend && att.link) {
    uint64_t old = att.link;
    std::vector<uint32_t> rest = impl_->sharing(old, fn->id);
    impl_->backend->detach(old);
    att.link = 0;
    // A link is all-or-nothing: re-attach the functions that shared it.
    if (!rest.empty())
      if (auto r = impl_->attach_functions(rest); !r) return r.error();
  }
  if (impl_->backend) {
    // The probes are gone (detaching waits for running handlers): every
    // record of this function is in the ring now. Drop those, keep the rest.
    auto n = impl_->backend->drain(
        [&](std::span<const uint8_t> raw) {
          auto rec = parse_record(raw);
          if (rec && rec->hdr.spec_id < impl_->sites.size() && !impl_->sites[rec->hdr.spec_id].fn->active) return;
          impl_->held.push_back({{raw.begin(), raw.end()}, {}});
        },
        [&](const std::string& text) { impl_->held.push_back({{}, text}); });
    if (!n) return n.error();
  }
  impl_->pairing.forget(fn->id);
  impl_->removed.insert({{tf.function, tf.line_pc}, fn->id});
  return {};
}

Result<std::vector<uint64_t>> Engine::return_addresses(const symbols::Function& fn) const {
  // Entry-only planning: a function with no RET has no return addresses,
  // not an error (Delve's FunctionReturnLocations answers []).
  TraceOptions entry_only;
  entry_only.returns = false;
  auto plan = plan_function(*impl_->binary, fn, entry_only);
  if (!plan) return plan.error();
  return plan->return_probes;
}

size_t Engine::probe_sites(const TracedFunction& fn) const { return impl_->attached[fn.id].sites.size(); }

size_t Engine::probe_sites() const {
  size_t n = 0;
  for (const TracedFunction& f : impl_->functions)
    if (f.active) n += impl_->attached[f.id].sites.size();
  return n;
}

std::vector<const TracedFunction*> Engine::traced() const {
  std::vector<const TracedFunction*> out;
  for (const TracedFunction& f : impl_->functions)
    if (f.active) out.push_back(&f);
  return out;
}

std::string_view backend_name(BackendKind k) {
  switch (k) {
    case BackendKind::automatic: return "auto";
    case BackendKind::ebpf: return "ebpf";
    case BackendKind::ptrace: return "ptrace";
  }
  return "auto";
}

std::optional<BackendKind> parse_backend(std::string_view name) {
  if (name == "auto") return BackendKind::automatic;
  if (name == "ebpf") return BackendKind::ebpf;
  if (name == "ptrace") return BackendKind::ptrace;
  return std::nullopt;
}

Result<BackendKind> default_backend() {
  const char* env = std::getenv("GOTRACE_BACKEND");
  if (!env || !*env) return BackendKind::automatic;
  if (auto k = parse_backend(env)) return *k;
  return make_error(Errc::invalid_argument, "GOTRACE_BACKEND=" + std::string(env) +
                                                " is not one of ebpf, ptrace, auto");
}

std::string raw_values_notice(const symbols::Binary& bin, const std::vector<std::string>& functions) {
  const char* how = "values are raw words, as many as the argument frame holds, read from the "
                    "argument registers and stack slots at the entry and from the same ones at "
                    "each return";
  if (!bin.has_dwarf())
    return "gotrace: " + bin.path() + " has no debug information (stripped): " + how;
  std::string names;
  for (size_t i = 0; i < functions.size() && i < 3; i++) names += (i ? ", " : "") + functions[i];
  if (functions.size() > 3) names += " and " + std::to_string(functions.size() - 3) + " more";
  return "gotrace: " + names + (functions.size() == 1 ? " is" : " are") +
         " written in assembly (no parameter types): " + how;
}

Result<std::vector<Engine::Skipped>> Engine::start(pid_t pid, const std::string& path,
                                                   uint32_t ring_bytes) {
  StartOptions o;
  o.ring_bytes = ring_bytes;
  return start(pid, path, o);
}

BackendKind Engine::backend() const { return impl_->kind; }
const std::string& Engine::fallback_reason() const { return impl_->fallback_reason; }

std::vector<std::string> Engine::take_notices() { return std::exchange(impl_->notices, {}); }

Result<std::vector<Engine::Skipped>> Engine::start(pid_t pid, const std::string& path,
                                                   const StartOptions& opts) {
  if (impl_->backend) return make_error(Errc::invalid_argument, "already started");
  uint32_t ring_bytes = opts.ring_bytes;
  if (ring_bytes < 4096 || (ring_bytes & (ring_bytes - 1)) != 0)
    return make_error(Errc::invalid_argument,
                      "ring buffer size " + std::to_string(ring_bytes) +
                          " is not a power of two of at least 4096 bytes");
  BackendConfig cfg;
  const symbols::Binary& bin = *impl_->binary;
  // A binary without the offsets fails whichever backend asks.
  std::optional<Error> layout_error;
  cfg.g_layout = [&bin, &layout_error]() -> Result<gt_g_layout> {
    auto goid = bin.g_goid_offset();
    auto hi = goid ? bin.g_stack_hi_offset() : Result<uint64_t>(goid.error());
    if (!hi) {
      layout_error = hi.error();
      return hi.error();
    }
    gt_g_layout l{*goid, *hi, bin.g_tls_offset().value_or(-8), 0, 0, 0};
    if (auto mc = bin.g_m_curg_offsets()) {
      l.m_offset = mc->first;
      l.curg_offset = mc->second;
    }
    return l;
  };
  cfg.pid = pid;
  // The spec array is sized once: room for what is planned now and as much
  // again for functions added while running (~0.9 KiB a spec).
  size_t want = std::max<size_t>(4096, 2 * impl_->specs.size());
  impl_->spec_capacity = static_cast<uint32_t>(std::min<size_t>(want, kMaxSpecs));
  cfg.max_specs = impl_->spec_capacity;
  cfg.ring_bytes = ring_bytes;
  cfg.await_exec = opts.launched;
  cfg.kill_on_exit = opts.launched;
  impl_->path = path;
  impl_->wall_offset_ns = static_cast<int64_t>(clock_ns(CLOCK_REALTIME)) -
                          static_cast<int64_t>(clock_ns(CLOCK_MONOTONIC));

  std::vector<uint32_t> ids;
  for (const TracedFunction& f : impl_->functions)
    if (f.active) ids.push_back(f.id);

  // eBPF first unless ptrace was asked for; `automatic` falls back to ptrace
  // when eBPF cannot be loaded or cannot attach at all.
  if (opts.backend != BackendKind::ptrace) {
    auto be = impl_->make_backend(BackendKind::ebpf, cfg);
    if (be) {
      impl_->backend = std::move(*be);
      impl_->kind = BackendKind::ebpf;
      impl_->float_registers = false;
      auto attached = attach_all(ids);
      if (attached || opts.backend == BackendKind::ebpf) return attached;
      impl_->fallback_reason = attached.error().message;
      impl_->backend.reset();
    } else if (opts.backend == BackendKind::ebpf || layout_error) {
      return be.error();
    } else {
      impl_->fallback_reason = be.error().message;
    }
  }
  auto be = impl_->make_backend(BackendKind::ptrace, cfg);
  if (!be) {
    if (opts.backend == BackendKind::automatic)
      return make_error(be.error().code, "eBPF is unavailable (" + impl_->fallback_reason +
                                             ") and ptrace failed: " + be.error().message);
    return be.error();
  }
  impl_->backend = std::move(*be);
  impl_->kind = BackendKind::ptrace;
  impl_->float_registers = impl_->backend->reads_float_registers();
  return attach_all(ids);
}

Result<std::vector<Engine::Skipped>> Engine::attach_all(const std::vector<uint32_t>& ids) {
  uint64_t t0 = clock_ns(CLOCK_MONOTONIC);
  auto r = attach_each(ids);
  impl_->stats.attach_ms = static_cast<double>(clock_ns(CLOCK_MONOTONIC) - t0) / 1e6;
  impl_->stats.sites = 0;
  for (const Attached& a : impl_->attached)
    if (a.link) impl_->stats.sites += a.sites.size();
  return r;
}

Result<std::vector<Engine::Skipped>> Engine::attach_each(const std::vector<uint32_t>& ids) {
  std::vector<Skipped> skipped;
  if (ids.empty()) return skipped;
  if (auto r = impl_->attach_functions(ids); !r) {
    if (r.error().code == Errc::permission) {
      impl_->backend.reset();
      return r.error();
    }
    // One refused offset fails a whole link: attach each function alone and
    // report the ones the kernel refuses.
    for (uint32_t id : ids)
      if (auto one = impl_->attach_functions({id}); !one) {
        impl_->functions[id].active = false;
        skipped.push_back({&impl_->functions[id], one.error()});
      }
    if (skipped.size() == ids.size()) {
      for (const Skipped& sk : skipped) impl_->functions[sk.function->id].active = true;
      impl_->backend.reset();
      return r.error();
    }
  }
  return skipped;
}

namespace {
std::vector<values::Variable> load_from(const std::shared_ptr<const std::vector<uint8_t>>& raw,
                                        uint32_t first, uint32_t last,
                                        const std::vector<SiteInfo>& sites,
                                        const symbols::Binary& binary, const BinaryTypes& types,
                                        const values::LoadConfig& cfg, bool float_registers) {
  if (!raw) return {};
  auto rec = parse_record(*raw);
  if (!rec || rec->hdr.spec_id >= sites.size()) return {};
  return load_site_values(*rec, sites[rec->hdr.spec_id], first, last, binary, types, cfg,
                          float_registers);
}
}  // namespace

std::vector<values::Variable> Engine::load_values(const TraceEvent& ev,
                                                  const values::LoadConfig& cfg) const {
  return load_from(ev.record, ev.value_first, ev.value_last, impl_->sites, *impl_->binary,
                   *impl_->types, cfg, impl_->float_registers);
}

std::vector<values::Variable> Engine::load_entry_values(const TraceEvent& ev,
                                                        const values::LoadConfig& cfg) const {
  return load_from(ev.entry_record, ev.entry_first, ev.entry_last, impl_->sites, *impl_->binary,
                   *impl_->types, cfg, impl_->float_registers);
}

std::vector<Frame> Engine::stack(const TraceEvent& ev, bool* truncated) const {
  const symbols::Binary& bin = *impl_->binary;
  std::vector<Frame> out;
  uint64_t bias = impl_->types->bias();
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
  if (impl_ && impl_->backend) {
    uint64_t t0 = clock_ns(CLOCK_MONOTONIC);
    impl_->backend->detach_all();
    for (Attached& a : impl_->attached) a.link = 0;
    impl_->stats.detach_ms = static_cast<double>(clock_ns(CLOCK_MONOTONIC) - t0) / 1e6;
  }
}

const Engine::Stats& Engine::stats() const { return impl_->stats; }

int Engine::wait_fd() const { return impl_->backend ? impl_->backend->wait_fd() : -1; }

uint64_t Engine::lost() const { return impl_->backend ? impl_->backend->lost() : 0; }

Result<size_t> Engine::drain(const std::function<void(const TraceEvent&)>& sink,
                             const std::function<void(const std::string&)>& notice) {
  if (!impl_->backend) return size_t{0};
  Error failure;
  bool failed = false;
  auto on_record = [&](std::span<const uint8_t> raw) {
    impl_->stats.events++;
    auto rec = parse_record(raw);
    if (!rec) {
      failure = rec.error();
      failed = true;
      return;
    }
    if (rec->hdr.spec_id >= impl_->sites.size()) return;
    const SiteInfo& site = impl_->sites[rec->hdr.spec_id];
    if (!site.fn->active) return;  // in flight when its probes were removed
    if (!impl_->bias_known) impl_->learn_bias(*rec, site);
    auto record = std::make_shared<const std::vector<uint8_t>>(raw.begin(), raw.end());
    auto emit = [&](bool is_return, size_t first, size_t last) {
      TraceEvent ev;
      ev.kind = site.is_line  ? TraceEvent::Kind::line
                : is_return   ? TraceEvent::Kind::ret
                              : TraceEvent::Kind::entry;
      ev.function = site.fn;
      ev.goroutine = rec->hdr.goid;
      ev.pid = rec->hdr.tgid;
      ev.tid = rec->hdr.tid;
      ev.mono_ns = rec->hdr.ts_ns;
      ev.wall_ns =
          static_cast<uint64_t>(static_cast<int64_t>(rec->hdr.ts_ns) + impl_->wall_offset_ns);
      // An entry probed past the prologue sees SP lower than the entry's.
      CallKey key{rec->hdr.goid, rec->hdr.depth ? rec->hdr.depth - static_cast<uint64_t>(site.sp_adjust) : 0, site.fn->id};
      if (is_return) {
        if (auto call = impl_->pairing.returned(key)) {
          ev.duration_ns = rec->hdr.ts_ns >= call->ts ? rec->hdr.ts_ns - call->ts : 0;
          ev.entry_record = std::move(call->record);
          ev.entry_first = call->first;
          ev.entry_last = call->last;
        }
      } else if (!site.is_line) {
        impl_->pairing.entered(key, {rec->hdr.ts_ns, record, static_cast<uint32_t>(first),
                                     static_cast<uint32_t>(last)});
      }
      ev.site_pc = site.pc + impl_->types->bias();
      ev.site_link_pc = site.pc;
      ev.return_addresses = rec->frames;
      if ((rec->hdr.flags & GT_EVENT_COUNTED) && !rec->words.empty())
        ev.kernel_hit_count = rec->words.back();
      ev.record = record;
      ev.value_first = static_cast<uint32_t>(first);
      ev.value_last = static_cast<uint32_t>(last);
      ev.values = load_site_values(*rec, site, first, last, *impl_->binary, *impl_->types,
                                   site.fn->options.load, impl_->float_registers);
      sink(ev);
    };
    if (site.entry_and_return) {
      emit(false, 0, site.split);
      emit(true, site.split, site.values.size());
    } else {
      emit(site.is_return, 0, site.values.size());
    }
  };
  auto on_notice = [&](const std::string& text) {
    if (notice)
      notice(text);
    else
      impl_->notices.push_back(text);
  };
  size_t held = 0;
  for (; !impl_->held.empty(); impl_->held.pop_front()) {
    const Impl::Held& h = impl_->held.front();
    if (!h.notice.empty()) {
      on_notice(h.notice);
      continue;
    }
    on_record(h.record);
    held++;
  }
  auto n = impl_->backend->drain(on_record, on_notice);
  if (!n) return n.error();
  *n += held;
  if (failed) return failure;
  return n;
}

}  // namespace gotrace::tracer
