#!/usr/bin/env bash
# Whole-process overhead benchmark (issue 2 targets). Runs the loop fixture
# (N calls of main.work, which calls main.helper) natively, under bare
# bpftrace uprobes, and under gotrace, in one run, and prints per-call costs.
# The program times its own loop, so start-up and attach are excluded.
#
#   tests/bench/overhead.sh [N] [BUILD_DIR]     (root; default N=1000000)
set -euo pipefail
n=${1:-1000000}
build=${2:-"$(cd "$(dirname "$0")/../.." && pwd)/build"}
bin="$build/fixtures/primary/loop-O"
gotrace="$build/gotrace"
runs=${RUNS:-3}

per_call() { sed -n 's/.*ns_per_call \([0-9.]*\).*/\1/p'; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
measure() {
  for _ in $(seq "$runs"); do "$@"; done | median
}

native=$(measure bash -c "'$bin' $n | sed -n 's/.*ns_per_call \([0-9.]*\).*/\1/p'")
bt1=$(measure bash -c "bpftrace -e 'uprobe:$bin:main.work {}' -c '$bin $n' 2>/dev/null | sed -n 's/.*ns_per_call \([0-9.]*\).*/\1/p'")
bt2=$(measure bash -c "bpftrace -e 'uprobe:$bin:main.work {} uprobe:$bin:main.helper {}' -c '$bin $n' 2>/dev/null | sed -n 's/.*ns_per_call \([0-9.]*\).*/\1/p'")
gt_entry=$(measure bash -c "'$gotrace' trace --no-return --exec '$bin' 'main\\.work\$' -- $n 2>/tmp/gotrace-bench-entry.err | sed -n 's/.*ns_per_call \([0-9.]*\).*/\1/p'")
gt_full=$(measure bash -c "'$gotrace' trace --exec '$bin' 'main\\.work\$' -- $n 2>/tmp/gotrace-bench-full.err | sed -n 's/.*ns_per_call \([0-9.]*\).*/\1/p'")
# A condition no call satisfies: every hit is dropped in the kernel after the
# words are copied, no event (issue 7: no dearer than a bare probe).
gt_cond=$(measure bash -c "'$gotrace' trace --no-return --cond 'a < 0' --exec '$bin' 'main\\.work\$' -- $n 2>/tmp/gotrace-bench-cond.err | sed -n 's/.*ns_per_call \([0-9.]*\).*/\1/p'")
lines_cond=$(grep -c "^>" /tmp/gotrace-bench-cond.err || true)

lost_entry=$(grep -c "were lost" /tmp/gotrace-bench-entry.err || true)
lost_full=$(grep -c "were lost" /tmp/gotrace-bench-full.err || true)
lines_full=$(grep -c "^>" /tmp/gotrace-bench-full.err || true)

awk -v n="$n" -v nat="$native" -v b1="$bt1" -v b2="$bt2" -v ge="$gt_entry" -v gf="$gt_full" \
    -v le="$lost_entry" -v lf="$lost_full" -v lines="$lines_full" -v gc="$gt_cond" -v lc="$lines_cond" 'BEGIN {
  o1 = b1 - nat; o2 = b2 - nat; oe = ge - nat; of = gf - nat; oc = gc - nat;
  printf "calls per run                         %d (median of runs)\n", n
  printf "native                                %8.1f ns/call\n", nat
  printf "bpftrace, 1 bare uprobe               %8.1f ns/call overhead\n", o1
  printf "bpftrace, 2 bare uprobes              %8.1f ns/call overhead\n", o2
  printf "gotrace entry only                    %8.1f ns/call overhead  = %.2fx one bare probe (target <= 0.3x)\n", oe, oe / o1
  printf "gotrace entry+return, args+results    %8.1f ns/call overhead  = %.2fx two bare probes (target <= 0.7x)\n", of, of / o2
  printf "gotrace entry, --cond filters all     %8.1f ns/call overhead  = %.2fx one bare probe (target <= 1x), %d lines\n", oc, oc / o1, lc
  printf "gotrace lines printed (last run)      %d (expected %d), runs reporting lost events: %d / %d\n", lines, 2 * n, le, lf
}'
