#include "runtime_layout.h"

#include "gotrace/support/go_release.h"
#include "text_util.h"

#include <cctype>
#include <iterator>
#include <optional>

namespace gotrace::symbols::detail {
namespace {

// g starts (runtime2.go) stack{lo,hi}, stackguard0, stackguard1, _panic,
// _defer, m, sched gobuf, syscallsp, syscallpc, [syscallbp,] stktopsp,
// param, atomicstatus and stackLock (two uint32s), goid. Every field before
// goid is pointer-sized or that uint32 pair, so amd64 and arm64 share the
// layout; stack.hi is the second word everywhere.
struct Row {
  int first_minor, last_minor;
  uint64_t goid;
};
constexpr Row kRows[] = {
    // gobuf{sp, pc, g, ctxt, ret, lr, bp}. Checked against the DWARF of the
    // go1.19 fixtures (amd64 and arm64): 152.
    {17, 22, 152},
    // + g.syscallbp (golang/go#66889).
    {23, 24, 160},
    // gobuf loses ret (petermattis/goid#61). Checked against the DWARF of
    // the go1.26.8 and go1.27.3 fixtures (amd64 and arm64): 152.
    {25, 27, 152},
};
constexpr uint64_t kStackHi = 8;
constexpr int kFirst = kRows[0].first_minor;
constexpr int kLast = kRows[std::size(kRows) - 1].last_minor;

}  // namespace

GLayout g_layout_for(std::string_view go_version, Machine) {
  std::string range = cat("go1.", std::to_string(kFirst), " to go1.", std::to_string(kLast));
  auto minor = go_minor(go_version);
  GLayout out;
  out.stack_hi = kStackHi;
  int use = minor.value_or(kLast);
  if (!minor) {
    out.warning = go_version.empty()
                      ? cat("the Go version is unknown (no .go.buildinfo); using the go1.", std::to_string(kLast),
                            " layout of runtime.g; goroutine ids may be wrong")
                      : cat("Go version \"", go_version, "\" is not in gotrace's runtime table (", range,
                            "); goroutine ids may be wrong");
  } else if (*minor < kFirst) {
    use = kFirst;
    out.warning = cat("Go ", go_version, " is older than gotrace's runtime table (", range,
                      "); goroutine ids may be wrong");
  } else if (*minor > kLast) {
    use = kLast;
    out.warning = cat("Go ", go_version, " is newer than gotrace's runtime table (", range,
                      "); goroutine ids may be wrong");
  }
  for (const Row& r : kRows)
    if (use >= r.first_minor && use <= r.last_minor) out.goid = r.goid;
  return out;
}

}  // namespace gotrace::symbols::detail
