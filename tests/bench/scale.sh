#!/bin/bash
# Scale, start-up and memory on a large Go program (issue 8, targets 2, 4, 5).
#
#   sudo tests/bench/scale.sh [BUILD_DIR] [BINARY REGEX FUNCTION]
#
# Without BINARY, builds cmd/go from the Go toolchain's own sources (about
# 15 MB with DWARF) and traces the regex ^cmd/go/internal/ (1,800+ functions
# and their inlined copies) through `go version`. Prints Markdown rows:
#   - `gotrace trace --stats`: functions planned, probe sites armed and the
#     time to arm and to remove them (median of RUNS, default 3);
#   - tests/bench/startup_memory.py: start-up to the first tracepoint armed
#     and peak RSS of `gotrace exec --headless` against `dlv exec --headless`.
# The smoke test in ctest runs it on a small fixture with RUNS=1, so the
# script keeps working; it asserts no time.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
gotrace=$build/gotrace
runs=${RUNS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [[ $# -ge 4 ]]; then
  binary=$2 regex=$3 function=$4
  args=()
else
  binary=$work/go
  go build -o "$binary" cmd/go
  regex='^cmd/go/internal/'
  function=main.main
  args=(version)
fi

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "| \`gotrace trace --stats --exec $(basename "$binary") '$regex'\` (median of $runs) | value |"
echo "| --- | ---: |"
for ((i = 0; i < runs; i++)); do
  "$gotrace" trace --stats --exec "$binary" "$regex" -- "${args[@]}" 2>&1 >/dev/null | grep '^gotrace: stats:' |
    tail -1
done >"$work/stats"
if [[ $(wc -l <"$work/stats") -ne $runs ]]; then
  echo "gotrace trace --stats printed no stats line" >&2
  exit 1
fi
field() { sed -E "s/.*$1.*/\\1/" "$work/stats" | median; }
echo "| functions matched | $(field 'stats: ([0-9]+) functions') |"
echo "| inlined copies of them | $(field 'and ([0-9]+) inlined copies') |"
echo "| probe sites | $(field '; ([0-9]+) probe sites') |"
echo "| planning, symbols included | $(field 'planned in ([0-9.]+) ms') ms |"
echo "| eBPF program loaded | $(field 'loaded in ([0-9.]+) ms') ms |"
echo "| every probe armed (attach) | $(field 'armed in ([0-9.]+) ms') ms |"
echo "| every probe removed (detach) | $(field 'removed in ([0-9.]+) ms') ms |"
echo
python3 "$here/startup_memory.py" "$gotrace" "$binary" "$function" "$runs" -- "${args[@]}"
