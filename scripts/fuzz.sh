#!/usr/bin/env bash
# Runs every fuzz target (tests/fuzz) under libFuzzer with ASan and UBSan for
# a bounded time each (FUZZ_SECONDS, default 30), starting from its seed
# corpus and its regressions. They are built with the sanitized tree
# (build-asan/, scripts/build-sanitized.sh, which this runs first).
# A crash fails the script; libFuzzer leaves the input as crash-* in the
# working directory: copy it to tests/fuzz/regressions/<target>/ with the fix.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds=${FUZZ_SECONDS:-30}
build="$root/build-asan"
"$root/scripts/build-sanitized.sh"
targets=(dap rpc values pclntab elf)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for t in "${targets[@]}"; do
  mkdir -p "$work/$t"
  cp "$root/tests/fuzz/corpus/$t/"* "$work/$t/"
  echo "fuzz $t: ${seconds}s"
  (cd "$work" && "$build/tests/fuzz/${t}_fuzz" -max_total_time="$seconds" -max_len=65536 -print_final_stats=1 \
    "$work/$t" "$root/tests/fuzz/regressions/$t" 2>&1 | grep -E "^(INFO: Seed|#[0-9]+ *DONE|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY)" || true)
  found=$(find "$work" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \))
  if [[ -n "$found" ]]; then
    mkdir -p "$root/fuzz-findings/$t"
    cp $found "$root/fuzz-findings/$t/"
    echo "fuzz $t: found a failing input, kept in fuzz-findings/$t/" >&2
    exit 1
  fi
done
