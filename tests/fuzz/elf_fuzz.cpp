// Fuzz target: a whole ELF file, through Binary::open and then every lazy
// reader behind it: .symtab, .gopclntab, .go.buildinfo, and DWARF (libdw's
// CU walk, the subprogram and inlined-call indexes, types, signatures,
// scopes and locations, line tables, CFI).
//
// Real Go binaries are MBs, far past what libFuzzer mutates well, so the
// seeds are hand-made ELFs of a few KB (tests/fuzz/seeds/make_elf.sh): a
// static C program compiled with -O2 -g (inlining, lexical blocks,
// location lists, structs, pointers, arrays) whose functions carry Go names
// (asm labels), plus a small .gopclntab and .go.buildinfo; with DWARF 4
// and 5, compressed both ways, without .symtab, with a hand-written compile
// unit of the types only Go writes (DW_AT_go_kind and the rest), and
// without DWARF, in each .gopclntab layout.
//
// Binary::open takes a path, so the input goes to a memfd opened through
// /proc/self/fd: no disk I/O per run.
#include "gotrace/symbols/binary.h"

#include <elf.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unordered_set>

namespace {

namespace sym = gotrace::symbols;

constexpr size_t kMaxFunctions = 32;

// Reads every reachable part of a type graph, so a dangling or half-built
// Type shows up under ASan here rather than in the tracer.
void walk(const sym::Type* t, std::unordered_set<const sym::Type*>& seen, int depth) {
  if (!t || depth > 16 || !seen.insert(t).second) return;
  (void)t->name.size();
  (void)t->size;
  walk(t->elem, seen, depth + 1);
  walk(t->key, seen, depth + 1);
  for (const auto& f : t->fields) {
    (void)f.name.size();
    walk(f.type, seen, depth + 1);
  }
}

void query(const sym::Binary& b) {
  std::unordered_set<const sym::Type*> seen;
  (void)b.machine();
  (void)b.go_version();
  (void)b.warnings();
  (void)b.g_tls_offset();
  (void)b.g_goid_offset();
  (void)b.g_stack_hi_offset();
  (void)b.symbol_address("runtime.main");
  // What the seeds define: C's struct Point, and the Go-style types of the
  // elf-gotypes seed's "runtime" compile unit.
  for (const char* name : {"Point", "main.Point", "main.Outer", "int", "string", "[]int", "[4]int",
                           "map[string]int", "chan int", "interface {}", "error", "func(int) int"})
    walk(b.type_by_name(name), seen, 0);
  for (uint64_t addr : {0x1000, 0x1040, 0x10c0})
    walk(b.type_by_runtime_address(addr), seen, 0);
  size_t n = 0;
  for (const sym::Function& fn : b.functions()) {
    if (n++ == kMaxFunctions) break;
    (void)b.find_function(fn.name);
    (void)b.function_at(fn.entry);
    (void)b.code(fn);
    (void)b.file_offset(fn.entry);
    (void)b.static_data(fn.entry, 16);
    (void)b.cfa_offset(fn.entry);
    if (auto sig = b.signature(fn)) {
      for (const auto& v : sig->params) walk(v.type, seen, 0);
      for (const auto& v : sig->results) walk(v.type, seen, 0);
    }
    for (uint64_t pc : {fn.entry, fn.entry + (fn.end - fn.entry) / 2}) {
      if (auto vars = b.variables_at(fn, pc))
        for (const auto& v : *vars) walk(v.var.type, seen, 0);
      if (auto line = b.pc_to_line(pc)) (void)b.line_to_pcs(line->file, line->line);
    }
  }
  for (const std::string& name : b.inlined_names()) {
    (void)b.inlined_calls(name);
    if (n++ == 2 * kMaxFunctions) break;
  }
}

// The memfd every input is written to, and the path Binary::open reads.
struct Memfd {
  int fd = -1;
  std::string path;
  Memfd() {
    fd = ::memfd_create("elf_fuzz", MFD_CLOEXEC);
    if (fd < 0) {
      std::perror("memfd_create");
      std::abort();
    }
    path = "/proc/self/fd/" + std::to_string(fd);
  }
  bool write(const uint8_t* data, size_t size) const {
    if (::ftruncate(fd, 0) != 0) return false;
    for (size_t done = 0; done < size;) {
      ssize_t w = ::pwrite(fd, data + done, size - done, static_cast<off_t>(done));
      if (w <= 0) return false;
      done += static_cast<size_t>(w);
    }
    return true;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Memfd file;
  if (!file.write(data, size)) std::abort();
  // The last byte of e_ident is padding no ELF reader looks at: its low bit
  // picks the DWARF reader thread of OpenOptions (the *-background seeds).
  sym::Binary::OpenOptions opts;
  opts.read_dwarf_in_background = size >= EI_NIDENT && (data[EI_NIDENT - 1] & 1);
  auto bin = sym::Binary::open(file.path, opts);
  if (bin) query(**bin);
  return 0;
}
