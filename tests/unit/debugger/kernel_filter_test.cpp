// Conditions reach the kernel: the Debugger installs the conjunctive terms
// of a breakpoint's condition on its probes, and the hits that come back are
// exactly the ones the whole condition accepts. Launches the lines fixture
// under eBPF: root required (fails, never skips, without it).
#include "fixture_dir.h"
#include "gotrace/debugger/debugger.h"
#include "lines_fixture.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <thread>

namespace gotrace::debugger {
namespace {

int marker_line(const std::string& marker) { return testing::lines_marker(marker); }

std::unique_ptr<Debugger> launch(const std::string& arg) {
  TargetOptions o;
  o.program = gotrace::testing::fixture_dir() + "/lines-N";
  o.args = {arg};
  o.launch.capture_output = true;
  auto d = Debugger::create(o);
  EXPECT_TRUE(d) << d.error().message;
  return d ? std::move(*d) : nullptr;
}

const tracer::TracedFunction* traced(const Debugger& d, const std::string& fn, bool line) {
  for (const tracer::TracedFunction* t : d.engine().traced())
    if (t->function->name == fn && (t->line_pc != 0) == line) return t;
  return nullptr;
}

std::vector<Hit> run_to_exit(Debugger& d) {
  EXPECT_TRUE(d.resume());
  std::vector<Hit> hits;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!d.exit_status() && std::chrono::steady_clock::now() < deadline) {
    d.pump();
    for (Hit& h : d.take_hits(1000)) hits.push_back(std::move(h));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_TRUE(d.exit_status()) << "the program did not exit";
  while (d.has_hits())
    for (Hit& h : d.take_hits(1000)) hits.push_back(std::move(h));
  return hits;
}

std::string value_of(const tracer::TraceEvent& ev, const std::string& name) {
  for (const auto& v : ev.values)
    if (v.name == name) return v.value;
  return "<none>";
}

BreakpointRequest at_line(int line, std::string cond) {
  BreakpointRequest r;
  r.bp.file = "lines/main.go";
  r.bp.line = line;
  r.bp.tracepoint = true;
  r.bp.cond = std::move(cond);
  return r;
}

TEST(KernelFilter, LineConditionRunsInTheKernel) {
  ASSERT_EQ(geteuid(), 0u) << "eBPF tests need root: run the suite as root";
  auto d = launch("6");
  ASSERT_TRUE(d);
  auto bp = d->create_breakpoint(at_line(marker_line("loop"), "i >= 3 && limit == 6 && total != i"));
  ASSERT_TRUE(bp) << bp.error().message;
  const tracer::TracedFunction* t = traced(*d, "main.sumTo", true);
  ASSERT_NE(t, nullptr);
  // `total != i` compares two variables: user space checks it.
  EXPECT_EQ(d->engine().kernel_filter_size(t), 2u);
  std::vector<std::string> got;
  for (const Hit& h : run_to_exit(*d)) got.push_back(value_of(h.event, "i") + ":" + value_of(h.event, "total"));
  // total before `total += i` is 0 1 3 6 10 15; at i = 3 it equals i.
  EXPECT_EQ(got, (std::vector<std::string>{"4:6", "5:10"}));
}

TEST(KernelFilter, EntryConditionGoesToTheKernelOnlyWhenReturnsShareIt) {
  ASSERT_EQ(geteuid(), 0u) << "eBPF tests need root: run the suite as root";
  auto d = launch("3");
  ASSERT_TRUE(d);
  BreakpointRequest entry;
  entry.bp.function_name = "main.shadow";
  entry.bp.tracepoint = true;
  entry.bp.cond = "x == 5";
  auto e = d->create_breakpoint(entry);
  ASSERT_TRUE(e) << e.error().message;
  const tracer::TracedFunction* t = traced(*d, "main.shadow", false);
  ASSERT_NE(t, nullptr);
  EXPECT_FALSE(t->options.returns);
  EXPECT_EQ(d->engine().kernel_filter_size(t), 1u);

  auto rets = d->return_locations("main.shadow");
  ASSERT_TRUE(rets && !rets->empty());
  BreakpointRequest ret;
  ret.bp.addr = rets->front();
  ret.bp.trace_return = true;
  auto r = d->create_breakpoint(ret);
  ASSERT_TRUE(r) << r.error().message;
  // The first return breakpoint has the function traced again, with its
  // returns (an entry-only breakpoint does not pay for RET probes).
  t = traced(*d, "main.shadow", false);
  ASSERT_NE(t, nullptr);
  EXPECT_TRUE(t->options.returns);
  // A return without the condition needs every entry to pair with.
  EXPECT_EQ(d->engine().kernel_filter_size(t), 0u);
  Breakpoint amended = *r;
  amended.cond = "x == 5";
  ASSERT_TRUE(d->amend_breakpoint(amended));
  EXPECT_EQ(d->engine().kernel_filter_size(t), 1u);
  ASSERT_TRUE(d->toggle_breakpoint(e->id, ""));  // disabled: nothing to filter for
  EXPECT_EQ(d->engine().kernel_filter_size(t), 0u);
  ASSERT_TRUE(d->toggle_breakpoint(e->id, ""));
  EXPECT_EQ(d->engine().kernel_filter_size(t), 1u);

  std::vector<std::string> got;
  for (const Hit& h : run_to_exit(*d)) {
    bool is_ret = h.event.kind == tracer::TraceEvent::Kind::ret;
    got.push_back(std::string(is_ret ? "ret " : "entry ") + (is_ret ? value_of(h.event, "~r0") : value_of(h.event, "x")));
  }
  // shadow(5): y = 10, inner x = 11, y = 33; returns 5 + 33.
  EXPECT_EQ(got, (std::vector<std::string>{"entry 5", "ret 38"}));
}

}  // namespace
}  // namespace gotrace::debugger

namespace gotrace::debugger {
namespace {

TEST(KernelFilter, HitConditionCountsInTheKernelWhenItDecidesTheWholeCondition) {
  ASSERT_EQ(geteuid(), 0u) << "eBPF tests need root: run the suite as root";
  auto d = launch("10");
  ASSERT_TRUE(d);
  BreakpointRequest req = at_line(marker_line("loop"), "i > 0");
  req.bp.hit_cond = "% 3";
  auto bp = d->create_breakpoint(req);
  ASSERT_TRUE(bp) << bp.error().message;
  EXPECT_GE(d->get_breakpoint(bp->id, "")->kernel_counter, 0);

  // Not in the kernel: per-goroutine counts, or a condition it cannot decide.
  BreakpointRequest per_g = at_line(marker_line("short"), "");
  per_g.bp.hit_cond = "> 1";
  per_g.bp.hit_cond_per_g = true;
  auto pg = d->create_breakpoint(per_g);
  ASSERT_TRUE(pg) << pg.error().message;
  EXPECT_EQ(pg->kernel_counter, -1);
  BreakpointRequest partial = at_line(marker_line("inner"), "x > 0 && y != x");
  partial.bp.hit_cond = "== 1";
  auto pa = d->create_breakpoint(partial);
  ASSERT_TRUE(pa) << pa.error().message;
  EXPECT_EQ(pa->kernel_counter, -1);

  std::vector<std::string> got;
  for (const Hit& h : run_to_exit(*d))
    if (h.breakpoint == bp->id) got.push_back(value_of(h.event, "i") + "@" + std::to_string(h.total_hit_count));
  EXPECT_EQ(got, (std::vector<std::string>{"3@3", "6@6", "9@9"}));
  // Every hit whose condition held was counted, the dropped ones included.
  EXPECT_EQ(d->get_breakpoint(bp->id, "")->total_hit_count, 9u);
}

}  // namespace
}  // namespace gotrace::debugger

namespace gotrace::debugger {
namespace {

TEST(LineBreakpoints, SurviveARestartAtTheirLineWithTheirCondition) {
  ASSERT_EQ(geteuid(), 0u) << "eBPF tests need root: run the suite as root";
  auto d = launch("5");
  ASSERT_TRUE(d);
  auto bp = d->create_breakpoint(at_line(marker_line("loop"), "i >= 3"));
  ASSERT_TRUE(bp) << bp.error().message;
  // The same by location expression, as JSON-RPC clients set it.
  BreakpointRequest by_expr;
  by_expr.loc_expr = "lines/main.go:" + std::to_string(marker_line("inner"));
  by_expr.bp.tracepoint = true;
  auto inner = d->create_breakpoint(by_expr);
  ASSERT_TRUE(inner) << inner.error().message;
  auto discarded = d->restart(std::vector<std::string>{"6"});
  ASSERT_TRUE(discarded) << discarded.error().message;
  EXPECT_TRUE(discarded->empty());
  auto inner_again = d->get_breakpoint(inner->id, "");
  ASSERT_TRUE(inner_again);
  EXPECT_EQ(inner_again->line, marker_line("inner"));
  EXPECT_EQ(inner_again->addrs, inner->addrs);
  auto again = d->get_breakpoint(bp->id, "");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->line, marker_line("loop"));
  EXPECT_EQ(again->addrs, bp->addrs);
  const tracer::TracedFunction* t = traced(*d, "main.sumTo", true);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(d->engine().kernel_filter_size(t), 1u);
  std::vector<std::string> got;
  for (const Hit& h : run_to_exit(*d))
    got.push_back(h.breakpoint != inner->id ? value_of(h.event, "i")
                  : h.event.kind == tracer::TraceEvent::Kind::line ? "inner line"
                                                                    : "inner elsewhere");
  EXPECT_EQ(got, (std::vector<std::string>{"inner line", "3", "4", "5"}));
}

}  // namespace
}  // namespace gotrace::debugger
