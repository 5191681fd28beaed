// Encoding one trace hit for each protocol, as the server does for every hit
// a client receives: a DAP `output` event (what DapSession::emit_hit builds)
// and a JSON-RPC GetBufferedTracepoints element; and the function regexp
// over 50,000 names (what every trace, setTracepoints and ListFunctions
// request runs).
#include "dap_hit_json.h"
#include "gotrace/protocol/dap/framing.h"
#include "gotrace/protocol/rpc/json_write.h"
#include "gotrace/protocol/rpc/types.h"

#include <benchmark/benchmark.h>
#include <re2/re2.h>

#include <string>
#include <vector>

namespace gotrace {
namespace {

void BM_EncodeDapOutputEvent(benchmark::State& state) {
  // As DapSession::emit_hit: the values' single-line forms and the body as
  // text, then the event around it and its frame.
  std::vector<values::Variable> args(2);
  args[0].name = "s";
  args[0].type = args[0].real_type = "string";
  args[0].kind = symbols::Kind::string;
  args[0].value = "gopher";
  args[0].len = 6;
  args[1].name = "n";
  args[1].type = args[1].real_type = "int";
  args[1].kind = symbols::Kind::int_;
  args[1].value = "99";
  int64_t seq = 0;
  size_t bytes = 0;
  for (auto _ : state) {
    headless::HitOutput h;
    h.with_data = true;  // the launch's traceData: the whole body
    h.text = "> goroutine(1): main.describe(\"gopher\", 99)\n";
    h.file = "/src/prog/main.go";
    h.line = 17;
    h.goroutine = 1;
    h.function = "main.describe";
    h.kind = "entry";
    h.wall_ns = 1'764'479'772'123'456'789ULL;
    h.values = &args;
    std::string msg = "{\"seq\":" + std::to_string(++seq) + ",\"type\":\"event\",\"event\":\"output\",\"body\":";
    msg += headless::hit_output_body(h);
    msg += '}';
    std::string frame = protocol::dap::encode_frame_text(msg);
    bytes += frame.size();
    benchmark::DoNotOptimize(frame);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["frame_bytes"] = static_cast<double>(bytes) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_EncodeDapOutputEvent);

protocol::rpc::Variable rpc_variable(const char* name, const char* type, uint64_t kind, const char* value,
                                     int64_t len) {
  protocol::rpc::Variable v;
  v.name = name;
  v.type = v.realType = type;
  v.kind = kind;
  v.value = value;
  v.len = len;
  return v;
}

void BM_EncodeRpcTracepointResult(benchmark::State& state) {
  size_t bytes = 0;
  for (auto _ : state) {
    protocol::rpc::TracepointResult r;
    r.file = "/src/prog/main.go";
    r.line = 17;
    r.functionName = "main.describe";
    r.goroutineID = 1;
    r.inputParams = {rpc_variable("s", "string", 24, "gopher", 6), rpc_variable("n", "int", 2, "99", 0)};
    std::string out;
    protocol::rpc::write_go_json(out, r);  // as GetBufferedTracepoints writes it
    bytes += out.size();
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["json_bytes"] = static_cast<double>(bytes) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_EncodeRpcTracepointResult);

// 50,000 names shaped like a large Go program's: package paths, methods on
// pointer and value receivers, closures, generic shapes.
std::vector<std::string> go_names() {
  const char* pkgs[] = {"main", "net/http", "github.com/acme/shop/internal/cart", "encoding/json",
                        "k8s.io/client-go/tools/cache", "runtime", "google.golang.org/grpc"};
  std::vector<std::string> names;
  for (int i = 0; names.size() < 50000; i++) {
    std::string p = pkgs[i % 7];
    std::string id = std::to_string(i);
    switch (i % 4) {
      case 0: names.push_back(p + ".handle" + id); break;
      case 1: names.push_back(p + ".(*Server" + id + ").ServeHTTP"); break;
      case 2: names.push_back(p + ".Item" + id + ".String.func1"); break;
      default: names.push_back(p + ".Map[go.shape.int_0,go.shape.string_" + id + "]"); break;
    }
  }
  return names;
}

void BM_RegexOver50kNames(benchmark::State& state, const char* regex) {
  std::vector<std::string> names = go_names();
  RE2::Options o;
  o.set_log_errors(false);
  size_t matched = 0;
  for (auto _ : state) {
    RE2 re(regex, o);
    matched = 0;
    for (const std::string& n : names)
      if (RE2::PartialMatch(n, re)) matched++;
    benchmark::DoNotOptimize(matched);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(names.size()));
  state.counters["matched"] = static_cast<double>(matched);
}
BENCHMARK_CAPTURE(BM_RegexOver50kNames, anchored_package, R"(^github\.com/acme/shop/internal/cart\.)");
BENCHMARK_CAPTURE(BM_RegexOver50kNames, method_anywhere, R"(\.ServeHTTP$)");
BENCHMARK_CAPTURE(BM_RegexOver50kNames, alternation, R"(main\.(handle1|handle2[0-9]+)$)");

}  // namespace
}  // namespace gotrace
