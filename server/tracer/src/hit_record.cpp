// Mirrors gotrace_probe in bpf/trace.bpf.c step by step; a change to either
// must be made to both (the decoder cannot tell which backend wrote a record).
#include "hit_record.h"

#include "gotrace/arch/probe_sites.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace gotrace::tracer {

std::optional<uint64_t> HitCounters::increment(uint32_t id) {
  if (id >= counts_.size()) return std::nullopt;
  // Relaxed: the count guards no other data.
  return counts_[id].fetch_add(1, std::memory_order_relaxed) + 1;
}

std::optional<uint64_t> HitCounters::get(uint32_t id) const {
  if (id >= counts_.size()) return std::nullopt;
  return counts_[id].load(std::memory_order_relaxed);
}

bool HitCounters::set(uint32_t id, uint64_t value) {
  if (id >= counts_.size()) return false;
  counts_[id].store(value, std::memory_order_relaxed);
  return true;
}

namespace {

constexpr size_t kHeader = sizeof(gt_event_header);
constexpr uint32_t kPosLimit = 8192;  // POS_LIMIT: the payload after the header
constexpr uint64_t kPage = 4096;      // what GT_DEREF_PAGE_CLAMP assumes

std::optional<unsigned> vector_index(arch::Machine m, unsigned dwarf) {
  unsigned first = m == arch::Machine::amd64 ? 17 : 64;
  unsigned count = m == arch::Machine::amd64 ? 16 : 32;
  if (dwarf < first || dwarf >= first + count) return std::nullopt;
  return dwarf - first;
}

uint64_t read_reg(const HitRegisters& r, unsigned dwarf) {
  bool amd64 = r.machine == arch::Machine::amd64;
  if (dwarf == static_cast<unsigned>(arch::sp_reg_dwarf(r.machine))) return r.sp;
  if (dwarf < (amd64 ? 16u : 31u)) return r.gpr[dwarf];
  if (auto v = vector_index(r.machine, dwarf)) return r.have_vec ? r.vec_lo[*v] : 0;
  return 0;
}

// The BPF program built for one machine knows only that machine's conditions.
bool branch_taken(const HitRegisters& r, uint8_t cond) {
  using arch::BranchCond;
  bool amd64 = r.machine == arch::Machine::amd64;
  BranchCond c = BranchCond::none;
  switch (cond) {
    case GT_COND_AMD64_JBE: c = amd64 ? BranchCond::amd64_jbe : c; break;
    case GT_COND_AMD64_JB: c = amd64 ? BranchCond::amd64_jb : c; break;
    case GT_COND_ARM64_LS: c = amd64 ? c : BranchCond::arm64_ls; break;
    case GT_COND_ARM64_LO: c = amd64 ? c : BranchCond::arm64_lo; break;
  }
  return arch::entry_branch_taken(c, r.flags);
}

// The record being built, laid out as the BPF program's scratch: the header,
// then `data` (words, frames, derefs) at offset kHeader.
struct Assembly {
  const gt_spec& spec;
  const HitRegisters& regs;
  TargetMemory& mem;
  std::vector<uint8_t> out;
  uint32_t n_words = 0, n_frames = 0, n_derefs = 0;
  std::array<uint32_t, GT_MAX_DEREFS> deref_off{}, deref_len{};

  uint32_t pos() const { return static_cast<uint32_t>(out.size() - kHeader); }
  uint64_t load(uint32_t at) const {
    uint64_t v;
    std::memcpy(&v, out.data() + kHeader + at, 8);
    return v;
  }
  void append(uint64_t v) {
    size_t at = out.size();
    out.resize(at + 8);
    std::memcpy(out.data() + at, &v, 8);
  }
  uint64_t read_u64(uint64_t addr) {
    uint64_t v = 0;
    return mem.read(addr, &v, 8) ? v : 0;
  }
};

// An upper bound of the record's size, so `out` is allocated once.
size_t record_bound(const gt_spec& spec) {
  size_t words = spec.hit_op != GT_HIT_NONE;
  for (unsigned i = 0; i < std::min<unsigned>(spec.n_word_ops, GT_MAX_WORD_OPS); i++) {
    const gt_word_op& op = spec.words[i];
    if (op.kind == GT_WORD_REG) words++;
    if (op.kind == GT_WORD_STACK) words += std::min<unsigned>(op.count, GT_MAX_STACK_WORDS);
  }
  size_t pos = 8 * (std::min<size_t>(words, GT_MAX_WORDS) +
                    std::min<unsigned>(spec.stack_frames, GT_MAX_FRAMES));
  for (unsigned i = 0; i < std::min<unsigned>(spec.n_derefs, GT_MAX_DEREFS); i++) {
    const gt_deref_op& op = spec.derefs[i];
    size_t bytes = std::min<size_t>(op.max_bytes, GT_MAX_DEREF_BYTES);
    size_t reads = op.flags & GT_DEREF_GATHER ? std::min<unsigned>(op.count, GT_MAX_GATHER) : 1;
    pos += reads * (sizeof(gt_deref_header) + ((bytes + 7) & ~size_t{7}));
  }
  return kHeader + std::min<size_t>(pos, kPosLimit);
}

// copy_word_op: an op that does not fit ends the copying.
void copy_words(Assembly& a) {
  for (unsigned i = 0; i < std::min<unsigned>(a.spec.n_word_ops, GT_MAX_WORD_OPS); i++) {
    const gt_word_op& op = a.spec.words[i];
    if (op.kind == GT_WORD_REG) {
      if (a.n_words >= GT_MAX_WORDS) return;
      a.append(read_reg(a.regs, op.reg));
      a.n_words++;
    } else if (op.kind == GT_WORD_STACK) {
      uint32_t count = std::min<uint32_t>(op.count, GT_MAX_STACK_WORDS);
      if (a.n_words + count > GT_MAX_WORDS) return;
      size_t at = a.out.size();
      a.out.resize(at + count * 8);
      uint64_t src = a.regs.sp + static_cast<uint64_t>(static_cast<int64_t>(op.stack_off));
      if (count && !a.mem.read(src, a.out.data() + at, count * 8))
        std::memset(a.out.data() + at, 0, count * 8);
      a.n_words += count;
    }
  }
}

// Some group of terms all hold (gt_pred's groups), as the BPF program.
bool predicates_hold(const Assembly& a) {
  int group = -1;
  bool group_ok = false;
  for (unsigned i = 0; i < std::min<unsigned>(a.spec.n_preds, GT_MAX_PREDS); i++) {
    const gt_pred& p = a.spec.preds[i];
    if (p.group != group) {
      if (group >= 0 && group_ok) return true;
      group = p.group;
      group_ok = true;
    }
    if (group_ok && (p.word >= a.n_words || !gt_pred_holds(&p, a.load(p.word * 8u)))) group_ok = false;
  }
  return group < 0 || group_ok;
}

// The return address, then copy_frame's walk. At every probe site the
// function's own frame is not set up, so the frame pointer is the caller's.
void copy_frames(Assembly& a) {
  unsigned want = std::min<unsigned>(a.spec.stack_frames, GT_MAX_FRAMES);
  if (!want) return;
  bool amd64 = a.regs.machine == arch::Machine::amd64;
  uint64_t fp = a.regs.gpr[amd64 ? 6 : 29];
  if (!(a.spec.flags & GT_SPEC_FRAME_SET)) {
    uint64_t ra = amd64 ? a.read_u64(a.regs.sp) : a.regs.gpr[30];
    if (!ra) return;
    a.append(ra);
    a.n_frames = 1;
  }
  while (a.n_frames < want && fp) {
    // One read for both slots: it fails exactly when either 8-byte read would.
    uint64_t saved[2];  // the caller's frame pointer, then the return address
    if (!a.mem.read(fp, saved, sizeof saved) || !saved[1]) return;
    a.append(saved[1]);
    a.n_frames++;
    fp = saved[0] > fp ? saved[0] : 0;  // a caller's frame is always higher
  }
}

// load_src: only words and earlier derefs' payloads may be sources.
std::optional<uint64_t> load_src(const Assembly& a, uint8_t kind, uint16_t idx, uint16_t off,
                                 uint32_t me) {
  if (kind == GT_SRC_WORD && idx < a.n_words) return a.load(idx * 8u);
  if (kind == GT_SRC_DEREF && idx < me && off + 8u <= a.deref_len[idx])
    return a.load(a.deref_off[idx] + off);
  return std::nullopt;
}

// How many bytes op reads given its length source's value (`len`, when it
// has one), as the BPF program counts them.
uint64_t bounded_bytes(const gt_deref_op& op, std::optional<uint64_t> len) {
  uint64_t bytes = op.max_bytes;
  if (len) {
    uint64_t n = *len;
    if (op.flags & GT_DEREF_LEN_POW2) n = uint64_t{1} << std::min<uint64_t>(n & 0xff, 16);
    if (static_cast<int64_t>(n) < 0) n = 0;
    if (op.flags & GT_DEREF_LEN_PLUS_ONE) n += 1;
    uint64_t total = n * op.elem_size;
    total = total > op.add ? total - op.add : 0;
    bytes = std::min(bytes, total);
  }
  return std::min<uint64_t>(bytes, GT_MAX_DEREF_BYTES);
}

// The header of deref op `me`, whose own header is already in place; appends
// its payload, recorded under the op's number for the ops that read it.
gt_deref_header fetch_deref(Assembly& a, const gt_deref_op& op, uint32_t me) {
  gt_deref_header dh{0, 0, GT_DEREF_OK};
  auto ptr = load_src(a, op.ptr_src, op.ptr_idx, op.ptr_off, me);
  std::optional<uint64_t> len;
  if (op.len_src != GT_SRC_NONE && ptr) len = load_src(a, op.len_src, op.len_idx, op.len_off, me);
  if (!ptr || (op.len_src != GT_SRC_NONE && !len)) {
    dh.status = GT_DEREF_NOSRC;
    return dh;
  }
  uint64_t bytes = bounded_bytes(op, len);
  dh.addr = *ptr + op.add;
  if (op.flags & GT_DEREF_PAGE_CLAMP) bytes = std::min(bytes, kPage - dh.addr % kPage);
  if (!dh.addr || !bytes) return dh;
  uint32_t pos = a.pos();
  if (pos + bytes > kPosLimit) {
    dh.status = GT_DEREF_NOROOM;
    return dh;
  }
  size_t at = a.out.size();
  a.out.resize(at + ((bytes + 7) & ~uint64_t{7}));
  if (!a.mem.read(dh.addr, a.out.data() + at, bytes)) {
    a.out.resize(at);
    dh.status = GT_DEREF_FAULT;
    return dh;
  }
  dh.len = static_cast<uint32_t>(bytes);
  a.deref_off[me] = pos;
  a.deref_len[me] = dh.len;
  return dh;
}

// copy_gather: a record per slot with something to read.
void fetch_gather(Assembly& a, const gt_deref_op& op, uint32_t me) {
  for (uint32_t j = 0; j < std::min<uint32_t>(op.count, GT_MAX_GATHER); j++) {
    uint32_t poff = op.ptr_off + j * op.stride, loff = op.len_off + j * op.stride;
    if (poff > 0xffff || loff > 0xffff) return;
    auto ptr = load_src(a, op.ptr_src, op.ptr_idx, static_cast<uint16_t>(poff), me);
    if (!ptr || !*ptr) continue;
    std::optional<uint64_t> len;
    if (op.len_src != GT_SRC_NONE) {
      len = load_src(a, op.len_src, op.len_idx, static_cast<uint16_t>(loff), me);
      if (!len) continue;
    }
    uint64_t bytes = bounded_bytes(op, len);
    if (!bytes) continue;
    if (a.n_derefs >= GT_MAX_DEREF_RECORDS || a.pos() > kPosLimit - sizeof(gt_deref_header) - bytes) return;
    size_t at = a.out.size();
    a.out.resize(at + sizeof(gt_deref_header) + ((bytes + 7) & ~uint64_t{7}));
    if (!a.mem.read(*ptr, a.out.data() + at + sizeof(gt_deref_header), bytes)) {
      a.out.resize(at);
      continue;
    }
    gt_deref_header dh{*ptr, static_cast<uint32_t>(bytes), GT_DEREF_OK};
    std::memcpy(a.out.data() + at, &dh, sizeof dh);
    a.n_derefs++;
  }
}

// copy_deref_op: a deref whose header does not fit ends the derefs.
void copy_derefs(Assembly& a) {
  for (unsigned i = 0; i < std::min<unsigned>(a.spec.n_derefs, GT_MAX_DEREFS); i++) {
    const gt_deref_op& op = a.spec.derefs[i];
    a.deref_len[i] = 0;
    if (op.flags & GT_DEREF_GATHER) {
      fetch_gather(a, op, i);
      continue;
    }
    if (a.pos() > kPosLimit - sizeof(gt_deref_header) || a.n_derefs >= GT_MAX_DEREF_RECORDS) return;
    size_t at = a.out.size();
    a.out.resize(at + sizeof(gt_deref_header));
    a.n_derefs++;
    gt_deref_header dh = fetch_deref(a, op, i);
    std::memcpy(a.out.data() + at, &dh, sizeof dh);
  }
}

// The goroutine of g, as the BPF program reads it: on the system stack (g0,
// goid 0) the one that switched there, g0.m.curg.
uint64_t goid_of(Assembly& a, uint64_t g, const HitContext& ctx) {
  if (!g) return 0;
  uint64_t goid = a.read_u64(g + ctx.goid_offset);
  if (goid || !ctx.m_offset || !ctx.curg_offset) return goid;
  uint64_t m = a.read_u64(g + ctx.m_offset);
  uint64_t curg = m ? a.read_u64(m + ctx.curg_offset) : 0;
  return curg && curg != g ? a.read_u64(curg + ctx.goid_offset) : 0;
}

// The hit's g: R14 (X28), or thread-local storage for ABI0 sites.
uint64_t g_of(Assembly& a, const HitRegisters& regs, const HitContext& ctx, const gt_spec& spec) {
  if ((spec.flags & GT_SPEC_G_FROM_TLS) && regs.machine == arch::Machine::amd64)
    return regs.thread_pointer ? a.read_u64(regs.thread_pointer + static_cast<uint64_t>(ctx.g_tls_offset)) : 0;
  return regs.gpr[arch::g_reg_dwarf(regs.machine)];
}

}  // namespace

bool RootGoroutines::filter(uint16_t flags, uint64_t goid) {
  if (!goid) return true;
  std::lock_guard lock(mu_);
  auto it = inside_.find(goid);
  if (flags & GT_SPEC_ROOT_ENTER) {
    if (it != inside_.end()) it->second++;
    else if (inside_.size() < GT_MAX_ROOT_GOROUTINES) inside_.emplace(goid, 1);
    return true;
  }
  if (flags & GT_SPEC_ROOT_LEAVE) {
    if (it != inside_.end() && --it->second == 0) inside_.erase(it);
    return true;
  }
  return it != inside_.end();
}

std::optional<std::vector<uint8_t>> build_hit_record(const gt_spec& spec,
                                                     const HitRegisters& regs, TargetMemory& mem,
                                                     const HitContext& ctx,
                                                     HitCounters& counters,
                                                     RootGoroutines* roots) {
  if ((spec.flags & GT_SPEC_SKIP_BRANCH) && branch_taken(regs, spec.branch_cond))
    return std::nullopt;
  Assembly a{spec, regs, mem, {}};
  constexpr uint16_t kRootFlags = GT_SPEC_ROOT_ENTER | GT_SPEC_ROOT_LEAVE | GT_SPEC_UNDER_ROOT;
  if (roots && (spec.flags & kRootFlags)) {
    // Before anything is copied, as in the BPF program.
    uint64_t goid = goid_of(a, g_of(a, regs, ctx, spec), ctx);
    if (!roots->filter(spec.flags, goid)) return std::nullopt;
  }
  a.out.reserve(record_bound(spec));
  a.out.resize(kHeader);
  copy_words(a);
  if (!predicates_hold(a)) return std::nullopt;
  gt_event_header h{};
  h.flags = spec.flags;
  if (spec.hit_op != GT_HIT_NONE) {
    // Counted even when the condition then fails, as in the BPF program.
    auto count = counters.increment(spec.counter);
    if (!count || !gt_hit_holds(spec.hit_op, *count, spec.hit_value) ||
        a.n_words >= GT_MAX_WORDS)
      return std::nullopt;
    a.append(*count);
    a.n_words++;
    h.flags |= GT_EVENT_COUNTED;
  }
  copy_frames(a);
  copy_derefs(a);

  // After the filters: on a ptrace stop each read is a system call.
  uint64_t g = g_of(a, regs, ctx, spec);
  uint64_t stack_hi = g ? a.read_u64(g + ctx.stack_hi_offset) : 0;
  h.ts_ns = ctx.ts_ns;
  h.goid = goid_of(a, g, ctx);
  h.depth = stack_hi ? stack_hi - regs.sp : 0;
  h.sp = regs.sp;
  h.ip = regs.pc;
  h.tgid = ctx.tgid;
  h.tid = ctx.tid;
  h.spec_id = ctx.spec_id;
  h.size = static_cast<uint32_t>(a.out.size());
  h.n_words = static_cast<uint16_t>(a.n_words);
  h.n_derefs = static_cast<uint16_t>(a.n_derefs);
  h.n_frames = static_cast<uint16_t>(a.n_frames);
  std::memcpy(a.out.data(), &h, sizeof h);
  return std::move(a.out);
}

bool reads_vector_registers(const gt_spec& spec, arch::Machine m) {
  for (unsigned i = 0; i < std::min<unsigned>(spec.n_word_ops, GT_MAX_WORD_OPS); i++)
    if (spec.words[i].kind == GT_WORD_REG && vector_index(m, spec.words[i].reg)) return true;
  return false;
}

}  // namespace gotrace::tracer
