// Opening a Go binary and reading what tracing one function needs: the
// lazy index must keep this far below decoding all of DWARF.
#include "fixture_dir.h"
#include "gotrace/symbols/binary.h"

#include <benchmark/benchmark.h>

namespace {

void BM_OpenAndSignatureOfOneFunction(benchmark::State& state) {
  std::string path = gotrace::testing::fixture_dir() + "/types-O";
  for (auto _ : state) {
    auto b = gotrace::symbols::Binary::open(path);
    const auto* fn = (*b)->find_function("main.structs");
    auto sig = (*b)->signature(*fn);
    auto goid = (*b)->g_goid_offset();
    benchmark::DoNotOptimize(sig);
    benchmark::DoNotOptimize(goid);
  }
}
BENCHMARK(BM_OpenAndSignatureOfOneFunction)->Unit(benchmark::kMillisecond);

}  // namespace
