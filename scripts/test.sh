#!/usr/bin/env bash
# Runs the whole test suite (as root: the eBPF and integration tests trace
# real programs with real uprobes). Installs and builds first if needed, and
# prints each stage's time at the end.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
stages=()
t0=$SECONDS
stage() {  # stage NAME: records the time since the last stage
  stages+=("$(printf '%-34s %5d s' "$1" $((SECONDS - t0)))")
  t0=$SECONDS
}
"$root/scripts/install-deps.sh"
stage "install dependencies"
"$root/scripts/build.sh"
stage "build (every Go toolchain's fixtures)"
# The whole suite (no arguments) also builds gotrace with ASan and UBSan
# (build-asan/, clang) and, there, runs every fuzz target for a bounded
# time, then the tests that exercise parsing, decoding and the servers
# again: any report of either sanitizer fails its test. Which tests those
# are is decided where they are registered (GOTRACE_SANITIZE in
# integration/CMakeLists.txt): every unit test, the eBPF integration and
# fault suites, the DAP suite on eBPF, on the primary toolchain's fixtures.
# Before the main run, so that ctest's summary stays the last line; a
# failure here still fails the run.
fuzz_rc=0
asan_rc=0
if [[ $# -eq 0 ]]; then
  "$root/scripts/build-sanitized.sh"
  stage "sanitized build (+ fuzz targets)"
  FUZZ_SECONDS=${FUZZ_SECONDS:-20} "$root/scripts/fuzz.sh" || fuzz_rc=$?
  stage "fuzz (5 targets)"
  (cd "$root/build-asan" &&
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j2) ||
    asan_rc=$?
  stage "sanitized suite"
fi
cd "$root/build"
# Two at a time, one per core: the fault and leak tests judge only what
# their own gotrace left behind (integration/leftovers.h), so they can run
# beside other tests.
log=$(mktemp)
set +e
ctest --output-on-failure -j2 "$@" 2>&1 | tee "$log"
ctest_rc=${PIPESTATUS[0]}
set -e
stage "suite (every toolchain)"
echo
echo "Time by stage:"
printf '  %s\n' "${stages[@]}"
# ctest's summary again as the closing line, after the times.
summary=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -1 || true)
rm -f "$log"
if [[ $summary =~ ([0-9]+)\ tests?\ failed\ out\ of\ ([0-9]+) ]]; then
  failed=${BASH_REMATCH[1]} total=${BASH_REMATCH[2]}
  echo "ctest: $((total - failed)) passed, $failed failed"
fi
if [[ $asan_rc -ne 0 ]]; then
  echo "the sanitized suite (build-asan) failed (exit $asan_rc): see above" >&2
  exit "$asan_rc"
fi
if [[ $fuzz_rc -ne 0 ]]; then
  echo "scripts/fuzz.sh failed (exit $fuzz_rc): see above" >&2
  exit "$fuzz_rc"
fi
exit "$ctest_rc"
