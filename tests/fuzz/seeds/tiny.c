// The program behind the elf fuzz seeds (make_elf.sh): small, but with what
// gotrace reads from DWARF: parameters and results in registers and on the
// stack, inlined calls, nested scopes, locals, structs, pointers, arrays,
// and a thread-local runtime.tlsg.
// Functions carry Go names (asm labels) so Binary::open takes it for a Go
// program ("runtime.main" in .symtab).
struct Point {
  long X;
  const char* Name;
};

struct Pair {
  struct Point a, b;
  unsigned char tag[4];
};

static inline __attribute__((always_inline)) long scale(long v, long by) { return v * by + 1; }

__attribute__((noinline)) long sum(const struct Point* ps, long n) __asm__("main.sum");
long sum(const struct Point* ps, long n) {
  long total = 0;
  for (long i = 0; i < n; i++) {
    long x = scale(ps[i].X, 3);
    if (x > 10) {
      long y = x - 10;
      total += scale(y, 2);
    }
  }
  return total;
}

__attribute__((noinline)) struct Point move(struct Point p, long dx) __asm__("main.move");
struct Point move(struct Point p, long dx) {
  p.X = scale(p.X, dx);
  return p;
}

__attribute__((noinline)) long pair(struct Pair* pr) __asm__("main.pair");
long pair(struct Pair* pr) {
  struct Point ps[2] = {pr->a, move(pr->b, pr->tag[0])};
  return sum(ps, 2);
}

// What an externally linked Go binary has: a PT_TLS segment and the TLS
// symbol g lives at (Binary::g_tls_offset).
__thread long tlsg __asm__("runtime.tlsg") = 1;

void runtime_main(void) __asm__("runtime.main");
void runtime_main(void) {
  static struct Pair pr = {{1, "a"}, {2, "b"}, {3, 0, 0, 0}};
  volatile long r = pair(&pr);
  (void)r;
  for (;;) {
  }
}

void _start(void) { runtime_main(); }

// A function without C DWARF: go_types_cu.py describes it as the Go
// compiler would (Go's location forms, results, scopes, an inlined call).
__asm__(
    ".text\n"
    ".globl main.gofunc\n"
    ".type main.gofunc, @function\n"
    "main.gofunc:\n"
    ".fill 31, 1, 0x90\n"
    "ret\n"
    ".size main.gofunc, .-main.gofunc\n");
