#include "call_summary.h"

#include "gotrace/tracer/engine.h"
#include "gotrace/values/trace_format.h"

#include <algorithm>
#include <cstdio>

namespace gotrace::cli {
namespace {

// Nearest-rank percentile of sorted values.
uint64_t percentile(const std::vector<uint64_t>& sorted, double p) {
  size_t rank = static_cast<size_t>(p / 100.0 * static_cast<double>(sorted.size()) + 0.999999);
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

}  // namespace

void CallSummary::add(const tracer::TraceEvent& ev) {
  Calls& c = by_function_[ev.function->function->name];
  if (ev.kind == tracer::TraceEvent::Kind::entry) c.entries++;
  if (ev.kind != tracer::TraceEvent::Kind::ret) return;
  c.returns++;
  if (ev.duration_ns) c.durations_ns.push_back(*ev.duration_ns);
}

std::string CallSummary::render() const {
  std::vector<std::vector<std::string>> rows = {{"function", "calls", "returns", "p50", "p90", "p99", "max"}};
  for (const auto& [name, c] : by_function_) {
    std::vector<uint64_t> d = c.durations_ns;
    std::sort(d.begin(), d.end());
    auto at = [&](double p) { return d.empty() ? std::string("-") : values::format_duration(percentile(d, p)); };
    rows.push_back({name, std::to_string(c.entries), std::to_string(c.returns), at(50), at(90), at(99),
                    d.empty() ? "-" : values::format_duration(d.back())});
  }
  // Display width: "µ" is one column but two bytes.
  auto width = [](const std::string& s) {
    size_t w = 0;
    for (unsigned char ch : s) w += (ch & 0xc0) != 0x80;
    return w;
  };
  std::vector<size_t> col(rows[0].size(), 0);
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size(); i++) col[i] = std::max(col[i], width(r[i]));
  std::string out;
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size(); i++) {
      size_t pad = col[i] - width(r[i]);
      // Names left-aligned, numbers right-aligned.
      if (i == 0) out += r[i] + std::string(pad, ' ');
      else out += std::string(pad + 2, ' ') + r[i];
    }
    out += "\n";
  }
  return out;
}

}  // namespace gotrace::cli
