#include "gotrace/debugger/debugger.h"

#include "gotrace/tracer/call_graph.h"

#include "gotrace/debugger/condition.h"
#include "gotrace/values/go_quote.h"
#include "location_spec.h"

#include <re2/re2.h>

#include <signal.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace gotrace::debugger {
namespace {

// What the server captures for every hit: enough for the richest LoadConfig
// a client sends in practice (dlv connect's return values ask for
// {true,1,64,64,-1}), strings as long as the limit allows; each client then
// loads no more than it asked for.
tracer::TraceOptions capture_options(const Limits& limits, int stack_depth, bool returns = true) {
  tracer::TraceOptions o;
  o.load = values::LoadConfig{true, 1, limits.max_string_len, 64, -1};
  o.returns = returns;
  o.stack_depth = stack_depth;
  o.raw_words = limits.raw_words;
  return o;
}

std::string hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

Result<std::unique_ptr<Debugger>> Debugger::create(const TargetOptions& opts) {
  std::unique_ptr<Debugger> d(new Debugger());
  d->opts_ = opts;
  if (auto r = d->start_target(); !r) return r.error();
  return d;
}

Result<void> Debugger::start_target() {
  std::string binary = opts_.program;
  process_.reset();
  engine_.reset();
  traced_.clear();
  lines_.clear();
  if (opts_.attach_pid) {
    auto p = tracer::Process::attach(opts_.attach_pid);
    if (!p) return p.error();
    process_ = std::move(*p);
    binary = process_->executable();
  }
  // Reading the DWARF (libdw inflates every debug section: tens of ms for a
  // large binary) overlaps indexing the symbols, launching the program and
  // loading the BPF program; the engine needs it first for runtime.g.
  auto engine = tracer::Engine::open(binary, {.read_dwarf_in_background = true});
  if (!engine) return engine.error();
  engine_ = std::move(*engine);
  for (const std::string& w : engine_->binary().warnings()) {
    std::fprintf(stderr, "gotrace: %s\n", w.c_str());
    notices_.push_back("gotrace: " + w);
  }
  if (!opts_.attach_pid) {
    auto p = tracer::Process::launch(binary, opts_.args, opts_.launch);
    if (!p) return p.error();
    process_ = std::move(*p);
    started_ = false;
  } else {
    started_ = true;
  }
  tracer::StartOptions so;
  so.backend = opts_.backend;
  so.ring_bytes = opts_.ring_bytes;
  so.launched = !opts_.attach_pid;
  auto started = engine_->start(process_->pid(), binary, so);
  if (!started) return started.error();
  exit_status_.reset();
  hits_.clear();
  buffered_.clear();
  lost_said_ = 0;
  return {};
}

Result<std::vector<Debugger::Discarded>> Debugger::restart(
    const std::optional<std::vector<std::string>>& args) {
  if (opts_.attach_pid)
    return make_error(Errc::unsupported, "cannot restart a process gotrace attached to");
  if (args) opts_.args = *args;
  if (engine_) engine_->stop();
  if (process_) process_->kill_launched();
  // Breakpoints set by file and line inside a body (DAP's source
  // breakpoints) have no location expression: give them theirs, so they come
  // back at that line.
  for (Breakpoint& bp : bps_)
    if (bp.loc_expr.empty() && is_line(bp)) bp.loc_expr = bp.file + ":" + std::to_string(bp.line);
  if (auto r = start_target(); !r) return r.error();
  std::vector<Breakpoint> old = std::move(bps_);
  bps_.clear();
  std::vector<Discarded> discarded;
  for (Breakpoint& bp : old) {
    if (bp.trace_return && bp.loc_expr.empty()) {
      discarded.push_back({bp, "breakpoint " + std::to_string(bp.id) + " can not be enabled"});
      continue;
    }
    BreakpointRequest req;
    req.bp = bp;
    req.loc_expr = bp.loc_expr;
    if (!bp.trace_return) {
      // The location expression is what the client asked for; the function
      // name was filled in from it (and would win over it).
      if (!req.loc_expr.empty()) req.bp.function_name.clear();
      req.bp.addr = 0;
      req.bp.addrs.clear();
      req.bp.file.clear();
      req.bp.line = 0;
    }
    int id = bp.id;
    int saved_next = next_id_;
    auto r = create_breakpoint(req);
    if (!r) {
      discarded.push_back({bp, r.error().message});
      continue;
    }
    // Keep the breakpoint's id across the restart, as Delve does.
    bps_.back().id = id;
    next_id_ = saved_next;
  }
  return discarded;
}

Debugger::~Debugger() { terminate(true); }

pid_t Debugger::pid() const { return process_->pid(); }
bool Debugger::launched() const { return process_->launched(); }

std::string Debugger::command_line() const {
  pid_t p = pid();
  if (cmdline_.first == p) return cmdline_.second;
  std::vector<std::string> args;
  if (launched()) {
    // What it was started with (before the exec, /proc shows gotrace's).
    // Delve launches the absolute path.
    std::error_code ec;
    std::filesystem::path abs = std::filesystem::absolute(opts_.program, ec);
    args.push_back(ec ? opts_.program : abs.string());
    args.insert(args.end(), opts_.args.begin(), opts_.args.end());
  } else {
    std::ifstream f("/proc/" + std::to_string(p) + "/cmdline", std::ios::binary);
    std::string raw((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (!raw.empty() && raw.back() == '\0') raw.pop_back();
    size_t start = 0;
    while (!raw.empty() && start <= raw.size()) {
      size_t end = std::min(raw.find('\0', start), raw.size());
      args.push_back(raw.substr(start, end - start));
      start = end + 1;
    }
  }
  std::string out;
  for (const std::string& arg : args) {
    if (!out.empty()) out += ' ';
    // Delve quotes (strconv.Quote) an argument with a space.
    out += arg.find(' ') == std::string::npos ? arg : values::go_quote(arg);
  }
  cmdline_ = {p, out};
  return out;
}
const std::string& Debugger::program() const { return process_->executable(); }
const tracer::Engine& Debugger::engine() const { return *engine_; }
bool Debugger::started() const { return started_; }
int Debugger::wait_fd() const { return engine_->wait_fd(); }
int Debugger::exit_fd() const { return process_->exit_fd(); }
std::optional<int> Debugger::exit_status() const { return exit_status_; }
uint64_t Debugger::lost() const { return engine_->lost(); }

std::string Debugger::exit_message() const {
  return "Process " + std::to_string(pid()) + " has exited with status " +
         std::to_string(exit_status_.value_or(0));
}

Result<void> Debugger::resume() {
  if (started_) return {};
  started_ = true;
  return process_->resume();
}

bool Debugger::pump() {
  if (exit_status_) return false;
  size_t before = hits_.size() + buffered_.size();
  auto route_all = [&] {
    (void)engine_->drain([&](const tracer::TraceEvent& ev) { route(ev); },
                         [&](const std::string& text) {
                           // The server's log, and the clients that show it.
                           std::fprintf(stderr, "%s\n", text.c_str());
                           notices_.push_back(text);
                         });
  };
  route_all();
  bool changed = hits_.size() + buffered_.size() != before;
  // Losses are never silent: the ring's (the kernel could not queue a hit)
  // and the queues' (no client took them).
  auto tell = [&](std::string text) {
    std::fprintf(stderr, "%s\n", text.c_str());
    notices_.push_back(std::move(text));
    changed = true;
  };
  if (uint64_t lost = engine_->lost(); lost > lost_said_) {
    tell("gotrace: " + std::to_string(lost - lost_said_) +
         " trace events were lost: the kernel's event ring was full");
    lost_said_ = lost;
  }
  if (dropped_ > dropped_said_) {
    tell("gotrace: " + std::to_string(dropped_ - dropped_said_) + " hits were dropped: " +
         std::to_string(kMaxQueuedHits) + " were already waiting for a client to continue");
    dropped_said_ = dropped_;
  }
  if (started_) {
    if (auto st = process_->poll_exit()) {
      // Everything the process did before it died is in the ring already.
      route_all();
      exit_status_ = *st;
      engine_->stop();
      changed = true;
    }
  }
  return changed;
}

void Debugger::route(const tracer::TraceEvent& ev) {
  const symbols::Function* fn = ev.function->function;
  bool is_ret = ev.kind == tracer::TraceEvent::Kind::ret;
  bool is_line = ev.kind == tracer::TraceEvent::Kind::line;
  for (Breakpoint& bp : bps_) {
    if (bp.disabled || bp.trace_return != is_ret) continue;
    if (is_line) {
      if (std::find(bp.addrs.begin(), bp.addrs.end(), ev.site_link_pc) == bp.addrs.end()) continue;
    } else if (is_ret ? bp.addr != ev.site_link_pc : bp.addr != fn->entry) {
      continue;
    }
    if (!passes(bp, ev)) continue;
    // The per-goroutine counts travel only to `continue` (a Delve stop
    // reports them); copying the map for every streamed hit cost an
    // allocation per goroutine per hit.
    const bool stops = !bp.owner && !bp.ebpf;
    Hit h{bp.id, ev, bp.file, bp.line, stops ? bp.hit_count : std::map<int64_t, uint64_t>{},
          bp.total_hit_count, ""};
    if (is_line && std::find(bp.inlined_pcs.begin(), bp.inlined_pcs.end(), ev.site_link_pc) != bp.inlined_pcs.end())
      h.inlined_function = bp.function_name;
    if (bp.owner) {
      if (auto it = sinks_.find(bp.owner); it != sinks_.end()) it->second(std::move(h));
      continue;
    }
    std::deque<Hit>& q = bp.ebpf ? buffered_ : hits_;
    if (q.size() >= kMaxQueuedHits) {
      dropped_++;
      continue;
    }
    q.push_back(std::move(h));
  }
}

bool Debugger::passes(Breakpoint& bp, const tracer::TraceEvent& ev) {
  if (!bp.cond.empty()) {
    auto& cached = conditions_[bp.cond];
    if (!cached) {
      auto c = Condition::parse(bp.cond);
      if (!c) return false;
      cached = std::make_shared<const Condition>(std::move(*c));
    }
    // At a return the condition may name the call's arguments too (Delve
    // evaluates it in the returning frame): they come from the paired entry.
    std::vector<values::Variable> scope;
    const std::vector<values::Variable>* vars = &ev.values;
    if (ev.kind == tracer::TraceEvent::Kind::ret) {
      scope = engine_->load_entry_values(ev, ev.function->options.load);
      scope.insert(scope.end(), ev.values.begin(), ev.values.end());
      vars = &scope;
    }
    auto ok = cached->eval(*vars);
    // Like Delve, a condition that cannot be evaluated does not stop.
    if (!ok || !*ok) return false;
  }
  int64_t g = static_cast<int64_t>(ev.goroutine);
  uint64_t per_g = ++bp.hit_count[g];
  if (bp.kernel_counter >= 0 && ev.kernel_hit_count) {
    // The kernel applied the hit condition and counted every hit.
    bp.total_hit_count = *ev.kernel_hit_count;
    return true;
  }
  uint64_t total = ++bp.total_hit_count;
  if (!bp.hit_cond.empty() && !hit_condition_true(bp.hit_cond, bp.hit_cond_per_g ? per_g : total))
    return false;
  return true;
}

int Debugger::add_hit_sink(HitSink sink) {
  int owner = next_owner_++;
  sinks_[owner] = std::move(sink);
  return owner;
}

void Debugger::remove_hit_sink(int owner) { sinks_.erase(owner); }

// strconv.ParseInt(s, 0, 64) for an address: 0x..., 0..., decimal.
static std::optional<uint64_t> parse_address(const std::string& text) {
  std::string s = text;
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    s = s.substr(2);
    base = 16;
  } else if (s.size() > 1 && s[0] == '0') {
    s = s.substr(1);
    base = 8;
  }
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

Result<std::vector<Location>> Debugger::find_location(const std::string& loc, std::string* substitute) const {
  const symbols::Binary& bin = engine_->binary();
  auto spec = locspec::parse(loc);
  if (!spec) return spec.error();
  auto not_found = [&] { return make_error(Errc::not_found, "location \"" + loc + "\" not found"); };
  auto at = [&](std::vector<uint64_t> pcs) {
    std::sort(pcs.begin(), pcs.end());
    Location l;
    l.pc = pcs.front();
    l.pcs = std::move(pcs);
    l.function = bin.function_at(l.pc);
    if (auto sl = bin.pc_to_line(l.pc)) {
      l.file = sl->file;
      l.line = sl->line;
    }
    return l;
  };
  // Delve answers an address with the address alone (no pcs).
  auto address = [&](uint64_t pc) {
    Location l = at({pc});
    l.pcs.clear();
    return l;
  };
  // Where the program is: gotrace never stops it, so relative locations
  // count from where a launched program is held, its entry point (where
  // Delve's are before the first continue).
  auto here = [&]() -> Result<symbols::SourceLine> {
    auto sl = bin.function_at(bin.entry_point()) ? bin.pc_to_line(bin.entry_point()) : std::nullopt;
    if (!sl) return make_error(Errc::not_found, "could not determine current location");
    return *sl;
  };
  std::vector<Location> out;
  switch (spec->kind) {
    case locspec::Spec::Kind::regex: {
      auto fns = engine_->match(spec->regex);
      if (!fns) return fns.error();
      std::vector<const symbols::Function*> by_entry = *fns;
      std::sort(by_entry.begin(), by_entry.end(),
                [](const symbols::Function* a, const symbols::Function* b) { return a->entry < b->entry; });
      for (const symbols::Function* f : by_entry) {
        auto l = function_location(f->name);
        if (l) out.push_back(std::move(*l));
      }
      if (out.empty()) return not_found();
      return out;
    }
    case locspec::Spec::Kind::address: {
      if (const symbols::Function* f = bin.find_function(spec->address_expression)) {
        out.push_back(address(bin.after_prologue(*f)));
        if (substitute) *substitute = f->name;
        return out;
      }
      auto addr = parse_address(spec->address_expression);
      if (!addr) return make_error(Errc::not_found, "could not find symbol value for " + spec->address_expression);
      if (*addr == 0) return not_found();
      out.push_back(address(*addr));
      return out;
    }
    case locspec::Spec::Kind::offset:
    case locspec::Spec::Kind::line: {
      auto cur = here();
      if (!cur) return cur.error();
      int line = spec->kind == locspec::Spec::Kind::line ? spec->line : cur->line + spec->offset;
      if (spec->kind == locspec::Spec::Kind::offset && spec->offset == 0) {
        out.push_back(address(bin.entry_point()));
        if (substitute) *substitute = cur->file + ":" + std::to_string(cur->line);
        return out;
      }
      if (substitute) *substitute = cur->file + ":" + std::to_string(line);
      auto l = file_location(cur->file, line);
      if (!l) return l.error();
      out.push_back(std::move(*l));
      return out;
    }
    case locspec::Spec::Kind::normal: break;
  }
  // Delve: up to five candidates among the source files and the functions;
  // one is the answer, more are ambiguous, none may be an address.
  constexpr size_t kCandidates = 5;
  std::vector<std::string> files;
  for (const std::string& f : bin.source_files())
    if (locspec::partial_path_match(spec->base, f) && files.size() < kCandidates) files.push_back(f);
  std::vector<std::string> funcs;
  if (spec->func && files.size() < kCandidates) {
    if (const symbols::Function* exact = bin.find_function(spec->base)) {
      funcs = {exact->name};
    } else {
      for (const symbols::Function& f : bin.functions()) {
        if (funcs.size() + files.size() >= kCandidates) break;
        if (locspec::matches(*spec->func, f.name)) funcs.push_back(f.name);
      }
      for (const std::string& name : bin.inlined_names()) {
        if (funcs.size() + files.size() >= kCandidates) break;
        if (!bin.find_function(name) && locspec::matches(*spec->func, name)) funcs.push_back(name);
      }
    }
  }
  if (files.size() + funcs.size() == 0) {
    auto addr = parse_address(loc);
    if (!addr || *addr == 0) return not_found();
    out.push_back(address(*addr));
    return out;
  }
  if (files.size() + funcs.size() > 1) {
    std::string list;
    for (const auto* v : {&files, &funcs})
      for (const std::string& c : *v) list += (list.empty() ? "" : ", ") + c;
    return make_error(Errc::invalid_argument, "Location \"" + loc + "\" ambiguous: " + list + "\u2026");
  }
  if (files.size() == 1) {
    if (spec->line_offset < 0)
      return make_error(Errc::invalid_argument, "Malformed breakpoint location, no line offset specified");
    auto l = file_location(files.front(), spec->line_offset);
    if (!l) return l.error();
    out.push_back(std::move(*l));
    return out;
  }
  if (spec->line_offset > 0) {
    // Delve: an offset from the line the function starts on.
    const symbols::Function* f = bin.find_function(funcs.front());
    auto first = f ? bin.pc_to_line(f->entry) : std::nullopt;
    if (!first) return not_found();
    auto l = file_location(first->file, first->line + spec->line_offset);
    if (!l) return l.error();
    out.push_back(std::move(*l));
    return out;
  }
  auto f = function_location(funcs.front());
  if (!f) return not_found();
  out.push_back(std::move(*f));
  return out;
}

// Delve's FindFileLocation: the line's first statement in each function
// that has code for it; the function's own first line is its breakpoint
// after the prologue.
Result<Location> Debugger::file_location(const std::string& file, int line) const {
  const symbols::Binary& bin = engine_->binary();
  std::vector<const symbols::Function*> seen;
  std::vector<uint64_t> firsts;
  for (uint64_t pc : bin.line_to_pcs(file, line)) {
    const symbols::Function* f = bin.function_at(pc);
    if (std::find(seen.begin(), seen.end(), f) != seen.end()) continue;
    seen.push_back(f);
    firsts.push_back(pc);
  }
  if (firsts.empty()) {
    bool known = false;
    for (const std::string& f : bin.source_files()) known = known || f == file || locspec::partial_path_match(file, f);
    if (!known) return make_error(Errc::not_found, "could not find file " + file);
    return make_error(Errc::not_found, "could not find statement at " + file + ":" + std::to_string(line) +
                                           ", please use a line with a statement");
  }
  Location l;
  l.pc = firsts.front();
  l.function = seen.front();
  if (auto sl = bin.pc_to_line(l.pc)) {
    l.file = sl->file;
    l.line = sl->line;
  }
  l.pcs = std::move(firsts);
  return l;
}

Result<Location> Debugger::function_location(const std::string& name) const {
  const symbols::Binary& bin = engine_->binary();
  const symbols::Function* f = bin.find_function(name);
  // Like Delve: a function breakpoint also covers every copy the compiler
  // inlined (a function inlined everywhere has only those).
  std::vector<uint64_t> inlined;
  for (uint64_t pc : bin.inlined_calls(f ? std::string_view(f->name) : std::string_view(name)))
    if (bin.function_at(pc)) inlined.push_back(pc);
  if (!f && inlined.empty()) return make_error(Errc::not_found, "location \"" + name + "\" not found");
  Location l;
  // Delve's breakpoint goes after the prologue (the probe stays at the
  // entry, where the arguments are where the ABI puts them).
  l.pc = f ? bin.after_prologue(*f) : inlined.front();
  l.function = f ? f : bin.function_at(l.pc);
  l.function_name = f ? f->name : name;
  if (f) l.pcs.push_back(l.pc);
  l.pcs.insert(l.pcs.end(), inlined.begin(), inlined.end());
  l.inlined = std::move(inlined);
  if (auto sl = bin.pc_to_line(l.pc)) {
    l.file = sl->file;
    l.line = sl->line;
  }
  return l;
}

Result<std::vector<std::string>> Debugger::traceable_functions(const std::string& regex) const {
  auto fns = engine_->match(regex);
  if (!fns) return fns.error();
  std::vector<std::string> out;
  for (const symbols::Function* f : *fns) out.push_back(f->name);
  RE2 re(regex);
  for (const std::string& name : engine_->binary().inlined_names())
    if (RE2::PartialMatch(name, re)) out.push_back(name);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Result<std::vector<uint64_t>> Debugger::return_locations(const std::string& function) const {
  const symbols::Function* f = engine_->binary().find_function(function);
  // A function that exists only as inlined copies returns nowhere.
  if (!f && !engine_->binary().inlined_calls(function).empty()) return std::vector<uint64_t>{};
  if (!f) return make_error(Errc::not_found, "unable to find function " + function);
  return engine_->return_addresses(*f);
}

Result<std::vector<std::string>> Debugger::functions(const std::string& regex, int follow_calls) const {
  auto fns = engine_->match(regex);
  if (!fns) return fns.error();
  std::vector<std::string> out;
  if (follow_calls > 0) {
    // Delve's list is what the code calls; what it reaches through
    // function values its server finds only as the calls happen.
    for (const tracer::FollowedFunction& f : tracer::follow_calls(engine_->binary(), *fns, follow_calls))
      if (!f.by_value) out.push_back(f.function->name);
  } else {
    for (const symbols::Function* f : *fns) out.push_back(f->name);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// Checked after the engine planned `tf` (only it knows how many sites a
// function has): over the limit, `tf` is removed again.
Result<void> Debugger::check_probe_limit(const tracer::TracedFunction* tf) {
  size_t sites = engine_->probe_sites();
  if (sites <= opts_.limits.max_probe_sites) return {};
  size_t own = engine_->probe_sites(*tf);
  (void)engine_->remove(tf);
  return make_error(Errc::invalid_argument,
                    tf->function->name + ": its " + std::to_string(own) + " probe site" + (own == 1 ? "" : "s") +
                        " would make " + std::to_string(sites) + ", over this server's limit of " +
                        std::to_string(opts_.limits.max_probe_sites) + " (--max-probes)");
}

Result<void> Debugger::ensure_traced(const symbols::Function& fn, int stack_depth, bool returns) {
  auto it = traced_.find(&fn);
  if (it != traced_.end()) {
    const tracer::TraceOptions& now = it->second->options;
    if (now.stack_depth >= stack_depth && (now.returns || !returns)) return {};
    // A deeper stack, or returns, that are not captured yet: trace it again
    // with them (and with what it had).
    stack_depth = std::max(stack_depth, now.stack_depth);
    returns = returns || now.returns;
    if (auto r = engine_->remove(it->second); !r) return r.error();
    traced_.erase(it);
  }
  // Returns are probed only once a breakpoint wants them: the RET probe is
  // the dear one (the kernel single-steps it), and an entry logpoint must
  // not pay for it.
  auto tf = engine_->add(fn, capture_options(opts_.limits, stack_depth, returns));
  if (!tf) return tf.error();
  if (auto r = check_probe_limit(*tf); !r) return r.error();
  traced_[&fn] = *tf;
  // Said once per binary (stripped) or per function (assembly).
  if ((*tf)->raw_values && (engine_->binary().has_dwarf() || !raw_notice_given_)) {
    raw_notice_given_ = true;
    std::string text = tracer::raw_values_notice(engine_->binary(), {fn.name});
    std::fprintf(stderr, "%s\n", text.c_str());
    notices_.push_back(std::move(text));
  }
  refresh_filter(&fn);
  return {};
}

namespace {

// The variables a breakpoint reads at a line: its Cond and its `variables`
// expressions name them (p.Name and len(p) both read p).
Result<tracer::LineCapture> line_capture(const Breakpoint& bp) {
  tracer::LineCapture c;
  auto add = [&](const std::string& text) -> Result<void> {
    auto parsed = Condition::parse(text);
    if (!parsed) return parsed.error();
    for (std::string& id : parsed->identifiers())
      if (std::find(c.names.begin(), c.names.end(), id) == c.names.end()) c.names.push_back(std::move(id));
    return {};
  };
  if (!bp.cond.empty())
    if (auto r = add(bp.cond); !r) return r.error();
  for (const std::string& v : bp.variables)
    if (auto r = add(v); !r) return r.error();
  c.arguments = true;
  c.locals = bp.load_locals.has_value();
  return c;
}

}  // namespace

Result<void> Debugger::check_reads(const Breakpoint& bp) const {
  auto capture = line_capture(bp);
  if (!capture) return capture.error();
  // Line tracepoints were planned with exactly these names already.
  if (is_line(bp)) return {};
  const symbols::Function* fn = engine_->binary().function_at(bp.addr);
  if (!fn) return {};
  auto sig = engine_->binary().signature(*fn);
  if (!sig) return sig.error();
  const auto& vars = bp.trace_return ? sig->results : sig->params;
  for (const std::string& name : capture->names)
    if (std::none_of(vars.begin(), vars.end(), [&](const symbols::Variable& v) { return v.name == name; }))
      return make_error(Errc::not_found, "could not find symbol value for " + name);
  return {};
}

Result<void> Debugger::trace_lines(const Breakpoint& bp, const std::vector<uint64_t>& pcs) {
  auto capture = line_capture(bp);
  if (!capture) return capture.error();
  const symbols::Binary& bin = engine_->binary();
  std::vector<std::pair<uint64_t, const tracer::TracedFunction*>> added;
  for (uint64_t pc : pcs) {
    const symbols::Function* fn = bin.function_at(pc);
    if (!fn) return make_error(Errc::not_found, "no function at " + hex(pc));
    auto tf = engine_->add_line(*fn, pc, *capture, capture_options(opts_.limits, bp.stacktrace));
    if (tf)
      if (auto r = check_probe_limit(*tf); !r) tf = r.error();
    if (!tf) {
      for (auto& [p, t] : added) (void)engine_->remove(t);
      return tf.error();
    }
    added.emplace_back(pc, *tf);
  }
  // The new probes are in: drop the ones they replace.
  for (auto& [pc, tf] : added) {
    if (auto it = lines_.find(pc); it != lines_.end()) (void)engine_->remove(it->second);
    lines_[pc] = tf;
  }
  return {};
}

namespace {

// The condition's kernel form: groups of terms, any group all true.
KernelGroups kernel_groups_of(const std::string& cond, bool* complete = nullptr) {
  if (complete) *complete = cond.empty();
  if (cond.empty()) return {};
  auto c = Condition::parse(cond);
  return c ? c->kernel_groups(complete) : KernelGroups{};
}

size_t term_count(const KernelGroups& groups) {
  size_t n = 0;
  for (const auto& g : groups) n += g.size();
  return n;
}

}  // namespace

void Debugger::refresh_filter(const symbols::Function* fn) {
  if (!fn) return;
  auto it = traced_.find(fn);
  if (it == traced_.end()) return;
  Breakpoint* entry = nullptr;
  for (Breakpoint& b : bps_)
    if (!b.disabled && !b.trace_return && b.addr == fn->entry) entry = &b;
  bool returns_agree = true, any_return = false;
  for (const Breakpoint& b : bps_)
    if (!b.disabled && b.trace_return && engine_->binary().function_at(b.addr) == fn) {
      any_return = true;
      if (!entry || b.cond != entry->cond) returns_agree = false;
    }
  KernelGroups terms;
  bool complete = false;
  if (entry && returns_agree) terms = kernel_groups_of(entry->cond, &complete);
  auto n = engine_->set_kernel_filter(it->second, terms);
  // A hit condition drops calls whose returns would then be unpaired: only
  // without return breakpoints.
  if (entry)
    apply_kernel_hit_condition(*entry, {it->second}, terms,
                               complete && !any_return && entry->inlined_pcs.empty() && n &&
                                   *n == term_count(terms));
}

bool Debugger::is_line(const Breakpoint& bp) const {
  return !bp.addrs.empty() && lines_.count(bp.addrs.front());
}

void Debugger::refresh_filters(Breakpoint& bp) {
  if (is_line(bp)) {
    refresh_line_filter(bp);
    return;
  }
  refresh_filter(engine_->binary().function_at(bp.addr));
  // A function's inlined copies take its condition too; its hit condition
  // stays in user space, where entry and copies share one count.
  KernelGroups terms = bp.disabled ? KernelGroups{} : kernel_groups_of(bp.cond);
  for (uint64_t pc : bp.inlined_pcs)
    if (auto it = lines_.find(pc); it != lines_.end()) (void)engine_->set_kernel_filter(it->second, terms);
}

void Debugger::refresh_line_filter(Breakpoint& bp) {
  bool complete = false;
  KernelGroups terms =
      bp.disabled ? KernelGroups{} : kernel_groups_of(bp.cond, &complete);
  std::vector<const tracer::TracedFunction*> probes;
  bool installed = true;
  for (uint64_t pc : bp.addrs)
    if (auto it = lines_.find(pc); it != lines_.end()) {
      probes.push_back(it->second);
      auto n = engine_->set_kernel_filter(it->second, terms);
      installed = installed && n && *n == term_count(terms);
    }
  apply_kernel_hit_condition(bp, probes, terms, complete && installed);
}

void Debugger::apply_kernel_hit_condition(Breakpoint& bp,
                                          const std::vector<const tracer::TracedFunction*>& probes,
                                          const KernelGroups& terms,
                                          bool whole_condition_in_kernel) {
  // The kernel can count only when it decides the whole condition (Delve
  // counts the hits whose condition holds) and the count is not per
  // goroutine.
  std::optional<tracer::KernelHitCondition> hit;
  if (!bp.disabled && whole_condition_in_kernel && !bp.hit_cond.empty() && !bp.hit_cond_per_g)
    hit = parse_hit_condition(bp.hit_cond);
  if (hit && bp.kernel_counter < 0) {
    if (auto c = engine_->new_hit_counter(bp.total_hit_count)) bp.kernel_counter = *c;
    else hit.reset();
  }
  if (!hit) {
    if (bp.kernel_counter >= 0) {
      // Back to counting in user space, from where the kernel got.
      bp.total_hit_count = engine_->hit_count(static_cast<uint32_t>(bp.kernel_counter));
      bp.kernel_counter = -1;
    }
    return;
  }
  hit->counter = static_cast<uint32_t>(bp.kernel_counter);
  for (const tracer::TracedFunction* t : probes) (void)engine_->set_kernel_filter(t, terms, hit);
}

void Debugger::release_lines(const Breakpoint& bp) {
  for (uint64_t pc : bp.addrs) {
    auto it = lines_.find(pc);
    if (it == lines_.end()) continue;
    (void)engine_->remove(it->second);
    lines_.erase(it);
  }
}

void Debugger::release_if_unused(const symbols::Function* fn) {
  if (!fn) return;
  for (const Breakpoint& bp : bps_) {
    const symbols::Function* f = engine_->binary().function_at(bp.addr);
    if (f == fn && (bp.trace_return || bp.addr == fn->entry)) return;
  }
  auto it = traced_.find(fn);
  if (it == traced_.end()) return;
  (void)engine_->remove(it->second);
  traced_.erase(it);
}

Result<void> Debugger::check_string_limit(const Breakpoint& bp) const {
  int limit = opts_.limits.max_string_len;
  for (auto [cfg, what] : {std::pair{&bp.load_args, "LoadArgs"}, std::pair{&bp.load_locals, "LoadLocals"}})
    if (*cfg && (*cfg)->max_string_len > limit)
      return make_error(Errc::invalid_argument,
                        std::string(what) + ".MaxStringLen " + std::to_string((*cfg)->max_string_len) +
                            " is over this server's string capture limit of " + std::to_string(limit) +
                            " bytes (start it with --max-string-len " + std::to_string((*cfg)->max_string_len) + ")");
  return {};
}

Result<Breakpoint> Debugger::create_breakpoint(const BreakpointRequest& req) {
  const symbols::Binary& bin = engine_->binary();
  Breakpoint bp = req.bp;
  // Like Delve, every attempt takes an id, failed ones included.
  int id = next_id_++;
  if (!bp.name.empty())
    for (const Breakpoint& b : bps_)
      if (b.name == bp.name) return make_error(Errc::invalid_argument, "breakpoint name already exists");
  if (!bp.cond.empty()) {
    auto c = Condition::parse(bp.cond);
    if (!c) return c.error();
  }
  if (auto r = check_hit_condition(bp.hit_cond); !r) return r.error();
  if (auto r = check_string_limit(bp); !r) return r.error();

  // Where, in Delve's order: a return tracepoint's addr; file+line;
  // functionName (+line); addrs; addr; then the location expression.
  uint64_t pc = 0;
  const symbols::Function* fn = nullptr;
  std::vector<uint64_t> line_pcs;  // a line inside a body: its statements
  std::vector<uint64_t> inlined;   // a function's inlined copies
  std::string fn_name;             // a function location's (inlined) function
  if (bp.trace_return) {
    pc = bp.addr;
    fn = bin.function_at(pc);
    if (!fn) return make_error(Errc::not_found, "no function at " + hex(pc));
    auto rets = engine_->return_addresses(*fn);
    if (!rets) return rets.error();
    if (std::find(rets->begin(), rets->end(), pc) == rets->end())
      return make_error(Errc::invalid_argument,
                        "0x" + hex(pc) + " is not a return instruction of " + fn->name);
  } else {
    std::string where;
    if (!bp.file.empty() && bp.line > 0)
      where = bp.file + ":" + std::to_string(bp.line);
    else if (!bp.function_name.empty()) {
      auto loc = function_location(bp.function_name);
      if (!loc) return make_error(Errc::not_found, "could not find function " + bp.function_name + "\n");
      pc = loc->pc;
      fn = loc->function;
      fn_name = loc->function_name;
      inlined = loc->inlined;
    } else if (bp.addrs.size() > 1 && !req.loc_expr.empty())
      // Delve's client sends FindLocation's addresses with the expression
      // it resolved: the expression says what they are (inlined copies).
      where = req.loc_expr;
    else if (!bp.addrs.empty())
      where = "*" + std::to_string(bp.addrs.front());
    else if (bp.addr)
      where = "*" + std::to_string(bp.addr);
    else if (!req.loc_expr.empty())
      where = req.loc_expr;
    else
      return make_error(Errc::invalid_argument, "no location for the breakpoint");
    if (!fn) {
      auto locs = find_location(where);
      if (!locs) return locs.error();
      pc = locs->front().pc;
      fn = locs->front().function;
      if (!fn) return make_error(Errc::not_found, "location \"" + where + "\" is not in a function");
      fn_name = locs->front().function_name;
      inlined = locs->front().inlined;
      line_pcs = locs->front().pcs;
      // An address answers with no pcs (as Delve's FindLocation): it is
      // its own statement.
      if (line_pcs.empty()) line_pcs = {pc};
      if (!fn_name.empty()) line_pcs.clear();  // a function: entry and inlined copies
    }
    if (inlined.empty() && pc != fn->entry) {
      // A line that starts the function is its entry (the arguments are
      // where the ABI puts them); any other line is a probe mid-function.
      auto entry_line = bin.pc_to_line(fn->entry);
      auto here = bin.pc_to_line(pc);
      if (entry_line && here && entry_line->line == here->line && entry_line->file == here->file)
        pc = fn->entry;
    }
    if (pc == fn->entry) line_pcs.clear();
  }
  auto line = bin.pc_to_line(pc);
  for (const Breakpoint& b : bps_)
    if (b.addr == pc && b.trace_return == bp.trace_return)
      return make_error(Errc::invalid_argument,
                        "Breakpoint exists at " + (line ? line->file + ":" + std::to_string(line->line) : std::string("?")) +
                            " at " + hex(pc));
  bp.inlined_pcs.clear();
  if (!inlined.empty()) {
    // Each inlined copy is a line probe with the inlined call's arguments.
    if (auto r = trace_lines(bp, inlined); !r) return r.error();
    bp.addrs.clear();
    if (pc == fn->entry) {
      if (auto r = ensure_traced(*fn, bp.stacktrace, req.with_returns); !r) {
        release_lines(Breakpoint{.addrs = inlined});
        return r.error();
      }
      bp.addrs.push_back(pc);
    }
    bp.addrs.insert(bp.addrs.end(), inlined.begin(), inlined.end());
    bp.inlined_pcs = inlined;
  } else if (!line_pcs.empty()) {
    bp.addrs = line_pcs;
    if (auto r = trace_lines(bp, line_pcs); !r) return r.error();
  } else {
    if (auto r = ensure_traced(*fn, bp.stacktrace, bp.trace_return || req.with_returns); !r) return r.error();
    bp.addrs = {pc};
  }

  bp.id = id;
  bp.addr = pc;
  bp.function_name = fn_name.empty() ? fn->name : fn_name;
  bp.file = line ? line->file : "";
  bp.line = line ? line->line : 0;
  bp.hit_count.clear();
  bp.total_hit_count = 0;
  bp.kernel_counter = -1;
  bp.loc_expr = req.loc_expr;
  bps_.push_back(bp);
  refresh_filters(bps_.back());
  return bp;
}

Breakpoint* Debugger::find(int id, const std::string& name) {
  for (Breakpoint& b : bps_)
    if (name.empty() ? b.id == id : b.name == name) return &b;
  return nullptr;
}

static Error no_breakpoint(int id, const std::string& name) {
  return make_error(Errc::not_found, name.empty() ? "no breakpoint with id " + std::to_string(id)
                                                  : "no breakpoint with name " + name);
}

Result<Breakpoint> Debugger::get_breakpoint(int id, const std::string& name) const {
  for (const Breakpoint& b : bps_)
    if (name.empty() ? b.id == id : b.name == name) return b;
  return no_breakpoint(id, name);
}

const Breakpoint* Debugger::breakpoint(int id) const {
  for (const Breakpoint& b : bps_)
    if (b.id == id) return &b;
  return nullptr;
}

std::vector<Breakpoint> Debugger::breakpoints() const { return bps_; }

Result<Breakpoint> Debugger::clear_breakpoint(int id, const std::string& name) {
  Breakpoint* b = find(id, name);
  if (!b) return no_breakpoint(id, name);
  Breakpoint copy = *b;
  bps_.erase(bps_.begin() + (b - bps_.data()));
  release_lines(copy);
  release_if_unused(engine_->binary().function_at(copy.addr));
  refresh_filter(engine_->binary().function_at(copy.addr));
  // Queued hits of a cleared breakpoint are no longer reported.
  std::erase_if(hits_, [&](const Hit& h) { return h.breakpoint == copy.id; });
  return copy;
}

Result<Breakpoint> Debugger::toggle_breakpoint(int id, const std::string& name) {
  Breakpoint* b = find(id, name);
  if (!b) return no_breakpoint(id, name);
  b->disabled = !b->disabled;
  refresh_filters(*b);
  return *b;
}

Result<void> Debugger::amend_breakpoint(const Breakpoint& nb) {
  Breakpoint* b = find(nb.id, "");
  if (!b) return no_breakpoint(nb.id, "");
  if (!nb.cond.empty())
    if (auto c = Condition::parse(nb.cond); !c) return c.error();
  if (auto r = check_hit_condition(nb.hit_cond); !r) return r.error();
  if (auto r = check_string_limit(nb); !r) return r.error();
  if (is_line(*b)) {
    // What the line captures follows what the breakpoint reads.
    Breakpoint probe = *b;
    probe.cond = nb.cond;
    probe.variables = nb.variables;
    probe.load_locals = nb.load_locals;
    probe.stacktrace = nb.stacktrace;
    if (auto r = trace_lines(probe, b->addrs); !r) return r.error();
  } else {
    if (!b->inlined_pcs.empty()) {
      Breakpoint probe = *b;
      probe.cond = nb.cond;
      probe.variables = nb.variables;
      probe.stacktrace = nb.stacktrace;
      if (auto r = trace_lines(probe, b->inlined_pcs); !r) return r.error();
    }
    if (nb.stacktrace > b->stacktrace) {
      const symbols::Function* fn = engine_->binary().function_at(b->addr);
      if (fn)
        if (auto r = ensure_traced(*fn, nb.stacktrace, false); !r) return r.error();
    }
  }
  b->name = nb.name;
  b->cond = nb.cond;
  b->hit_cond = nb.hit_cond;
  b->hit_cond_per_g = nb.hit_cond_per_g;
  b->tracepoint = nb.tracepoint;
  b->goroutine = nb.goroutine;
  b->stacktrace = nb.stacktrace;
  b->variables = nb.variables;
  b->load_args = nb.load_args;
  b->load_locals = nb.load_locals;
  b->disabled = nb.disabled;
  refresh_filters(*b);
  return {};
}

Result<values::Variable> Debugger::evaluate(const std::string& expr,
                                           const tracer::TraceEvent& ev) const {
  return evaluate_expression(expr, ev.values);
}

std::vector<Hit> Debugger::take_hits(size_t max) {
  std::vector<Hit> out;
  while (!hits_.empty() && out.size() < max) {
    uint32_t tid = hits_.front().event.tid;
    if (std::any_of(out.begin(), out.end(), [&](const Hit& h) { return h.event.tid == tid; })) break;
    out.push_back(std::move(hits_.front()));
    hits_.pop_front();
  }
  return out;
}

std::vector<Hit> Debugger::take_buffered() {
  std::vector<Hit> out(std::make_move_iterator(buffered_.begin()),
                       std::make_move_iterator(buffered_.end()));
  buffered_.clear();
  return out;
}

void Debugger::kill_attached() {
  if (process_ && !process_->launched() && !exit_status_) ::kill(process_->pid(), SIGKILL);
}

void Debugger::terminate(bool kill) {
  if (engine_) engine_->stop();
  if (process_ && kill) process_->kill_launched();
}

}  // namespace gotrace::debugger
