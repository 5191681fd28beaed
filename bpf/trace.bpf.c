// SPDX-License-Identifier: GPL-2.0
// The one BPF program behind every gotrace probe. Each attached site (entry
// branch, RET, deferreturn call) carries a cookie naming its capture spec;
// the program copies the registers and stack words the spec names, follows
// the pointers it names, and writes one record to the ring buffer.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "gotrace/bpf/trace_abi.h"

char LICENSE[] SEC("license") = "GPL";

/* The program has no CO-RE relocation, so libbpf loads it without parsing
 * the kernel's BTF (/sys/kernel/btf/vmlinux: ~12 MB of heap and ~15 ms at
 * every start). The registers are read through the user register layouts,
 * which are ABI (uapi asm/ptrace.h); vmlinux.h's types would make each
 * field access a relocation. */
const volatile struct gt_config cfg = {};
struct gt_g_layout g_layout = {};

#if defined(__TARGET_ARCH_x86)
/* struct pt_regs as the uprobe context holds it (x86-64 uapi order). */
struct gt_regs {
  __u64 r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si, di, orig_ax, ip, cs, flags, sp,
      ss;
};
typedef struct gt_regs gt_regs;
#define CF_ZF 0x41
static __always_inline __u64 read_reg(gt_regs *ctx, __u32 dwarf) {
  switch (dwarf) {
  case 0: return ctx->ax;
  case 1: return ctx->dx;
  case 2: return ctx->cx;
  case 3: return ctx->bx;
  case 4: return ctx->si;
  case 5: return ctx->di;
  case 6: return ctx->bp;
  case 7: return ctx->sp;
  case 8: return ctx->r8;
  case 9: return ctx->r9;
  case 10: return ctx->r10;
  case 11: return ctx->r11;
  case 12: return ctx->r12;
  case 13: return ctx->r13;
  case 14: return ctx->r14;
  case 15: return ctx->r15;
  }
  return 0;
}
static __always_inline __u64 g_pointer(gt_regs *ctx) { return ctx->r14; }
/* The thread pointer: g sits at a fixed offset from it (fs:-8 in pure Go
 * binaries, runtime.tlsg's slot when externally linked). It lives in the
 * task's thread_struct, at an offset the loader finds in the kernel's BTF
 * when a spec first needs it (g_layout.fsbase_offset; 0: not known). */
static __always_inline __u64 thread_pointer(void) {
  __u64 fs = 0;
  if (g_layout.fsbase_offset)
    bpf_probe_read_kernel(&fs, 8, (void *)(bpf_get_current_task() + g_layout.fsbase_offset));
  return fs;
}
/* At every probed site (stack-check branch, first instruction, RET) this
 * function's frame is not set up (or already torn down): the return address
 * is at SP and BP is the caller's frame pointer. */
static __always_inline __u64 return_address(gt_regs *ctx) {
  __u64 ra = 0;
  bpf_probe_read_user(&ra, 8, (void *)ctx->sp);
  return ra;
}
static __always_inline __u64 frame_pointer(gt_regs *ctx) { return ctx->bp; }
/* The kernel points ip back at the probed instruction before running the
 * uprobe's handlers. */
static __always_inline __u64 probe_address(gt_regs *ctx) { return ctx->ip; }
static __always_inline __u64 stack_pointer(gt_regs *ctx) { return ctx->sp; }
/* True if the stack-check branch at this hit will go to morestack. */
static __always_inline int branch_taken(gt_regs *ctx, __u8 cond) {
  if (cond == GT_COND_AMD64_JBE)
    return (ctx->flags & CF_ZF) != 0;
  if (cond == GT_COND_AMD64_JB)
    return (ctx->flags & 1) != 0;
  return 0;
}
#elif defined(__TARGET_ARCH_arm64)
/* struct user_pt_regs (arm64 uapi), the uprobe context. */
struct gt_regs {
  __u64 regs[31];
  __u64 sp;
  __u64 pc;
  __u64 pstate;
};
typedef struct gt_regs gt_regs;
static __always_inline __u64 read_reg(gt_regs *ctx, __u32 dwarf) {
  if (dwarf < 31)
    return ctx->regs[dwarf & 31];
  if (dwarf == 31)
    return ctx->sp;
  return 0;
}
static __always_inline __u64 g_pointer(gt_regs *ctx) { return ctx->regs[28]; }
/* arm64 Go code keeps g in R28 under both ABIs: no spec asks for TLS. */
static __always_inline __u64 thread_pointer(void) { return 0; }
static __always_inline __u64 return_address(gt_regs *ctx) { return ctx->regs[30]; }
static __always_inline __u64 frame_pointer(gt_regs *ctx) { return ctx->regs[29]; }
/* BRK does not advance the pc. */
static __always_inline __u64 probe_address(gt_regs *ctx) { return ctx->pc; }
static __always_inline __u64 stack_pointer(gt_regs *ctx) { return ctx->sp; }
static __always_inline int branch_taken(gt_regs *ctx, __u8 cond) {
  __u64 nzcv = ctx->pstate;
  int c = (nzcv >> 29) & 1, z = (nzcv >> 30) & 1;
  if (cond == GT_COND_ARM64_LS)
    return !c || z;
  if (cond == GT_COND_ARM64_LO)
    return !c;
  return 0;
}
#else
#error "define __TARGET_ARCH_x86 or __TARGET_ARCH_arm64"
#endif


struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1); /* resized by the loader */
  __type(key, __u32);
  __type(value, struct gt_spec);
} specs SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 16 << 20); /* resized by the loader */
} events SEC(".maps");

/* The record is assembled here, then copied to the ring with its exact size:
 * bpf_ringbuf_reserve needs a constant size, and most records are small. */
struct scratch {
  struct gt_event_header hdr;
  __u8 data[GT_EVENT_MAX];
  /* Not sent: the hit's registers, copied from ctx with constant offsets
   * (clang turns the switch in read_reg() into a variable ctx offset, which
   * the verifier refuses: "dereference of modified ctx ptr"). */
  gt_regs regs;
  /* Loop counters live here, not on the stack: the verifier tracks stack
   * scalars exactly and would explore every count separately, while values
   * read back from a map are unknown and let the loop states converge. */
  __u32 n_words;
  __u32 pos;
  __u32 n_derefs;
  __u32 n_frames;
  __u64 fp;
  /* Not sent: where each deref's payload landed in data, and its length. */
  __u32 deref_off[GT_MAX_DEREFS];
  __u32 deref_len[GT_MAX_DEREFS];
};

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, struct scratch);
} scratch_map SEC(".maps");

/* Hit counts for kernel-side hit conditions; sized to the spec count by the
 * loader. */
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, __u32);
  __type(value, __u64);
} hit_counters SEC(".maps");

/* Goroutines inside a --follow-calls root: goid -> calls of roots in
 * progress (GT_SPEC_ROOT_*). */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, GT_MAX_ROOT_GOROUTINES);
  __type(key, __u64);
  __type(value, __u64);
} roots SEC(".maps");

__u64 lost_events = 0;  /* records the ring could not take */

/* Counts goroutine `goid` into or out of a root, and says whether a hit of
 * this spec is to be kept. */
static __always_inline int root_filter(struct gt_spec *spec, __u64 goid) {
  __u16 f = spec->flags;
  if (!(f & (GT_SPEC_ROOT_ENTER | GT_SPEC_ROOT_LEAVE | GT_SPEC_UNDER_ROOT)) || !goid)
    return 1;
  __u64 *n = bpf_map_lookup_elem(&roots, &goid);
  if (f & GT_SPEC_ROOT_ENTER) {
    if (n) {
      __sync_fetch_and_add(n, 1);
    } else {
      /* A goroutine runs on one thread at a time: no race on its key.
       * (0 is BPF_ANY; the arm64 vmlinux.h here is minimal.) */
      __u64 one = 1;
      bpf_map_update_elem(&roots, &goid, &one, 0);
    }
    return 1;
  }
  if (f & GT_SPEC_ROOT_LEAVE) {
    if (n && __sync_fetch_and_add(n, -1) <= 1)
      bpf_map_delete_elem(&roots, &goid);
    return 1;
  }
  return n != 0;
}

/* Offsets into scratch.data are masked with POS_MASK and every copy is at most
 * GT_MAX_DEREF_BYTES, so the verifier can prove each access stays inside the
 * 16 KiB value; the usable payload is POS_LIMIT bytes. */
#define POS_MASK 8191
#define POS_LIMIT 8192


/* Reads the 8-byte source a deref op names: a captured word, or 8 bytes inside
 * an earlier deref's payload. Returns 0 if that source was not captured. */
static __always_inline int load_src(struct scratch *s, __u8 kind, __u16 idx,
                                    __u16 off, __u32 n_words, __u32 n_derefs,
                                    __u64 *out) {
  __u32 at;
  if (kind == GT_SRC_WORD) {
    if (idx >= n_words || idx >= GT_MAX_WORDS)
      return 0;
    at = idx * 8;
  } else if (kind == GT_SRC_DEREF) {
    if (idx >= n_derefs)
      return 0; /* only earlier derefs may be sources */
    __u32 len = s->deref_len[idx & (GT_MAX_DEREFS - 1)];
    if ((__u32)off + 8 > len)
      return 0;
    at = s->deref_off[idx & (GT_MAX_DEREFS - 1)] + off;
    if (at > POS_LIMIT - 8)
      return 0;
  } else {
    return 0;
  }
  /* clang merges the two paths into one load; mask after an opaque barrier so
   * the verifier sees the bound on the merged offset. */
  asm volatile("" : "+r"(at));
  at &= POS_MASK;
  __builtin_memcpy(out, &s->data[at], 8);
  return 1;
}

/* State carried through the bpf_loop callbacks. Unrolled loops with this
 * much branching blow the verifier's 1M-instruction budget; a callback is
 * verified once per distinct state instead. */
struct loop_ctx {
  struct scratch *s;
  struct gt_spec *spec;
  __u64 sp;
};

static long copy_word_op(__u32 i, void *arg) {
  struct loop_ctx *lc = arg;
  struct scratch *s = lc->s;
  struct gt_spec *spec = lc->spec;
  if (i >= spec->n_word_ops || i >= GT_MAX_WORD_OPS)
    return 1;
  asm volatile("" : "+r"(i)); /* keep the mask: the verifier needs it */
  struct gt_word_op *op = &spec->words[i & (GT_MAX_WORD_OPS - 1)];
  __u32 n_words = s->n_words;
  if (op->kind == GT_WORD_REG) {
    if (n_words >= GT_MAX_WORDS)
      return 1;
    *(__u64 *)&s->data[(n_words * 8) & POS_MASK] = read_reg(&s->regs, op->reg);
    s->n_words = n_words + 1;
  } else if (op->kind == GT_WORD_STACK) {
    __u32 count = op->count;
    if (count > GT_MAX_STACK_WORDS)
      count = GT_MAX_STACK_WORDS;
    if (n_words + count > GT_MAX_WORDS)
      return 1;
    __u32 off = (n_words * 8) & POS_MASK;
    __u32 bytes = (count * 8) & (GT_MAX_STACK_WORDS * 8 * 2 - 1);
    if (bpf_probe_read_user(&s->data[off], bytes, (void *)(lc->sp + op->stack_off)))
      __builtin_memset(&s->data[off], 0, 8); /* stack unreadable: zero word */
    s->n_words = n_words + count;
  }
  return 0;
}

/* One step of the frame-pointer walk: the saved return address sits just
 * above the saved frame pointer in every Go frame. */
static long copy_frame(__u32 i, void *arg) {
  struct loop_ctx *lc = arg;
  struct scratch *s = lc->s;
  __u64 fp = s->fp;
  __u32 pos = s->pos;
  if (!fp || pos > POS_LIMIT - 8)
    return 1;
  __u64 ra = 0, next = 0;
  if (bpf_probe_read_user(&ra, 8, (void *)(fp + 8)) ||
      bpf_probe_read_user(&next, 8, (void *)fp) || !ra)
    return 1;
  *(__u64 *)&s->data[pos & POS_MASK] = ra;
  s->pos = pos + 8;
  s->n_frames++;
  /* Frames grow downward: a caller's frame is always higher. */
  s->fp = next > fp ? next : 0;
  return 0;
}

/* The slots of a GT_DEREF_GATHER op (op number i): each non-empty one is
 * read into a record of its own. */
static __always_inline void copy_gather(struct scratch *s, struct gt_deref_op *op, __u32 i) {
  __u32 count = op->count;
  __u32 stride = op->stride;
  for (__u32 j = 0; j < GT_MAX_GATHER; j++) {
    if (j >= count)
      break;
    __u32 poff = op->ptr_off + j * stride, loff = op->len_off + j * stride;
    if (poff > 0xffff || loff > 0xffff)
      break;
    __u64 ptr = 0, len = 0;
    if (!load_src(s, op->ptr_src, op->ptr_idx, poff, s->n_words, i, &ptr) || !ptr)
      continue;
    __u64 bytes = op->max_bytes;
    if (op->len_src != GT_SRC_NONE) {
      if (!load_src(s, op->len_src, op->len_idx, loff, s->n_words, i, &len))
        continue;
      if ((__s64)len < 0)
        len = 0;
      if (len * op->elem_size < bytes)
        bytes = len * op->elem_size;
    }
    if (bytes > GT_MAX_DEREF_BYTES)
      bytes = GT_MAX_DEREF_BYTES;
    if (!bytes)
      continue;
    __u32 pos = s->pos;
    __u32 n = s->n_derefs;
    if (n >= GT_MAX_DEREF_RECORDS || pos > POS_LIMIT - sizeof(struct gt_deref_header) - bytes)
      break;
    struct gt_deref_header *dh = (void *)&s->data[pos & POS_MASK];
    __u32 at = (pos + sizeof(struct gt_deref_header)) & POS_MASK;
    if (bpf_probe_read_user(&s->data[at], bytes & (GT_MAX_DEREF_BYTES * 2 - 1), (void *)ptr))
      continue;
    dh->addr = ptr;
    dh->len = bytes;
    dh->status = GT_DEREF_OK;
    s->n_derefs = n + 1;
    s->pos = pos + sizeof(struct gt_deref_header) + ((bytes + 7) & ~7ull);
  }
}

/* Deref op number i. Its payload is recorded under its op number, which
 * later ops name as their source; records are counted separately (a gather
 * op sends several or none). */
static long copy_deref_op(__u32 i, void *arg) {
  struct loop_ctx *lc = arg;
  struct scratch *s = lc->s;
  struct gt_spec *spec = lc->spec;
  if (i >= spec->n_derefs || i >= GT_MAX_DEREFS)
    return 1;
  asm volatile("" : "+r"(i)); /* keep the mask: the verifier needs it */
  struct gt_deref_op *op = &spec->derefs[i & (GT_MAX_DEREFS - 1)];
  s->deref_len[i & (GT_MAX_DEREFS - 1)] = 0;
  if (op->flags & GT_DEREF_GATHER) {
    copy_gather(s, op, i);
    return 0;
  }
  __u32 pos = s->pos;
  if (pos > POS_LIMIT - sizeof(struct gt_deref_header))
    return 1;
  __u32 me = s->n_derefs;
  if (me >= GT_MAX_DEREF_RECORDS)
    return 1;
  struct gt_deref_header *dh = (void *)&s->data[pos & POS_MASK];
  pos += sizeof(struct gt_deref_header);
  dh->addr = 0;
  dh->len = 0;
  dh->status = GT_DEREF_OK;
  s->n_derefs = me + 1;
  s->pos = pos;

  __u64 ptr = 0, len = 0;
  if (!load_src(s, op->ptr_src, op->ptr_idx, op->ptr_off, s->n_words, i, &ptr)) {
    dh->status = GT_DEREF_NOSRC;
    return 0;
  }
  __u64 bytes = op->max_bytes;
  if (op->len_src != GT_SRC_NONE) {
    if (!load_src(s, op->len_src, op->len_idx, op->len_off, s->n_words, i, &len)) {
      dh->status = GT_DEREF_NOSRC;
      return 0;
    }
    if (op->flags & GT_DEREF_LEN_POW2) {
      __u64 shift = len & 0xff;
      len = 1ull << (shift > 16 ? 16 : shift);
    }
    if ((__s64)len < 0)
      len = 0;
    if (op->flags & GT_DEREF_LEN_PLUS_ONE)
      len += 1;
    __u64 total = len * op->elem_size;
    total = total > op->add ? total - op->add : 0;
    if (total < bytes)
      bytes = total;
  }
  if (bytes > GT_MAX_DEREF_BYTES)
    bytes = GT_MAX_DEREF_BYTES;
  ptr += op->add;
  if (op->flags & GT_DEREF_PAGE_CLAMP) {
    __u64 room = 4096 - (ptr & 4095);
    if (bytes > room)
      bytes = room;
  }
  dh->addr = ptr;
  if (!ptr || !bytes)
    return 0;
  if (pos + bytes > POS_LIMIT) {
    dh->status = GT_DEREF_NOROOM;
    return 0;
  }
  __u32 at = pos & POS_MASK;
  if (bpf_probe_read_user(&s->data[at], bytes & (GT_MAX_DEREF_BYTES * 2 - 1),
                          (void *)ptr)) {
    dh->status = GT_DEREF_FAULT;
    return 0;
  }
  dh->len = bytes;
  s->deref_off[i & (GT_MAX_DEREFS - 1)] = at;
  s->deref_len[i & (GT_MAX_DEREFS - 1)] = bytes;
  s->pos = pos + ((bytes + 7) & ~7ull);
  return 0;
}

/* The spec's condition over the captured words: some group of terms all of
 * which hold (gt_pred). A term whose word was not captured fails (like a
 * condition Delve cannot evaluate). */
static __always_inline int predicates_hold(struct scratch *s, struct gt_spec *spec,
                                           __u32 n_words) {
  int group = -1, group_ok = 0;
#pragma unroll
  for (int i = 0; i < GT_MAX_PREDS; i++) {
    if (i >= spec->n_preds)
      break;
    struct gt_pred *p = &spec->preds[i];
    if (p->group != group) {
      if (group >= 0 && group_ok)
        return 1;
      group = p->group;
      group_ok = 1;
    }
    if (!group_ok)
      continue;
    __u32 w = p->word;
    if (w >= n_words || w >= GT_MAX_WORDS) {
      group_ok = 0;
      continue;
    }
    __u64 v = *(__u64 *)&s->data[(w * 8) & POS_MASK];
    if (!gt_pred_holds(p, v))
      group_ok = 0;
  }
  return group < 0 || group_ok;
}

/* Counts the hit and applies the hit condition to the new count, which is
 * stored in *count. */
static __always_inline int hit_condition_holds(struct gt_spec *spec, __u64 *count) {
  __u32 id = spec->counter;
  __u64 *counter = bpf_map_lookup_elem(&hit_counters, &id);
  if (!counter)
    return 0;
  __u64 n = __sync_fetch_and_add(counter, 1) + 1;
  *count = n;
  return gt_hit_holds(spec->hit_op, n, spec->hit_value);
}

SEC("uprobe")
int gotrace_probe(struct pt_regs *uctx) {
  __u64 pid_tgid = bpf_get_current_pid_tgid();
  __u32 tgid = pid_tgid >> 32;
  if (cfg.tgid && tgid != cfg.tgid)
    return 0;

  __u32 spec_id = (__u32)bpf_get_attach_cookie(uctx);
  struct gt_spec *spec = bpf_map_lookup_elem(&specs, &spec_id);
  if (!spec)
    return 0;

  __u32 zero = 0;
  struct scratch *s = bpf_map_lookup_elem(&scratch_map, &zero);
  if (!s)
    return 0;
  __builtin_memcpy(&s->regs, uctx, sizeof s->regs);
  gt_regs *ctx = &s->regs;

  if ((spec->flags & GT_SPEC_SKIP_BRANCH) && branch_taken(ctx, spec->branch_cond))
    return 0;

  __u64 sp = stack_pointer(ctx);
  __u64 g = g_pointer(ctx);
  if (spec->flags & GT_SPEC_G_FROM_TLS) {
    __u64 tp = thread_pointer();
    g = 0;
    if (tp)
      bpf_probe_read_user(&g, 8, (void *)(tp + g_layout.g_tls_offset));
  }
  __u64 goid = 0, stack_hi = 0;
  if (g) {
    bpf_probe_read_user(&goid, 8, (void *)(g + g_layout.goid_offset));
    bpf_probe_read_user(&stack_hi, 8, (void *)(g + g_layout.stack_hi_offset));
    /* g0 (the system stack): the goroutine is g0.m.curg; the depth stays
     * the system stack's, where the call's entry and return both are. */
    if (!goid && g_layout.m_offset && g_layout.curg_offset) {
      __u64 m = 0, curg = 0;
      bpf_probe_read_user(&m, 8, (void *)(g + g_layout.m_offset));
      if (m)
        bpf_probe_read_user(&curg, 8, (void *)(m + g_layout.curg_offset));
      if (curg && curg != g)
        bpf_probe_read_user(&goid, 8, (void *)(curg + g_layout.goid_offset));
    }
  }
  if (!root_filter(spec, goid))
    return 0;
  s->hdr.ts_ns = bpf_ktime_get_ns();
  s->hdr.goid = goid;
  s->hdr.depth = stack_hi ? stack_hi - sp : 0;
  s->hdr.sp = sp;
  s->hdr.ip = probe_address(ctx);
  s->hdr.tgid = tgid;
  s->hdr.tid = (__u32)pid_tgid;
  s->hdr.spec_id = spec_id;
  s->hdr.flags = spec->flags;

  struct loop_ctx lc = {.s = s, .spec = spec, .sp = sp};
  s->n_words = 0;
  s->n_derefs = 0;
  if (spec->n_word_ops)
    bpf_loop(GT_MAX_WORD_OPS, copy_word_op, &lc, 0);
  __u32 n_words = s->n_words;
  if (n_words > GT_MAX_WORDS)
    n_words = GT_MAX_WORDS;
  /* A failed condition costs the trap and the words, nothing more. */
  if (spec->n_preds && !predicates_hold(s, spec, n_words))
    return 0;
  if (spec->hit_op != GT_HIT_NONE) {
    __u64 count = 0;
    if (!hit_condition_holds(spec, &count) || n_words >= GT_MAX_WORDS)
      return 0;
    /* The count as of this hit travels as one more word. */
    *(__u64 *)&s->data[(n_words * 8) & POS_MASK] = count;
    n_words++;
    s->n_words = n_words;
    s->hdr.flags |= GT_EVENT_COUNTED;
  }
  s->pos = n_words * 8;
  s->n_frames = 0;
  __u32 frames = spec->stack_frames;
  if (frames && (spec->flags & GT_SPEC_FRAME_SET)) {
    s->pos = n_words * 8;
    s->fp = frame_pointer(ctx);
    bpf_loop(frames > GT_MAX_FRAMES ? GT_MAX_FRAMES : frames, copy_frame, &lc, 0);
  } else if (frames) {
    __u64 ra = return_address(ctx);
    if (ra) {
      *(__u64 *)&s->data[(n_words * 8) & POS_MASK] = ra;
      s->pos = n_words * 8 + 8;
      s->n_frames = 1;
      s->fp = frame_pointer(ctx);
      if (frames > 1)
        bpf_loop(frames > GT_MAX_FRAMES ? GT_MAX_FRAMES - 1 : frames - 1, copy_frame, &lc, 0);
    }
  }
  if (spec->n_derefs)
    bpf_loop(GT_MAX_DEREFS, copy_deref_op, &lc, 0);
  s->hdr.n_words = n_words;
  s->hdr.n_derefs = s->n_derefs;
  s->hdr.n_frames = s->n_frames;

  __u32 pos = s->pos;
  if (pos > POS_LIMIT)
    pos = POS_LIMIT;
  __u32 size = sizeof(struct gt_event_header) + pos;
  s->hdr.size = size;
  /* pos never exceeds POS_LIMIT; the mask restates that for the verifier. */
  asm volatile("" : "+r"(size));
  size &= GT_EVENT_MAX - 1;

  /* Batched wakeups: a wakeup per record more than triples the cost of a hit
   * (tracing-facts §5.5), so the consumer drains on a timer and is woken only
   * when the ring is filling up. */
  __u64 flags = BPF_RB_NO_WAKEUP;
  if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) > cfg.wakeup_bytes)
    flags = BPF_RB_FORCE_WAKEUP;
  if (bpf_ringbuf_output(&events, s, size, flags))
    __sync_fetch_and_add(&lost_events, 1);
  return 0;
}
