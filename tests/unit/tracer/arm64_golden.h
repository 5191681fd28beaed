// Golden numbers of the arm64 probe-site checks (arm64_probe_sites_test.cpp)
// per Go release of the matrix. The test checks every function instruction
// by instruction against its own decoding on any release; these numbers pin
// what it found, so that a change in placement shows. They were measured
// with that test on each release's builds of demo and types. A release of
// the matrix without numbers here fails the tests that need them: measure
// and add them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace gotrace::tracer::arm64_golden {

struct Tally {
  size_t functions = 0;
  size_t no_ret = 0;             // refused: Errc::unsupported
  size_t branch_ls = 0;          // entry on the stack check's B.LS
  size_t branch_lo = 0;          // ... on a B.LO
  size_t first_instruction = 0;  // no stack check (NOSPLIT)
  size_t returns = 0;
  size_t rets_not_x30 = 0;
  size_t deferreturn_calls = 0;
  size_t with_deferreturn = 0;   // functions with at least one
  bool operator==(const Tally&) const = default;
};

inline std::ostream& operator<<(std::ostream& os, const Tally& t) {
  return os << "{functions " << t.functions << ", no_ret " << t.no_ret << ", branch_ls "
            << t.branch_ls << ", branch_lo " << t.branch_lo << ", first_instruction "
            << t.first_instruction << ", returns " << t.returns << ", rets_not_x30 "
            << t.rets_not_x30 << ", deferreturn_calls " << t.deferreturn_calls
            << ", with_deferreturn " << t.with_deferreturn << "}";
}

// A function's sites as offsets from its entry.
struct Sites {
  bool branch = false;  // entry on the stack check (else the first instruction)
  uint64_t entry = 0;
  std::vector<uint64_t> returns;
  bool operator==(const Sites&) const = default;
};

inline std::ostream& operator<<(std::ostream& os, const Sites& s) {
  os << (s.branch ? "branch+" : "first+") << s.entry << " rets";
  for (uint64_t r : s.returns) os << " +" << r;
  return os;
}

struct Release {
  std::map<std::string, Tally> every;  // by fixture
  std::map<std::string, std::map<std::string, Sites>> main;  // fixture -> main.* function
  std::map<std::string, std::map<std::string, size_t>> deferreturns;  // types-arm64-{O,N}
};

constexpr bool B = true, F = false;

// nullptr: no numbers for `release` ("go1.26.8").
inline const Release* for_release(const std::string& release) {
  static const std::map<std::string, Release> by_release = {
      {"go1.19.8",
      // Go 1.19: no B.LO is ever the final check (it only guards the
      // huge-frame underflow test before the B.LS).
       {
           {
               {"demo-arm64-O", {1398, 87, 1052, 0, 259, 2224, 0, 17, 7}},
               {"demo-arm64-N", {2091, 90, 1424, 0, 577, 3082, 0, 26, 7}},
               {"types-arm64-O", {1415, 87, 1055, 0, 273, 2240, 0, 18, 8}},
               {"types-arm64-N", {2106, 90, 1425, 0, 591, 3094, 0, 28, 8}},
           },
           {
               {"types-arm64-O",
                {
                    {"main.(*Counter).Add", {F, 0, {0x10}}},
                    {"main.(*Rect).Area", {B, 8, {0x38}}},
                    {"main.Max[go.shape.float64_0]", {F, 0, {0x8, 0x10}}},
                    {"main.Max[go.shape.int_0]", {F, 0, {0xc, 0x14}}},
                    {"main.Point.Sum", {F, 0, {0x8}}},
                    {"main.Rect.Area", {F, 0, {0x4}}},
                    {"main.apply", {B, 8, {0x30}}},
                    {"main.bools", {F, 0, {0x14}}},
                    {"main.errs", {B, 8, {0x50, 0x64}}},
                    {"main.floats", {F, 0, {0x14}}},
                    {"main.ifaces", {B, 8, {0x34}}},
                    {"main.ints", {F, 0, {0x1c}}},
                    {"main.main", {B, 12, {0x4a4}}},
                    {"main.main.func1", {F, 0, {0x34}}},
                    {"main.maps", {F, 0, {0x38}}},
                    {"main.multi", {B, 8, {0x54}}},
                    {"main.pointers", {F, 0, {0x0}}},
                    {"main.slices", {F, 0, {0x14}}},
                    {"main.strs", {B, 8, {0x58}}},
                    {"main.structs", {B, 8, {0x58}}},
                    {"main.twelve", {F, 0, {0x2c}}},
                    {"main.uints", {F, 0, {0x20}}},
                }},
               {"types-arm64-N",
                {
                    {"main.(*Counter).Add", {F, 0, {0x50}}},
                    {"main.(*Rect).Area", {B, 8, {0x60}}},
                    {"main.Max[go.shape.float64_0]", {F, 0, {0x44, 0x58}}},
                    {"main.Max[go.shape.int_0]", {F, 0, {0x40, 0x54}}},
                    {"main.Point.Sum", {F, 0, {0x38}}},
                    {"main.Rect.Area", {F, 0, {0x30}}},
                    {"main.apply", {B, 8, {0x44}}},
                    {"main.bools", {F, 0, {0x4c}}},
                    {"main.errs", {B, 8, {0x58, 0x70}}},
                    {"main.floats", {F, 0, {0x4c}}},
                    {"main.ifaces", {B, 8, {0x50}}},
                    {"main.ints", {F, 0, {0x54}}},
                    {"main.main", {B, 12, {0x78c}}},
                    {"main.main.func1", {F, 0, {0x60}}},
                    {"main.maps", {F, 0, {0x98}}},
                    {"main.multi", {B, 8, {0x80}}},
                    {"main.pointers", {F, 0, {0x28}}},
                    {"main.slices", {F, 0, {0x68}}},
                    {"main.strs", {B, 8, {0x84}}},
                    {"main.structs", {B, 8, {0x8c}}},
                    {"main.twelve", {F, 0, {0xa8}}},
                    {"main.uints", {F, 0, {0x60}}},
                }},
               {"demo-arm64-O",
                {
                    {"main.describe", {B, 8, {0xa8}}},
                    {"main.main", {B, 12, {0x100}}},
                    {"main.square", {F, 0, {0x4}}},
                }},
               {"demo-arm64-N",
                {
                    {"main.describe", {B, 12, {0x19c}}},
                    {"main.main", {B, 12, {0x1ec}}},
                    {"main.square", {F, 0, {0x2c}}},
                }},
           },
           {
               {"types-arm64-O",
                {
                    {"fmt.(*pp).handleMethods", 11},
                    {"internal/poll.(*FD).Write", 1},
                    {"internal/testlog.PanicOnExit0", 1},
                    {"runtime.debugCallWrap2", 1},
                    {"runtime.main", 1},
                    {"runtime.preprintpanics", 1},
                    {"sync.(*Once).doSlow", 1},
                    {"sync.(*Pool).pinSlow", 1},
                }},
               {"types-arm64-N",
                {
                    {"fmt.(*pp).handleMethods", 11},
                    {"internal/poll.(*FD).Write", 6},
                    {"internal/testlog.PanicOnExit0", 2},
                    {"runtime.debugCallWrap2", 1},
                    {"runtime.main", 1},
                    {"runtime.preprintpanics", 1},
                    {"sync.(*Once).doSlow", 3},
                    {"sync.(*Pool).pinSlow", 3},
                }},
           },
       }},
      {"go1.26.8",
      // Go 1.26: runtime.asyncPreempt returns through X27 (RET (R27)); more
      // of the library calls deferreturn (sync.OnceFunc, os.checkPidfd).
       {
           {
               {"demo-arm64-O", {1884, 70, 1394, 0, 420, 3047, 1, 25, 18}},
               {"demo-arm64-N", {2998, 81, 2056, 0, 861, 4428, 1, 52, 18}},
               {"types-arm64-O", {1901, 70, 1398, 0, 433, 3063, 1, 26, 19}},
               {"types-arm64-N", {3013, 81, 2058, 0, 874, 4440, 1, 54, 19}},
           },
           {
               {"types-arm64-O",
                {
                    {"main.(*Counter).Add", {F, 0, {0x10}}},
                    {"main.(*Rect).Area", {B, 8, {0x2c}}},
                    {"main.Max[go.shape.float64]", {F, 0, {0x8, 0x10}}},
                    {"main.Max[go.shape.int]", {F, 0, {0xc, 0x14}}},
                    {"main.Point.Sum", {F, 0, {0x8}}},
                    {"main.Rect.Area", {F, 0, {0x4}}},
                    {"main.apply", {B, 8, {0x30}}},
                    {"main.bools", {F, 0, {0x14}}},
                    {"main.errs", {B, 8, {0x4c, 0x60}}},
                    {"main.floats", {F, 0, {0x14}}},
                    {"main.ifaces", {B, 8, {0x34}}},
                    {"main.ints", {F, 0, {0x1c}}},
                    {"main.main", {B, 12, {0x484}}},
                    {"main.main.func1", {F, 0, {0x2c}}},
                    {"main.maps", {F, 0, {0x38}}},
                    {"main.multi", {B, 8, {0x54}}},
                    {"main.pointers", {F, 0, {0x0}}},
                    {"main.slices", {F, 0, {0x14}}},
                    {"main.strs", {B, 8, {0x58}}},
                    {"main.structs", {B, 8, {0x58}}},
                    {"main.twelve", {F, 0, {0x2c}}},
                    {"main.uints", {F, 0, {0x20}}},
                }},
               {"types-arm64-N",
                {
                    {"main.(*Counter).Add", {F, 0, {0x40}}},
                    {"main.(*Rect).Area", {B, 8, {0x54}}},
                    {"main.Max[go.shape.float64]", {F, 0, {0x38, 0x4c}}},
                    {"main.Max[go.shape.int]", {F, 0, {0x38, 0x4c}}},
                    {"main.Point.Sum", {F, 0, {0x34}}},
                    {"main.Rect.Area", {F, 0, {0x28}}},
                    {"main.apply", {B, 8, {0x44}}},
                    {"main.bools", {F, 0, {0x44}}},
                    {"main.errs", {B, 8, {0x58, 0x74}}},
                    {"main.floats", {F, 0, {0x40}}},
                    {"main.ifaces", {B, 8, {0x4c}}},
                    {"main.ints", {F, 0, {0x50}}},
                    {"main.main", {B, 12, {0x730}}},
                    {"main.main.func1", {F, 0, {0x54}}},
                    {"main.maps", {F, 0, {0x84}}},
                    {"main.multi", {B, 8, {0x88}}},
                    {"main.pointers", {F, 0, {0x28}}},
                    {"main.slices", {F, 0, {0x54}}},
                    {"main.strs", {B, 8, {0x80}}},
                    {"main.structs", {B, 8, {0x9c}}},
                    {"main.twelve", {F, 0, {0x9c}}},
                    {"main.uints", {F, 0, {0x58}}},
                }},
               {"demo-arm64-O",
                {
                    {"main.describe", {B, 8, {0xa0}}},
                    {"main.main", {B, 12, {0xe0}}},
                    {"main.square", {F, 0, {0x4}}},
                }},
               {"demo-arm64-N",
                {
                    {"main.describe", {B, 12, {0x1a8}}},
                    {"main.main", {B, 12, {0x230}}},
                    {"main.square", {F, 0, {0x24}}},
                }},
           },
           {
               {"types-arm64-O",
                {
                    {"fmt.(*pp).handleMethods", 8},
                    {"internal/godebug.update", 1},
                    {"internal/poll.(*FD).Write", 1},
                    {"internal/poll.init.OnceValue[go.shape.bool].func4.1", 1},
                    {"internal/runtime/exithook.Run", 1},
                    {"internal/sync.(*HashTrieMap[go.shape.interface {},go.shape.interface {}]).LoadOrStore", 1},
                    {"internal/sync.(*HashTrieMap[go.shape.interface {},go.shape.interface {}]).initSlow", 1},
                    {"internal/testlog.PanicOnExit0", 1},
                    {"os.checkClonePidfd", 1},
                    {"os.checkPidfd", 1},
                    {"os.init.OnceValue[go.shape.interface { Error() string }].func2.1", 1},
                    {"runtime.debugCallWrap2", 1},
                    {"runtime.gcAssistAlloc", 1},
                    {"runtime.gcStart", 1},
                    {"runtime.main", 1},
                    {"runtime.preprintpanics", 1},
                    {"sync.(*Once).doSlow", 1},
                    {"sync.(*Pool).pinSlow", 1},
                    {"syscall.init.OnceFunc.func3.1", 1},
                }},
               {"types-arm64-N",
                {
                    {"fmt.(*pp).handleMethods", 8},
                    {"internal/godebug.update", 2},
                    {"internal/poll.(*FD).Write", 6},
                    {"internal/runtime/exithook.Run", 1},
                    {"internal/sync.(*HashTrieMap[go.shape.interface {},go.shape.interface {}]).LoadOrStore", 4},
                    {"internal/sync.(*HashTrieMap[go.shape.interface {},go.shape.interface {}]).initSlow", 3},
                    {"internal/testlog.PanicOnExit0", 2},
                    {"os.checkClonePidfd", 6},
                    {"os.checkPidfd", 6},
                    {"runtime.debugCallWrap2", 1},
                    {"runtime.gcAssistAlloc", 1},
                    {"runtime.gcStart", 1},
                    {"runtime.main", 1},
                    {"runtime.preprintpanics", 1},
                    {"sync.(*Once).doSlow", 2},
                    {"sync.(*Pool).pinSlow", 3},
                    {"sync.OnceFunc.func1.1", 2},
                    {"sync.OnceValue[go.shape.bool].func1.1", 2},
                    {"sync.OnceValue[go.shape.interface { Error() string }].func1.1", 2},
                }},
           },
       }},
  };
  // Go 1.27.3: as 1.26.8 but for these.
  static const Release go127 = [] {
    Release r = by_release.at("go1.26.8");
    r.every = {
        {"demo-arm64-O", {1740, 69, 1342, 0, 329, 2887, 1, 24, 17}},
        {"demo-arm64-N", {2846, 80, 1974, 0, 792, 4262, 1, 50, 17}},
        {"types-arm64-O", {1757, 69, 1346, 0, 342, 2903, 1, 25, 18}},
        {"types-arm64-N", {2861, 80, 1976, 0, 805, 4274, 1, 52, 18}},
    };
    auto& o = r.main.at("types-arm64-O");
    o.at("main.bools").returns = {0x10};
    o.at("main.errs").returns = {0x54, 0x68};
    auto& dfo = r.deferreturns.at("types-arm64-O");
    for (const char* gone : {"internal/godebug.update", "internal/poll.init.OnceValue[go.shape.bool].func4.1",
                             "os.init.OnceValue[go.shape.interface { Error() string }].func2.1",
                             "syscall.init.OnceFunc.func3.1"})
      dfo.erase(gone);
    for (const char* added : {"sync.OnceFunc.func1.1", "sync.OnceValue[go.shape.bool].func1.1",
                              "sync.OnceValue[go.shape.interface { Error() string }].func1.1"})
      dfo[added] = 1;
    r.deferreturns.at("types-arm64-N").erase("internal/godebug.update");
    return r;
  }();
  if (release == "go1.27.3") return &go127;
  auto it = by_release.find(release);
  return it == by_release.end() ? nullptr : &it->second;
}

}  // namespace gotrace::tracer::arm64_golden
