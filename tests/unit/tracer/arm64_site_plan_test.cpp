// Capture specs planned for real GOARCH=arm64 binaries (white-box:
// plan_function): which registers and stack words each value is copied from
// at the entry probe and at each RET, per Go's ABIInternal on arm64
// (abi-internal.md: integers in R0..R15, floats in F0..F15 = DWARF 64+i,
// results from R0/F0 again, stack arguments after the LR save slot at 0(RSP)),
// and how that agrees with the DWARF location lists of the -N builds.
#include "fixture_dir.h"
#include "site_plan.h"

#include "gotrace/tracer/engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace gotrace::tracer {
namespace {

const symbols::Binary& binary(const std::string& name) {
  static std::map<std::string, std::unique_ptr<Engine>> engines;
  auto& e = engines[name];
  if (!e) {
    auto r = Engine::open(gotrace::testing::fixture_dir() + "/" + name);
    if (!r) {
      ADD_FAILURE() << name << ": " << r.error().message;
      std::abort();
    }
    e = std::move(*r);
  }
  return e->binary();
}

// One gt_word_op, comparable.
struct Word {
  uint8_t kind = 0;
  int reg = 0;
  int count = 0;
  int off = 0;
  bool operator==(const Word&) const = default;
};
std::ostream& operator<<(std::ostream& os, const Word& w) {
  if (w.kind == GT_WORD_REG) return os << "reg " << w.reg;
  return os << "stack sp+" << w.off << " x" << w.count;
}
Word X(int n) { return {GT_WORD_REG, n, 0, 0}; }       // R0..R30: DWARF 0..30
Word F(int n) { return {GT_WORD_REG, 64 + n, 0, 0}; }  // F0..F31: DWARF 64..95
Word Stack(int off, int count) { return {GT_WORD_STACK, 0, count, off}; }

std::vector<Word> words(const gt_spec& s) {
  std::vector<Word> out;
  for (int i = 0; i < s.n_word_ops; ++i)
    out.push_back({s.words[i].kind, s.words[i].reg, s.words[i].count, s.words[i].stack_off});
  return out;
}

// A value as "name[w<word>@<value offset>:<bytes> ...]", plus " float" when
// its registers are float registers and " sp+N" when it is on the stack.
std::string describe(const ValuePlan& v) {
  std::string s = v.name + "[";
  for (size_t i = 0; i < v.chunks.size(); ++i) {
    const Chunk& c = v.chunks[i];
    s += (i ? " w" : "w") + std::to_string(c.word) + "@" + std::to_string(c.value_offset) + ":" +
         std::to_string(c.size);
  }
  s += "]";
  if (v.in_float_registers) s += " float";
  if (v.on_stack) s += " sp+" + std::to_string(v.stack_offset);
  if (!v.unreadable.empty()) s += " unreadable: " + v.unreadable;
  return s;
}

std::vector<std::string> describe(const std::vector<ValuePlan>& vs) {
  std::vector<std::string> out;
  for (const ValuePlan& v : vs) out.push_back(describe(v));
  return out;
}

struct Site {
  std::vector<Word> words;
  std::vector<std::string> values;
  int derefs = 0;
};

struct Expected {
  std::string fn;
  // Entry on the stack check's B.LS at this offset (8 for small frames, 12
  // when SUB X17 comes first); 0: on the first instruction (NOSPLIT).
  int check_at = 0;
  Site entry;
  Site ret;  // the same at every RET
  size_t rets = 1;
};

FunctionPlan plan(const std::string& fixture_name, const std::string& fn) {
  const symbols::Binary& bin = binary(fixture_name);
  const symbols::Function* f = bin.find_function(fn);
  EXPECT_NE(f, nullptr) << fn;
  if (!f) return {};
  auto p = plan_function(bin, *f, TraceOptions{});
  EXPECT_TRUE(p) << p.error().message;
  return p ? std::move(*p) : FunctionPlan{};
}

void expect_site(const PlannedSite& s, const Site& e) {
  EXPECT_EQ(words(s.spec), e.words);
  EXPECT_EQ(describe(s.info.values), e.values);
  EXPECT_EQ(s.spec.n_derefs, e.derefs);
}

void expect_plan(const std::string& fixture_name, const Expected& e) {
  SCOPED_TRACE(fixture_name + " " + e.fn);
  FunctionPlan p = plan(fixture_name, e.fn);
  ASSERT_EQ(p.sites.size(), 1 + e.rets);
  const PlannedSite& entry = p.sites[0];
  EXPECT_FALSE(entry.info.is_return);
  EXPECT_FALSE(entry.info.entry_and_return);
  EXPECT_EQ(entry.info.probe, p.entry_probe);
  if (e.check_at) {
    // The probe is the B.LS: the BPF program drops the pass whose NZCV says
    // it branches to morestack (C clear or Z set).
    EXPECT_EQ(entry.spec.flags, GT_SPEC_SKIP_BRANCH);
    EXPECT_EQ(entry.spec.branch_cond, GT_COND_ARM64_LS);
    EXPECT_EQ(entry.info.probe, entry.info.pc + e.check_at);
  } else {
    EXPECT_EQ(entry.spec.flags, 0);
    EXPECT_EQ(entry.spec.branch_cond, 0);
    EXPECT_EQ(entry.info.probe, entry.info.pc);
  }
  expect_site(entry, e.entry);
  for (size_t i = 1; i < p.sites.size(); ++i) {
    SCOPED_TRACE("return site " + std::to_string(i));
    EXPECT_TRUE(p.sites[i].info.is_return);
    EXPECT_EQ(p.sites[i].info.probe, p.return_probes[i - 1]);
    EXPECT_EQ(p.sites[i].spec.flags, GT_SPEC_RETURN);
    EXPECT_EQ(p.sites[i].spec.branch_cond, 0);
    expect_site(p.sites[i], e.ret);
  }
}

// The same in both builds: the ABI does not depend on -N. (DWARF of -N
// builds also names the hidden generic dictionary ".dict"; it stays out.)
const std::vector<Expected>& types_expectations() {
  static const std::vector<Expected> v = {
      {"main.ints", 0,
       {{X(0), X(1), X(2), X(3), X(4)},
        {"a[w0@0:8]", "b[w1@0:1]", "c[w2@0:2]", "d[w3@0:4]", "e[w4@0:8]"}},
       {{X(0)}, {"~r0[w0@0:8]"}}},
      // Strings are (ptr, len) register pairs; results restart at R0.
      {"main.strs", 8,
       {{X(0), X(1), X(2), X(3)}, {"s[w0@0:8 w1@8:8]", "empty[w2@0:8 w3@8:8]"}, 2},
       {{X(0), X(1), X(2)}, {"~r0[w0@0:8 w1@8:8]", "~r1[w2@0:8]"}, 1}},
      // Point{X, Y int; Name string}: field by field.
      {"main.structs", 8,
       {{X(0), X(1), X(2), X(3)}, {"p[w0@0:8 w1@8:8 w2@16:8 w3@24:8]"}, 1},
       {{X(0), X(1), X(2), X(3)}, {"~r0[w0@0:8 w1@8:8 w2@16:8 w3@24:8]"}, 1}},
      // Floats take F0, F1 (float32 in the low 4 bytes), the int R0.
      {"main.floats", 0,
       {{F(0), F(1), X(0)}, {"f[w0@0:8] float", "g[w1@0:4] float", "n[w2@0:8]"}},
       {{F(0)}, {"~r0[w0@0:8] float"}}},
      {"main.multi", 8,
       {{X(0), X(1), X(2)}, {"a[w0@0:8]", "s[w1@0:8 w2@8:8]"}, 1},
       {{X(0), X(1), X(2), X(3)}, {"~r0[w0@0:8]", "~r1[w1@0:8 w2@8:8]", "~r2[w3@0:1]"}, 1}},
      // arm64 has 16 integer argument registers: all twelve fit (amd64's
      // nine do not, see Amd64PutsWhatArm64KeepsInRegistersOnTheStack).
      {"main.twelve", 0,
       {{X(0), X(1), X(2), X(3), X(4), X(5), X(6), X(7), X(8), X(9), X(10), X(11)},
        {"a1[w0@0:8]", "a2[w1@0:8]", "a3[w2@0:8]", "a4[w3@0:8]", "a5[w4@0:8]",
         "a6[w5@0:8]", "a7[w6@0:8]", "a8[w7@0:8]", "a9[w8@0:8]", "a10[w9@0:8]",
         "a11[w10@0:8]", "a12[w11@0:8]"}},
       {{X(0)}, {"~r0[w0@0:8]"}}},
      {"main.slices", 0,
       {{X(0), X(1), X(2), X(3), X(4), X(5), X(6), X(7), X(8)},
        {"xs[w0@0:8 w1@8:8 w2@16:8]", "names[w3@0:8 w4@8:8 w5@16:8]",
         "nilSlice[w6@0:8 w7@8:8 w8@16:8]"}},
       {{X(0)}, {"~r0[w0@0:8]"}}},
      // The dictionary pointer is in R0, so a and b are R1 and R2.
      {testing::shaped("main.Max[go.shape.int_0]"), 0,
       {{X(1), X(2)}, {"a[w0@0:8]", "b[w1@0:8]"}},
       {{X(0)}, {"~r0[w0@0:8]"}},
       2},
      // ... while float arguments still start at F0.
      {testing::shaped("main.Max[go.shape.float64_0]"), 0,
       {{F(0), F(1)}, {"a[w0@0:8] float", "b[w1@0:8] float"}},
       {{F(0)}, {"~r0[w0@0:8] float"}},
       2},
      // error = (itab, data); the itab's type word and the data are followed.
      {"main.errs", 8,
       {{X(0)}, {"fail[w0@0:1]"}},
       {{X(0), X(1)}, {"~r0[w0@0:8 w1@8:8]"}, 3},
       2},
      {"main.(*Counter).Add", 0,
       {{X(0), X(1)}, {"c[w0@0:8]", "d[w1@0:8]"}},
       {{X(0)}, {"~r0[w0@0:8]"}}},
      // A result too large for registers (abiDesc, 184 bytes) is on the
      // stack right after the LR slot: 8(RSP) at the RET, as at entry.
      {"reflect.funcLayout", 12,
       {{X(0), X(1)}, {"t[w0@0:8]", "rcvr[w1@0:8]"}},
       {{X(0), X(1), Stack(8, 23)},
        {"frametype[w0@0:8]", "framePool[w1@0:8]",
         "abid[w2@0:8 w3@8:8 w4@16:8 w5@24:8 w6@32:8 w7@40:8 w8@48:8 w9@56:8 "
         "w10@64:8 w11@72:8 w12@80:8 w13@88:8 w14@96:8 w15@104:8 w16@112:8 "
         "w17@120:8 w18@128:8 w19@136:8 w20@144:8 w21@152:8 w22@160:8 w23@168:8 "
         "w24@176:8] sp+8"}},
       2},
      // A zero-size argument (struct{}) takes no register and no word.
      {"internal/poll.errNetClosing.Error", 0,
       {{}, {"e[] sp+8"}},
       {{X(0), X(1)}, {"~r0[w0@0:8 w1@8:8]"}, 1}},
  };
  return v;
}

TEST(Arm64SitePlan, TypesO) {
  for (const Expected& e : types_expectations()) expect_plan("types-arm64-O", e);
}

TEST(Arm64SitePlan, TypesN) {
  for (const Expected& e : types_expectations())
    if (e.fn != "main.floats" && e.fn.find("float64") == std::string::npos) expect_plan("types-arm64-N", e);
  // Float arguments: a -N -l build stores every argument to its stack slot
  // right after the prologue, where the entry is probed (uprobes see no
  // float registers) and DWARF locates them all; the function's own frame
  // is set up there, 32 bytes below the entry's SP. The result stays in F0.
  FunctionPlan p = plan("types-arm64-N", "main.floats");
  ASSERT_EQ(p.sites.size(), 2u);
  const PlannedSite& entry = p.sites[0];
  EXPECT_EQ(entry.info.pc, binary("types-arm64-N").find_function("main.floats")->entry);
  EXPECT_EQ(entry.info.probe, p.entry_probe);
  EXPECT_GT(entry.info.probe, entry.info.pc);
  EXPECT_EQ(entry.spec.flags, GT_SPEC_FRAME_SET);
  EXPECT_EQ(entry.info.sp_adjust, 32);
  expect_site(entry, {{Stack(40, 1), Stack(48, 1), Stack(56, 1)}, {"f[w0@0:8] sp+40", "g[w1@0:4] sp+48", "n[w2@0:8] sp+56"}});
  expect_site(p.sites[1], {{F(0)}, {"~r0[w0@0:8] float"}});
  FunctionPlan max = plan("types-arm64-N", testing::shaped("main.Max[go.shape.float64_0]"));
  ASSERT_FALSE(max.sites.empty());
  EXPECT_EQ(max.sites[0].spec.flags, GT_SPEC_FRAME_SET);
  EXPECT_GT(max.sites[0].info.sp_adjust, 0);
  // Inlined away in -O. sigset is [2]uint32, an array of more than one
  // element: always on the stack, at 8(RSP) (0(RSP) is the LR save slot).
  expect_plan("types-arm64-N",
              {"runtime.msigrestore", 0, {{Stack(8, 1)}, {"sigmask[w0@0:8] sp+8"}}, {}});
}

// -O main.pointers returns its first argument unchanged: its first
// instruction is its RET, and one probe there reports the entry and the return.
TEST(Arm64SitePlan, EntryThatIsTheReturn) {
  FunctionPlan p = plan("types-arm64-O", "main.pointers");
  ASSERT_EQ(p.sites.size(), 1u);
  const PlannedSite& s = p.sites[0];
  EXPECT_TRUE(s.info.entry_and_return);
  EXPECT_EQ(s.info.split, 2u);
  EXPECT_EQ(s.info.probe, s.info.pc);
  EXPECT_EQ(p.return_probes, std::vector<uint64_t>{s.info.probe});
  EXPECT_EQ(s.spec.flags, 0);
  EXPECT_EQ(s.spec.branch_cond, 0);
  EXPECT_EQ(words(s.spec), (std::vector<Word>{X(0), X(1), X(0)}));
}

// What the two machines do differently, on the same sources: amd64 has nine
// integer argument registers (RAX RBX RCX RDI RSI R8 R9 R10 R11 = DWARF 0 3 2
// 5 4 8 9 10 11) and puts a10..a12 on the stack; both find stack arguments at
// 8(SP) at entry, amd64 because CALL pushed the return address there, arm64
// because the caller leaves 0(RSP) for the callee to save LR in.
TEST(Arm64SitePlan, Amd64PutsWhatArm64KeepsInRegistersOnTheStack) {
  FunctionPlan p = plan("types-O", "main.twelve");
  ASSERT_EQ(p.sites.size(), 2u);
  EXPECT_EQ(words(p.sites[0].spec),
            (std::vector<Word>{X(0), X(3), X(2), X(5), X(4), X(8), X(9), X(10), X(11),
                               Stack(8, 1), Stack(16, 1), Stack(24, 1)}));
  FunctionPlan f = plan("types-O", "reflect.funcLayout");
  ASSERT_EQ(f.sites.size(), 3u);
  EXPECT_EQ(words(f.sites[1].spec), (std::vector<Word>{X(0), X(3), Stack(8, 23)}));
  EXPECT_EQ(f.sites[0].spec.branch_cond, GT_COND_AMD64_JBE);
}

// --- every function against DWARF ------------------------------------------

// Where each captured word of a spec comes from: "r<dwarf>" or "sp+<off>".
std::vector<std::string> word_sources(const gt_spec& s) {
  std::vector<std::string> out;
  for (int i = 0; i < s.n_word_ops; ++i) {
    const gt_word_op& w = s.words[i];
    if (w.kind == GT_WORD_REG) {
      out.push_back("r" + std::to_string(w.reg));
    } else {
      for (int k = 0; k < w.count; ++k) out.push_back("sp+" + std::to_string(w.stack_off + 8 * k));
    }
  }
  return out;
}

// The same for a DWARF location at a pc where CFA = SP + cfa: one entry per
// register piece, one per 8 bytes of a memory piece.
std::vector<std::string> dwarf_sources(const symbols::ScopedVariable& v, int64_t cfa) {
  std::vector<std::string> out;
  for (const symbols::LocationPiece& p : v.pieces) {
    if (p.kind == symbols::LocationPiece::Kind::reg) {
      out.push_back("r" + std::to_string(p.reg));
    } else {
      uint64_t size = p.size ? p.size : v.var.type->size;
      for (uint64_t k = 0; k < size; k += 8)
        out.push_back("sp+" + std::to_string(p.offset + cfa + static_cast<int64_t>(k)));
    }
  }
  return out;
}

// Bytes DWARF's pieces describe (padding between struct fields has no
// piece), or nullopt if some are optimized away.
std::optional<uint64_t> located_bytes(const symbols::ScopedVariable& v) {
  uint64_t bytes = 0;
  for (const symbols::LocationPiece& p : v.pieces) {
    if (p.kind == symbols::LocationPiece::Kind::absent) return std::nullopt;
    bytes += p.size ? p.size : v.var.type->size;
  }
  return bytes;
}

struct Agreement {
  size_t in_registers = 0;  // DWARF and the plan name the same registers
  size_t on_stack = 0;      // ... the same stack words
  size_t malformed = 0;     // DWARF's pieces describe more than the value
  size_t past_prologue = 0; // functions whose entry is probed past the prologue
  std::vector<std::string> disagree;  // "function parameter"
  // Register parameters DWARF places in their stack spill slots, which
  // nothing has written at the entry ("function parameter").
  std::vector<std::string> spill_slot;
  bool operator==(const Agreement&) const = default;
};
std::ostream& operator<<(std::ostream& os, const Agreement& a) {
  os << "{registers " << a.in_registers << ", stack " << a.on_stack << ", malformed "
     << a.malformed << ", past prologue " << a.past_prologue << ", disagree:";
  for (const auto& d : a.disagree) os << " " << d;
  os << ", spill slot:";
  for (const auto& d : a.spill_slot) os << " " << d;
  return os << "}";
}

// Compares, for every function, the entry site's capture of each parameter
// with where DWARF says the parameter is at the function's entry.
Agreement against_dwarf(const std::string& fixture_name) {
  const symbols::Binary& bin = binary(fixture_name);
  Agreement a;
  for (const symbols::Function& fn : bin.functions()) {
    auto p = plan_function(bin, fn, TraceOptions{});
    if (!p || p->sites.empty()) continue;
    // An entry probed past the prologue (float parameters of a -N -l build)
    // reads DWARF's locations there.
    const bool spilled = p->sites[0].info.sp_adjust != 0;
    const uint64_t at = spilled ? p->sites[0].info.probe : fn.entry;
    auto vars = bin.variables_at(fn, at);
    auto cfa = bin.cfa_offset(at);
    if (!vars || !cfa) continue;  // no DWARF (assembly)
    // arm64 keeps the return address in LR: the CFA is SP itself at entry.
    if (at == fn.entry) EXPECT_EQ(*cfa, 0) << fn.name;
    if (spilled) a.past_prologue++;
    std::vector<std::string> sources = word_sources(p->sites[0].spec);
    for (const ValuePlan& v : p->sites[0].info.values) {
      if (v.is_result || !v.unreadable.empty()) continue;
      auto d = std::find_if(vars->begin(), vars->end(), [&](const symbols::ScopedVariable& s) {
        return s.is_param && !s.var.is_result && s.var.name == v.name;
      });
      if (d == vars->end() || d->pieces.empty() || !d->var.type) continue;  // DWARF says nothing
      auto bytes = located_bytes(*d);
      if (!bytes) continue;  // partly optimized away
      if (*bytes > v.size) {
        a.malformed++;
        continue;
      }
      std::vector<std::string> planned;
      for (const Chunk& c : v.chunks) planned.push_back(sources.at(c.word));
      std::vector<std::string> dwarf = dwarf_sources(*d, *cfa);
      auto is_reg = [](const std::string& x) { return x.starts_with("r"); };
      if (planned != dwarf && std::all_of(planned.begin(), planned.end(), is_reg) &&
          std::none_of(dwarf.begin(), dwarf.end(), is_reg)) {
        a.spill_slot.push_back(fn.name + " " + v.name);
      } else if (planned != dwarf) {
        a.disagree.push_back(fn.name + " " + v.name);      } else {
        (v.on_stack ? a.on_stack : a.in_registers)++;
      }
    }
  }
  return a;
}

// Every parameter DWARF locates at a function's entry is captured from
// exactly there, in every function of the binaries (runtime included), but
// for DWARF errors of one kind, on every release: a parameter assigned
// another one's value on some path is said to start in that one's register
// (findScavengeCandidate's `max = min`; from Go 1.27 fmtEFG's `prec = nd`);
// the code reads it from the register the ABI puts it in.
// Locations whose pieces describe more bytes than the value are skipped
// (Go 1.19 writes e.g. R0, R0, R1, R2 for a []byte in R0..R2, or twenty
// pieces for an interface), as are those partly optimized away.
// The stack-located ones (a struct{}, a [2]uint32) check stack_args_offset:
// DWARF's CFA+8 is 8(RSP) at entry.
// Functions with float parameters in -N -l builds are probed past their
// prologue ("past prologue"), and compared with DWARF there, where every
// parameter is in its stack slot. Go 1.26.8 writes every location with as
// many bytes as the value has (nothing malformed). Go 1.27.3 adds DWARF entries for unnamed parameters
// (~p0, ~p1, ...) that the code never reads, located in their stack spill
// slots; at the entry nothing has been spilled there: the plan reads the
// registers the ABI assigns them (what the caller passed).
TEST(Arm64SitePlan, EveryParameterWhereDwarfPutsIt) {
  const std::string scavenge = "runtime.(*pallocData).findScavengeCandidate max";
  const std::string efg = "internal/strconv.fmtEFG prec";
  const std::vector<std::string> unnamed_o = {
      "runtime.(*PanicNilError).Error ~p0",        "runtime.(*scavengerState).init.func1 ~p1",
      "runtime.(*scavengerState).init.func1 ~p2",  "runtime.(*timer).unlockAndRun.func1 ~p0",
      "runtime.(*timer).unlockAndRun.func1 ~p1",   "runtime.(*timer).unlockAndRun.func1 ~p2",
      "runtime.gcMarkTermination.func2.1 ~p0",     "runtime.tracebackothers.func1 ~p0"};
  std::vector<std::string> unnamed_n = unnamed_o;
  unnamed_n.insert(unnamed_n.begin() + 6, {"runtime.beforeIdle ~p0", "runtime.beforeIdle ~p1"});
  struct Want {
    Agreement types_n, demo_n, types_o, demo_o;
  };
  const std::string field = "reflect.(*funcType).Field i";  // a method that only panics (planned since it has no RET)
  const std::map<std::string, Want> by_release = {
      {"go1.19.8", {{2972, 36, 8, 12, {scavenge}, {}}, {2943, 31, 8, 10, {scavenge}, {}},
                    {2031, 0, 19, 0, {field, scavenge}, {}}, {1993, 0, 20, 0, {field, scavenge}, {}}}},
      {"go1.26.8", {{4385, 31, 0, 9, {scavenge}, {}}, {4355, 26, 0, 7, {scavenge}, {}},
                    {2853, 1, 0, 0, {scavenge}, {}}, {2814, 1, 0, 0, {scavenge}, {}}}},
      {"go1.27.3", {{4148, 35, 0, 9, {efg, scavenge}, unnamed_n}, {4118, 30, 0, 7, {efg, scavenge}, unnamed_n},
                    {2665, 2, 0, 0, {efg, scavenge}, unnamed_o}, {2626, 2, 0, 0, {efg, scavenge}, unnamed_o}}},
  };

  const std::string& go = gotrace::testing::go_version();
  auto want = by_release.find(go);
  ASSERT_NE(want, by_release.end()) << go << ": no expected agreement recorded";
  EXPECT_EQ(against_dwarf("types-arm64-N"), want->second.types_n);
  EXPECT_EQ(against_dwarf("demo-arm64-N"), want->second.demo_n);
  EXPECT_EQ(against_dwarf("types-arm64-O"), want->second.types_o);
  EXPECT_EQ(against_dwarf("demo-arm64-O"), want->second.demo_o);
}

}  // namespace
}  // namespace gotrace::tracer
