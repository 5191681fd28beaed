/* The contract between trace.bpf.c and the C++ decoder: capture specs the
 * engine writes into the `specs` map, and the event records the BPF program
 * writes into the ring buffer. Included by both sides; every layout is pinned
 * by _Static_assert so a change on one side cannot silently break the other.
 *
 * Event record, as written to the ring (all little-endian, 8-byte aligned):
 *   struct gt_event_header
 *   __u64 words[header.n_words]            register / stack words, in spec order
 *   __u64 frames[header.n_frames]          return addresses, innermost first
 *   n_derefs times (one per deref op, none to several per gather op):
 *     struct gt_deref_header               address read, bytes read, status
 *     __u8 bytes[round_up(len, 8)]
 */
#ifndef GOTRACE_BPF_TRACE_ABI_H
#define GOTRACE_BPF_TRACE_ABI_H

#ifdef __cplusplus
#include <cstdint>
typedef uint8_t gt_u8;
typedef uint16_t gt_u16;
typedef uint32_t gt_u32;
typedef int32_t gt_s32;
typedef uint64_t gt_u64;
typedef int64_t gt_s64;
#define GT_STATIC_ASSERT static_assert
#else
typedef __u8 gt_u8;
typedef __u16 gt_u16;
typedef __u32 gt_u32;
typedef __s32 gt_s32;
typedef __u64 gt_u64;
typedef __s64 gt_s64;
#define GT_STATIC_ASSERT _Static_assert
#endif

#define GT_MAX_WORD_OPS 32     /* copy operations per spec (power of 2) */
#define GT_MAX_WORDS 64        /* 8-byte words per event */
#define GT_MAX_STACK_WORDS 32  /* words one stack copy may take */
#define GT_MAX_DEREFS 32       /* dereferences per event (power of 2) */
#define GT_MAX_DEREF_BYTES 1024
#define GT_MAX_FRAMES 64       /* return addresses one event may carry */
#define GT_EVENT_MAX 16384     /* largest record */
#define GT_MAX_PREDS 4         /* kernel-side condition terms per spec */

/* gt_word_op.kind */
#define GT_WORD_REG 1   /* one register, by DWARF number */
#define GT_WORD_STACK 2 /* `count` words at SP + stack_off */

/* gt_deref_op.ptr_src / len_src */
#define GT_SRC_NONE 0
#define GT_SRC_WORD 1  /* words[idx] */
#define GT_SRC_DEREF 2 /* 8 bytes at offset `off` of deref number idx */

/* gt_spec.flags */
#define GT_SPEC_RETURN 1u     /* a RET / deferreturn site */
#define GT_SPEC_SKIP_BRANCH 2u /* entry on the stack-check branch: drop the
                                  pass that branches to morestack */
#define GT_SPEC_G_FROM_TLS 4u  /* amd64 ABI0 code does not keep g in R14: read
                                  it at gt_config.g_tls_offset from the thread
                                  pointer (FS base) */
/* --follow-calls: the goroutines inside a root function, counted per goid in
 * the `roots` map by the roots' entry and return sites; a callee's site
 * records only hits of such goroutines (user space still checks the
 * stack: a root left by a panic keeps its goroutine counted, which only
 * lets more through). */
#define GT_SPEC_ROOT_ENTER 8u
#define GT_SPEC_ROOT_LEAVE 16u
#define GT_SPEC_UNDER_ROOT 32u
/* A site past the function's prologue, where the frame pointer is its own
 * frame's: the return address is read from that frame (the walk's first
 * step), not from the stack top or the link register as at the entry. */
#define GT_SPEC_FRAME_SET 64u
#define GT_MAX_ROOT_GOROUTINES 65536

/* gt_event_header.flags only */
#define GT_EVENT_COUNTED 0x100u /* the spec's hit condition passed; the last
                                   word is the hit count */

/* gt_spec.branch_cond (mirrors arch::BranchCond) */
#define GT_COND_AMD64_JBE 1
#define GT_COND_AMD64_JB 2
#define GT_COND_ARM64_LS 3
#define GT_COND_ARM64_LO 4

/* gt_pred.op: `word OP value` */
#define GT_CMP_EQ 1
#define GT_CMP_NE 2
#define GT_CMP_LT 3
#define GT_CMP_LE 4
#define GT_CMP_GT 5
#define GT_CMP_GE 6

/* gt_spec.hit_op: a hit condition on the count of hits that passed the
 * predicates, kept in hit_counters[gt_spec.counter] (shared by every probe
 * of one breakpoint) */
#define GT_HIT_NONE 0
#define GT_HIT_EQ 1
#define GT_HIT_NE 2
#define GT_HIT_LT 3
#define GT_HIT_LE 4
#define GT_HIT_GT 5
#define GT_HIT_GE 6
#define GT_HIT_MOD 7 /* count % hit_value == 0 */

/* gt_deref_header.status */
#define GT_DEREF_OK 0
#define GT_DEREF_FAULT 1   /* bpf_probe_read_user failed (bad or unmapped) */
#define GT_DEREF_NOSRC 2   /* the pointer's source was itself not captured */
#define GT_DEREF_NOROOM 3  /* the event ran out of space */

struct gt_word_op {
  gt_u8 kind;
  gt_u8 reg;
  gt_u16 count;
  gt_s32 stack_off;
};

/* gt_deref_op.flags */
#define GT_DEREF_PAGE_CLAMP 1u /* a speculative read (interface data of unknown
                                  size): stop at the page end instead of
                                  failing when the next page is unmapped */
#define GT_DEREF_LEN_PLUS_ONE 2u /* the length source holds a count minus one
                                    (a Swiss table's groups.lengthMask) */
#define GT_DEREF_LEN_POW2 8u /* the length source's low byte is a shift: the
                                count is 1 << it (a classic map's B) */
#define GT_DEREF_GATHER 4u /* one read per slot of a block of map slots: `count`
                              pointers (and lengths) `stride` bytes apart in
                              the source, from ptr_off (len_off). Slots with a
                              null pointer or nothing to read (empty ones) send
                              no record; the op is no source for later ops. */
#define GT_MAX_GATHER 8        /* slots one gather op reads (a bucket, a group) */
#define GT_MAX_DEREF_RECORDS 256 /* deref records one event may carry */

struct gt_deref_op {
  gt_u8 ptr_src;
  gt_u8 len_src;
  gt_u16 elem_size; /* bytes = min(len * elem_size, max_bytes) */
  gt_u16 ptr_idx;
  gt_u16 ptr_off;
  gt_u16 len_idx;
  gt_u16 len_off;
  gt_u16 max_bytes; /* also the fixed size when len_src == GT_SRC_NONE */
  gt_u16 flags;
  gt_u32 add;       /* added to the pointer before reading; a length-bounded
                       read ends at len * elem_size from the pointer all the
                       same (the second chunk of an array stops at its end) */
  gt_u16 stride;    /* GT_DEREF_GATHER: bytes between slots */
  gt_u16 count;     /* GT_DEREF_GATHER: slots, at most GT_MAX_GATHER */
};

/* One term of a breakpoint condition the kernel applies: `low size bytes of
 * words[word] OP value`. Terms come in groups (consecutive, by `group`): the
 * hit is kept when every term of some group holds (a condition in
 * disjunctive normal form: a || b && c is groups {a}, {b, c}), and dropped
 * before anything else is copied otherwise. */
struct gt_pred {
  gt_u16 word;
  gt_u8 op;
  gt_u8 size;      /* 1, 2, 4 or 8 */
  gt_u8 is_signed; /* compare as signed, sign-extending the low bytes */
  gt_u8 group;
  gt_u8 pad[2];
  gt_u64 value;
};

struct gt_spec {
  gt_u32 fn_id;
  gt_u16 flags;
  gt_u8 branch_cond;
  gt_u8 n_word_ops;
  gt_u8 n_derefs;
  gt_u8 stack_frames; /* return addresses to collect by walking frame
                         pointers (Go keeps them on amd64 and arm64) */
  gt_u8 n_preds;
  gt_u8 hit_op;
  gt_u8 pad[4];
  struct gt_word_op words[GT_MAX_WORD_OPS];
  struct gt_deref_op derefs[GT_MAX_DEREFS];
  struct gt_pred preds[GT_MAX_PREDS];
  gt_u32 counter;
  gt_u32 pad2;
  gt_u64 hit_value;
};

struct gt_event_header {
  gt_u64 ts_ns;   /* bpf_ktime_get_ns() */
  gt_u64 goid;    /* runtime.g.goid, 0 if g could not be read */
  gt_u64 depth;   /* g.stack.hi - SP: pairs a return with its entry even if
                     the goroutine stack was copied in between */
  gt_u64 sp;
  gt_u64 ip;      /* runtime address of the probed instruction: with the
                     site's link-time address it gives a PIE's load bias */
  gt_u32 tgid;
  gt_u32 tid;
  gt_u32 spec_id; /* the attach cookie */
  gt_u32 size;    /* bytes of the whole record */
  gt_u16 n_words;
  gt_u16 n_derefs;
  gt_u16 flags;   /* copy of gt_spec.flags */
  gt_u16 n_frames;
};

struct gt_deref_header {
  gt_u64 addr;
  gt_u32 len;
  gt_u32 status;
};

/* Run-wide settings, in the program's .rodata (fixed at load). */
struct gt_config {
  gt_u64 wakeup_bytes; /* force a consumer wakeup once this much is queued */
  gt_u32 tgid;         /* only events from this process (0: any) */
  gt_u32 pad;
};

/* Where the traced binary's runtime.g keeps what every hit reads, in .bss:
 * written after the program is loaded, so the loader need not read the
 * binary's DWARF first (libbpf's short-lived copy of the kernel's BTF and
 * the DWARF would then add up in the tracer's peak memory). */
struct gt_g_layout {
  gt_u64 goid_offset;
  gt_u64 stack_hi_offset;
  gt_s64 g_tls_offset;   /* g's slot relative to the thread pointer */
  gt_u64 fsbase_offset;  /* amd64: task_struct.thread.fsbase (0: unknown) */
  /* On the system stack g is the M's g0 (goid 0); the goroutine that
   * switched there is g0.m.curg, as Delve reports it (0: unknown). */
  gt_u64 m_offset;       /* runtime.g.m */
  gt_u64 curg_offset;    /* runtime.m.curg */
};

/* The checks below are shared by the BPF program and the ptrace backend,
 * so both filter and count alike. */
#ifdef __cplusplus
#define GT_INLINE static inline
#else
#define GT_INLINE static __always_inline
#endif

/* Whether captured word `v` satisfies condition term `p`. */
GT_INLINE int gt_pred_holds(const struct gt_pred *p, gt_u64 v) {
  gt_u32 size = p->size;
  if (size < 8) {
    gt_u32 bits = (size * 8) & 63; /* the mask keeps the verifier's shift bound */
    v &= (1ull << bits) - 1;
    if (p->is_signed && bits && ((v >> (bits - 1)) & 1))
      v |= ~0ull << bits;
  }
  gt_u64 c = p->value;
  int lt = p->is_signed ? (long long)v < (long long)c : v < c;
  int gt = p->is_signed ? (long long)v > (long long)c : v > c;
  switch (p->op) {
  case GT_CMP_EQ: return v == c;
  case GT_CMP_NE: return v != c;
  case GT_CMP_LT: return lt;
  case GT_CMP_LE: return !gt;
  case GT_CMP_GT: return gt;
  case GT_CMP_GE: return !lt;
  }
  return 0;
}

/* Whether hit count `n` passes hit condition `op` with operand `v`. */
GT_INLINE int gt_hit_holds(gt_u8 op, gt_u64 n, gt_u64 v) {
  switch (op) {
  case GT_HIT_EQ: return n == v;
  case GT_HIT_NE: return n != v;
  case GT_HIT_LT: return n < v;
  case GT_HIT_LE: return n <= v;
  case GT_HIT_GT: return n > v;
  case GT_HIT_GE: return n >= v;
  case GT_HIT_MOD: return v && n % v == 0;
  }
  return 1;
}

GT_STATIC_ASSERT(sizeof(struct gt_word_op) == 8, "gt_word_op layout");
GT_STATIC_ASSERT(sizeof(struct gt_deref_op) == 24, "gt_deref_op layout");
GT_STATIC_ASSERT(sizeof(struct gt_pred) == 16, "gt_pred layout");
GT_STATIC_ASSERT(sizeof(struct gt_spec) == 16 + 8 * GT_MAX_WORD_OPS +
                                               24 * GT_MAX_DEREFS + 16 * GT_MAX_PREDS + 16,
                 "gt_spec layout");
GT_STATIC_ASSERT(sizeof(struct gt_event_header) == 64, "gt_event_header layout");
GT_STATIC_ASSERT(sizeof(struct gt_deref_header) == 16, "gt_deref_header layout");
GT_STATIC_ASSERT(sizeof(struct gt_config) == 16, "gt_config layout");
GT_STATIC_ASSERT(sizeof(struct gt_g_layout) == 48, "gt_g_layout layout");

#endif /* GOTRACE_BPF_TRACE_ABI_H */
