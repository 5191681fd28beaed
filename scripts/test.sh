#!/usr/bin/env bash
# Runs the whole test suite (as root: the eBPF and integration tests trace
# real programs with real uprobes). Installs and builds first if needed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
# The whole suite (no arguments) also runs every fuzz target for a bounded
# time, first, so that ctest's summary stays the last line; a fuzz failure
# still fails the run.
fuzz_rc=0
if [[ $# -eq 0 ]]; then
  FUZZ_SECONDS=${FUZZ_SECONDS:-20} "$root/scripts/fuzz.sh" || fuzz_rc=$?
fi
# Then the whole suite again, built with ASan and UBSan (build-asan/): any
# report of either fails its test. Also before the main run, for the summary.
# Except the leak tests (label leak): they measure RSS, which ASan's
# quarantine makes grow by design; LeakSanitizer checks every run instead.
asan_rc=0
if [[ $# -eq 0 ]]; then
  "$root/scripts/build-sanitized.sh"
  (cd "$root/build-asan" &&
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j1 -LE leak) ||
    asan_rc=$?
fi
cd "$root/build"
ctest_rc=0
ctest --output-on-failure -j1 "$@" || ctest_rc=$?
if [[ $asan_rc -ne 0 ]]; then
  echo "the sanitized suite (build-asan) failed (exit $asan_rc): see above" >&2
  exit "$asan_rc"
fi
if [[ $fuzz_rc -ne 0 ]]; then
  echo "scripts/fuzz.sh failed (exit $fuzz_rc): see above" >&2
  exit "$fuzz_rc"
fi
exit "$ctest_rc"
