// Decoding and rendering one trace event, as the consumer does for every hit.
#include "record.h"

#include "gotrace/values/trace_format.h"
#include "gotrace/values/variable.h"

#include <benchmark/benchmark.h>

#include <cstring>
#include <string>
#include <vector>

namespace gotrace::tracer {
namespace {

using symbols::Kind;

class NoTypes final : public values::TypeLookup {
 public:
  const symbols::Type* by_runtime_address(uint64_t) const override { return nullptr; }
};

// A hit of func describe(s string, n int, p Point): three words for s and n,
// the Point's three words, and the two strings' bytes.
std::vector<uint8_t> sample_record() {
  gt_event_header h{};
  h.goid = 1;
  h.n_words = 5;
  h.n_derefs = 2;
  std::vector<uint64_t> words{0x1000, 6, 99, 0x2000, 2};
  std::vector<uint8_t> out(sizeof h);
  std::memcpy(out.data(), &h, sizeof h);
  for (uint64_t w : words) {
    uint8_t b[8];
    std::memcpy(b, &w, 8);
    out.insert(out.end(), b, b + 8);
  }
  auto blob = [&](uint64_t addr, const std::string& s) {
    gt_deref_header dh{addr, static_cast<uint32_t>(s.size()), GT_DEREF_OK};
    uint8_t b[sizeof dh];
    std::memcpy(b, &dh, sizeof dh);
    out.insert(out.end(), b, b + sizeof dh);
    out.insert(out.end(), s.begin(), s.end());
    out.resize((out.size() + 7) & ~size_t{7});
  };
  blob(0x1000, "gopher");
  blob(0x2000, "pt");
  return out;
}

void BM_DecodeAndRenderEntry(benchmark::State& state) {
  symbols::Type int_{Kind::int_, "int", 8, 8};
  symbols::Type u8{Kind::uint8, "uint8", 1, 1};
  symbols::Type pu8{Kind::pointer, "*uint8", 8, 8, &u8};
  symbols::Type str{Kind::string, "string", 16, 8};
  str.fields = {{"str", 0, &pu8}, {"len", 8, &int_}};
  symbols::Type point{Kind::struct_, "main.Point", 24, 8};
  point.fields = {{"X", 0, &int_}, {"Name", 8, &str}};
  NoTypes types;
  values::LoadConfig cfg;
  values::TraceOptions opts;
  std::vector<uint8_t> raw = sample_record();
  size_t bytes = 0;
  for (auto _ : state) {
    auto rec = parse_record(raw);
    CapturedMemory mem(*rec, nullptr);
    std::vector<values::Variable> args;
    args.reserve(2);  // as load_site_values does: one per planned value
    uint8_t s[16], p[24];
    std::memcpy(s, &rec->words[0], 16);
    std::memcpy(p, &rec->words[2], 24);
    args.push_back(values::load_variable("s", str, s, mem, types, cfg));
    args.push_back(values::load_variable("p", point, p, mem, types, cfg));
    for (auto& a : args) a.flags |= values::kVarArgument;
    std::string line = values::format_trace_entry(1, "main.describe", args, opts);
    bytes += line.size();
    benchmark::DoNotOptimize(line);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["line_bytes"] = static_cast<double>(bytes) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_DecodeAndRenderEntry);

}  // namespace
}  // namespace gotrace::tracer
