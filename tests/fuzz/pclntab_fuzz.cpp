// Fuzz target: the bytes of a .gopclntab section alone, as PclnTable::parse
// gets them from a Go binary (the ELF around it is the elf target's job, and
// a whole binary is MBs that libFuzzer would mostly not mutate where it
// matters). Seeds: a few functions of real Go 1.19 tables, rewritten in each
// layout the reader knows (tests/fuzz/seeds/make_pclntab.py).
//
// The first input byte picks what the ELF reader would add: a text start
// overriding the header's (a PIE's relocated one) and the executable ranges
// every function must lie in, so both checks see hostile tables too.
#include "pclntab.h"

#include <cstddef>
#include <cstdint>
#include <span>

namespace {

using gotrace::symbols::detail::PclnInput;
using gotrace::symbols::detail::PclnTable;

// Enough to reach every pc table kind without making one input slow: a
// table of N functions is parsed in O(N) but queried here per function.
constexpr size_t kMaxQueried = 64;

void query(const PclnTable& t) {
  (void)t.version();
  (void)t.quantum();
  auto fns = t.functions();
  for (size_t i = 0; i < fns.size() && i < kMaxQueried; ++i) {
    const auto& f = fns[i];
    (void)t.function_at(f.entry);
    for (uint64_t pc : {f.entry, f.entry + (f.end - f.entry) / 2, f.end - 1, f.end})
      if (auto line = t.line_at(pc)) (void)line->file.size();
  }
  (void)t.function_at(0);
  (void)t.line_at(UINT64_MAX);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t mode = data[0];
  std::span<const uint8_t> table(data + 1, size - 1);
  (void)gotrace::symbols::detail::pcln_text_start(table);
  PclnInput in{table, "fuzz", 0, {}};
  if (mode & 1) in.text_start = 0x401000;
  if (mode & 2) in.text_ranges = {{0x401000, 0x480000}, {0x500000, 0x500100}};
  if (mode & 4) in.text_ranges.push_back({0, UINT64_MAX});
  auto t = PclnTable::parse(in);
  if (t) query(*t);
  return 0;
}
