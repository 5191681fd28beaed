// arm64 probe placement on real GOARCH=arm64 Go binaries, checked on any host:
// every function of demo-arm64-{O,N} and types-arm64-{O,N} goes through
// arch::find_probe_sites, and its answer is compared with an independent
// decoding of all the function's 4-byte words (A64 is fixed width, so every
// RET and BL is found by looking at each word; the encodings are written out
// here from the Arm ARM, not taken from arch/arm64/insn.h). The amd64 builds
// of the same sources are the reference for what must not depend on the
// machine.
#include "arm64_golden.h"
#include "fixture_dir.h"
#include "gotrace/arch/probe_sites.h"
#include "gotrace/symbols/binary.h"
#include "gotrace/tracer/engine.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace gotrace::tracer {
namespace {

const symbols::Binary& fixture(const std::string& name) {
  static std::map<std::string, std::unique_ptr<symbols::Binary>> cache;
  auto& slot = cache[name];
  if (!slot) {
    auto r = symbols::Binary::open(gotrace::testing::fixture_dir() + "/" + name);
    if (!r) {
      ADD_FAILURE() << "cannot open fixture " << name << ": " << r.error().message;
      std::abort();
    }
    slot = std::move(*r);
  }
  return *slot;
}

// --- A64 encodings (Arm ARM C6.2), little-endian words ----------------------
constexpr uint32_t kRetX30 = 0xd65f03c0;                // RET (X30)
constexpr uint32_t kLdrX16G16 = 0xf9400b90;             // LDR X16, [X28, #16]: stackguard0
constexpr uint32_t kLdrX16G24 = 0xf9400f90;             // LDR X16, [X28, #24]: stackguard1
bool is_ret_any(uint32_t w) { return (w & 0xfffffc1f) == 0xd65f0000; }  // RET Xn
bool is_bl(uint32_t w) { return (w >> 26) == 0x25; }                    // BL imm26
bool is_b(uint32_t w) { return (w >> 26) == 0x05; }                     // B imm26
// B.cond: 0101 0100 imm19 0 cond. LS = 1001, LO (CC) = 0011.
bool is_b_cond(uint32_t w, uint32_t cond) { return (w & 0xff00001f) == (0x54000000 | cond); }
// CMP = SUBS XZR, Xn, Xm: extended-register (the form naming SP) or shifted.
bool is_cmp(uint32_t w) {
  return (w & 0xffe0001f) == 0xeb20001f || (w & 0xff20001f) == 0xeb00001f;
}
uint64_t imm26_target(uint32_t w, uint64_t pc) {
  int64_t imm = w & 0x03ffffff;
  if (imm & 0x02000000) imm -= 0x04000000;
  return pc + static_cast<uint64_t>(imm * 4);
}
uint64_t imm19_target(uint32_t w, uint64_t pc) {
  int64_t imm = (w >> 5) & 0x7ffff;
  if (imm & 0x40000) imm -= 0x80000;
  return pc + static_cast<uint64_t>(imm * 4);
}

struct Words {
  std::span<const uint8_t> code;
  uint64_t entry;
  size_t size() const { return code.size() / 4; }
  uint32_t operator[](size_t i) const {
    return code[4 * i] | code[4 * i + 1] << 8 | code[4 * i + 2] << 16 |
           static_cast<uint32_t>(code[4 * i + 3]) << 24;
  }
  uint64_t addr(size_t i) const { return entry + 4 * i; }
};

// What decoding every word says about one function.
struct Decoded {
  std::vector<uint64_t> rets;          // RET Xn, any n
  size_t rets_not_x30 = 0;
  std::vector<uint64_t> deferreturns;  // BL runtime.deferreturn
  std::vector<uint64_t> morestack_calls;  // BL runtime.morestack{,_noctxt,c}
};

struct RuntimeAddrs {
  uint64_t deferreturn = 0;
  std::vector<uint64_t> morestack;  // where a failed stack check goes
};

RuntimeAddrs runtime_addrs(const symbols::Binary& bin) {
  RuntimeAddrs a;
  a.deferreturn = bin.symbol_address("runtime.deferreturn").value_or(0);
  // morestackc: the check of //go:systemstack functions (stackguard1).
  for (const char* s : {"runtime.morestack.abi0", "runtime.morestack_noctxt.abi0",
                        "runtime.morestackc.abi0"}) {
    auto v = bin.symbol_address(s);
    EXPECT_TRUE(v) << s;
    a.morestack.push_back(v.value_or(0));
  }
  EXPECT_NE(a.deferreturn, 0u);
  return a;
}

Decoded decode(const Words& w, const RuntimeAddrs& rt) {
  Decoded d;
  for (size_t i = 0; i < w.size(); ++i) {
    uint32_t x = w[i];
    if (is_ret_any(x)) {
      d.rets.push_back(w.addr(i));
      if (x != kRetX30) d.rets_not_x30++;
    }
    if (!is_bl(x)) continue;
    uint64_t t = imm26_target(x, w.addr(i));
    if (t == rt.deferreturn) d.deferreturns.push_back(w.addr(i));
    for (uint64_t m : rt.morestack)
      if (t == m) d.morestack_calls.push_back(w.addr(i));
  }
  return d;
}

// Whether the block at `target` calls one of `calls` before its first B.
bool block_calls(const Words& w, uint64_t target, const std::vector<uint64_t>& calls) {
  if (target < w.entry || (target - w.entry) / 4 >= w.size()) return false;
  for (size_t i = (target - w.entry) / 4; i < w.size() && !is_b(w[i]); ++i)
    for (uint64_t c : calls)
      if (c == w.addr(i)) return true;
  return false;
}

using arm64_golden::Sites;
using arm64_golden::Tally;

// The golden numbers of the release under test; fails the test without them.
const arm64_golden::Release& golden() {
  static const arm64_golden::Release none;
  const arm64_golden::Release* g = arm64_golden::for_release(gotrace::testing::go_version());
  if (g == nullptr) ADD_FAILURE() << "no arm64 golden numbers for " << gotrace::testing::go_version()
                                  << ": measure them and add them to arm64_golden.h";
  return g ? *g : none;
}

// Checks one function against its decoding; adds it to `t`.
void check_function(const symbols::Binary& bin, const symbols::Function& fn,
                    const RuntimeAddrs& rt, Tally& t) {
  SCOPED_TRACE(fn.name);
  auto code = bin.code(fn);
  ASSERT_TRUE(code) << code.error().message;
  Words w{*code, fn.entry};
  Decoded d = decode(w, rt);
  auto s = arch::find_probe_sites(arch::Machine::arm64, *code, fn.entry, rt.deferreturn);
  t.functions++;
  if (d.rets.empty()) {
    // Sites without returns: the planner refuses them only when returns
    // are asked for.
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_TRUE(s->returns.empty());
    t.no_ret++;
    return;
  }
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->returns, d.rets);
  EXPECT_EQ(s->deferreturns, d.deferreturns);
  t.returns += d.rets.size();
  t.rets_not_x30 += d.rets_not_x30;
  t.deferreturn_calls += d.deferreturns.size();
  t.with_deferreturn += !d.deferreturns.empty();

  if (d.morestack_calls.empty()) {
    // NOSPLIT: nothing calls morestack, so there is no check to probe.
    EXPECT_EQ(s->entry.kind, arch::EntryKind::first_instruction);
    EXPECT_EQ(s->entry.address, fn.entry);
    EXPECT_EQ(s->entry.cond, arch::BranchCond::none);
    t.first_instruction++;
    return;
  }
  EXPECT_EQ(d.morestack_calls.size(), 1u);
  ASSERT_EQ(s->entry.kind, arch::EntryKind::stack_check_branch);
  uint64_t i = (s->entry.address - fn.entry) / 4;
  ASSERT_GE(i, 2u);
  ASSERT_LT(i, w.size());
  uint32_t br = w[i];
  if (s->entry.cond == arch::BranchCond::arm64_ls) {
    EXPECT_TRUE(is_b_cond(br, 0x9)) << std::hex << br;
    t.branch_ls++;
  } else {
    EXPECT_EQ(s->entry.cond, arch::BranchCond::arm64_lo);
    EXPECT_TRUE(is_b_cond(br, 0x3)) << std::hex << br;
    t.branch_lo++;
  }
  EXPECT_TRUE(is_cmp(w[i - 1])) << std::hex << w[i - 1];  // sets the flags it tests
  EXPECT_TRUE(w[0] == kLdrX16G16 || w[0] == kLdrX16G24) << std::hex << w[0];
  // The branch goes to the block that calls morestack.
  EXPECT_TRUE(block_calls(w, imm19_target(br, s->entry.address), d.morestack_calls));
}

Tally check_every_function(const std::string& name) {
  const symbols::Binary& bin = fixture(name);
  EXPECT_EQ(bin.machine(), symbols::Machine::arm64);
  EXPECT_EQ(bin.go_version(), gotrace::testing::go_version());
  RuntimeAddrs rt = runtime_addrs(bin);
  Tally t;
  for (const symbols::Function& fn : bin.functions()) check_function(bin, fn, rt, t);
  return t;
}

// Counts per kind over every function (runtime, fmt, ... and main,
// assembly included: arm64 assembly keeps g in R28 too, and the assembler
// gives it the same stack check unless it is NOSPLIT). -N builds have more
// functions (nothing is inlined) and more NOSPLIT leaves; no release makes
// a B.LO the final check.
TEST(Arm64ProbeSites, EveryFunction) {
  for (const auto& [name, tally] : golden().every) {
    SCOPED_TRACE(name);
    EXPECT_EQ(check_every_function(name), tally);
  }
  EXPECT_EQ(golden().every.size(), 4u);
}

// --- main.* in detail, and against amd64 -----------------------------------

// main.* functions of `name` with their sites; and every function's count of
// runtime.deferreturn calls (when nonzero).
struct Placement {
  std::map<std::string, Sites> main;
  std::map<std::string, size_t> deferreturns;
};

Placement placement(const std::string& name) {
  const symbols::Binary& bin = fixture(name);
  arch::Machine m =
      bin.machine() == symbols::Machine::arm64 ? arch::Machine::arm64 : arch::Machine::amd64;
  uint64_t dr = bin.symbol_address("runtime.deferreturn").value_or(0);
  Placement p;
  for (const symbols::Function& fn : bin.functions()) {
    auto code = bin.code(fn);
    if (!code) continue;
    auto s = arch::find_probe_sites(m, *code, fn.entry, dr);
    if (!s) continue;
    if (!s->deferreturns.empty()) p.deferreturns[fn.name] = s->deferreturns.size();
    if (fn.name.rfind("main.", 0) != 0) continue;
    Sites& out = p.main[fn.name];
    out.branch = s->entry.kind == arch::EntryKind::stack_check_branch;
    out.entry = s->entry.address - fn.entry;
    for (uint64_t r : s->returns) out.returns.push_back(r - fn.entry);
  }
  return p;
}

TEST(Arm64ProbeSites, MainFunctionsOfTypes) {
  // Small frames check at +8 (LDR, CMP, B.LS); main.main's frame is large
  // enough for SUB X17 first (+12). -O main.pointers returns its argument:
  // its first instruction is its RET. Which functions check and where is
  // the same on every release; the return offsets move with the code.
  EXPECT_EQ(placement("types-arm64-O").main, golden().main.at("types-arm64-O"));
  EXPECT_EQ(placement("types-arm64-N").main, golden().main.at("types-arm64-N"));
  for (const char* build : {"types-arm64-O", "types-arm64-N"}) {
    const auto& first = arm64_golden::for_release("go1.19.8")->main.at(build);
    for (const auto& [fn, sites] : golden().main.at(build)) {
      auto it = first.find(fn);
      if (it == first.end()) continue;  // generic shapes: named otherwise in 1.19
      EXPECT_EQ(sites.branch, it->second.branch) << build << " " << fn;
      EXPECT_EQ(sites.entry, it->second.entry) << build << " " << fn;
      EXPECT_EQ(sites.returns.size(), it->second.returns.size()) << build << " " << fn;
    }
  }
}

TEST(Arm64ProbeSites, MainFunctionsOfDemo) {
  EXPECT_EQ(placement("demo-arm64-O").main, golden().main.at("demo-arm64-O"));
  EXPECT_EQ(placement("demo-arm64-N").main, golden().main.at("demo-arm64-N"));
}

// Which functions get which kind of entry probe and how many returns they
// have is decided before code generation for Go code, except for one thing:
// cmd/internal/obj/x86 also marks NOSPLIT a small-frame function whose only
// calls are argument-less runtime panics (runtime.panicwrap here), while
// cmd/internal/obj/arm64 only spares true leaves. So main.(*Rect).Area, the
// pointer-receiver wrapper that may call panicwrap, has no check on amd64 -O.
// The number of RETs matches for every main.* function: both backends emit one
// RET per return block of the same SSA graph (they differ only in hand-written
// assembly such as memmove: 16 RETs on amd64, 9 on arm64).
void expect_same_as_amd64(const std::string& amd64, const std::string& arm64,
                          const std::vector<std::string>& amd64_nosplit) {
  Placement x = placement(amd64), a = placement(arm64);
  std::vector<std::string> xs, as, check_differs;
  for (const auto& [name, s] : x.main) xs.push_back(name);
  for (const auto& [name, s] : a.main) as.push_back(name);
  EXPECT_EQ(as, xs);
  for (const auto& [name, s] : a.main) {
    auto it = x.main.find(name);
    if (it == x.main.end()) continue;
    EXPECT_EQ(s.returns.size(), it->second.returns.size()) << name;
    if (s.branch != it->second.branch) check_differs.push_back(name);
  }
  EXPECT_EQ(check_differs, amd64_nosplit);
  // Defers are lowered before code generation: the same functions call
  // runtime.deferreturn, as many times, on both machines.
  EXPECT_EQ(a.deferreturns, x.deferreturns);
}

TEST(Arm64ProbeSites, SameFunctionsAndReturnsAsAmd64) {
  expect_same_as_amd64("types-O", "types-arm64-O", {"main.(*Rect).Area"});
  expect_same_as_amd64("types-N", "types-arm64-N", {});
  expect_same_as_amd64("demo-O", "demo-arm64-O", {});
  expect_same_as_amd64("demo-N", "demo-arm64-N", {});
}

// Neither fixture has a defer in main (the `guarded` function with one is in
// the panics fixture, which has no arm64 build): the deferreturn calls are
// the library's. -O open-codes most defers and keeps one deferreturn call for
// the panic path; -N calls it on every return path.
TEST(Arm64ProbeSites, DeferreturnCalls) {
  EXPECT_EQ(placement("types-arm64-O").deferreturns, golden().deferreturns.at("types-arm64-O"));
  EXPECT_EQ(placement("types-arm64-N").deferreturns, golden().deferreturns.at("types-arm64-N"));
}

// `gotrace funcs` (Engine::match) on the arm64 builds lists exactly the
// main.* functions of the amd64 builds: every one is //go:noinline (or main,
// a closure, a method wrapper), so inlining cannot differ between machines.
TEST(Arm64Funcs, SameMainFunctionsAsAmd64) {
  auto names = [](const std::string& fixture_name) {
    auto e = Engine::open(gotrace::testing::fixture_dir() + "/" + fixture_name);
    EXPECT_TRUE(e) << fixture_name;
    std::vector<std::string> out;
    if (!e) return out;
    auto fns = (*e)->match("^main\\.");
    EXPECT_TRUE(fns);
    if (fns)
      for (const symbols::Function* f : *fns) out.push_back(f->name);
    return out;
  };
  const std::vector<std::string> types = {
      "main.(*Counter).Add",   "main.(*Rect).Area",
      testing::shaped("main.Max[go.shape.float64_0]"), testing::shaped("main.Max[go.shape.int_0]"),
      "main.Point.Sum",        "main.Rect.Area",
      "main.apply",            "main.bools",
      "main.errs",             "main.floats",
      "main.ifaces",           "main.ints",
      "main.main",             "main.main.func1",
      "main.maps",             "main.multi",
      "main.pointers",         "main.slices",
      "main.strs",             "main.structs",
      "main.twelve",           "main.uints"};
  const std::vector<std::string> demo = {"main.describe", "main.main", "main.square"};
  for (const char* v : {"O", "N"}) {
    SCOPED_TRACE(v);
    EXPECT_EQ(names(std::string("types-arm64-") + v), types);
    EXPECT_EQ(names(std::string("types-") + v), types);
    EXPECT_EQ(names(std::string("demo-arm64-") + v), demo);
    EXPECT_EQ(names(std::string("demo-") + v), demo);
  }
}

}  // namespace
}  // namespace gotrace::tracer
