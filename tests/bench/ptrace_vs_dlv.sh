#!/usr/bin/env bash
# Whole-process benchmark of the ptrace backend against Delve's own ptrace
# tracer (issue 5 target: a traced call at least 20x cheaper than under
# `dlv trace`). Runs the loop fixture (N calls of main.work, timed by the
# program itself, so start-up and attach are excluded) untraced, under
# `dlv trace`, under `gotrace trace --backend=ptrace` and, for reference,
# `--backend=ebpf`, in one run, then `dlv trace --ebpf` against gotrace's
# eBPF backend on the -N -l build; each traced run traces main.work's entry
# and return. Cost per traced call = traced ns/call - untraced ns/call, i.e.
# (traced - untraced) / N. Delve takes milliseconds per call, so it gets a
# smaller N than gotrace. Exits non-zero if a tracer did not print exactly
# one entry and one return line per call.
#
#   tests/bench/ptrace_vs_dlv.sh [N_DLV] [N_GOTRACE] [BUILD_DIR]   (root; defaults 2000 20000)
set -euo pipefail
n_dlv=${1:-2000}
n_gt=${2:-20000}
build=${3:-"$(cd "$(dirname "$0")/../.." && pwd)/build"}
bin="$build/fixtures/primary/loop-O"
gotrace="$build/gotrace"
dlv=${DLV:-$(command -v dlv)}
runs=${RUNS:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

per_call() { sed -n 's/.*ns_per_call \([0-9.]*\).*/\1/p'; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# measure NAME CMD...: the median ns/call of $runs runs; the trace (stderr)
# of the last run is left in $tmp/NAME.err.
measure() {
  local name=$1
  shift
  for _ in $(seq "$runs"); do "$@" 2>"$tmp/$name.err" | per_call; done | median
}
# check NAME N: the last run of NAME printed N entry and N return lines.
bad=0
check() {
  local entries returns
  entries=$(grep -c '^> goroutine(1): main.work(' "$tmp/$1.err" || true)
  returns=$(grep -c '^>> goroutine(1): ' "$tmp/$1.err" || true)
  if [ "$entries" != "$2" ] || [ "$returns" != "$2" ]; then
    echo "$1: $entries entry and $returns return lines for $2 calls:" >&2
    head -5 "$tmp/$1.err" >&2
    bad=1
  fi
}

native=$(measure native "$bin" "$n_gt")
dlv_t=$(measure dlv "$dlv" trace --exec "$bin" 'main\.work$' -- "$n_dlv")
check dlv "$n_dlv"
ptrace_t=$(measure ptrace "$gotrace" trace --backend=ptrace --exec "$bin" 'main\.work$' -- "$n_gt")
check ptrace "$n_gt"
ebpf_t=$(measure ebpf "$gotrace" trace --backend=ebpf --exec "$bin" 'main\.work$' -- "$n_gt")
check ebpf "$n_gt"

# Delve's own eBPF tracer (`dlv trace --ebpf`) as an anchor, on the -N -l
# build: on loop-O it sets no tracepoint ("empty OP stack": it cannot place
# an optimized build's argument locations). Said, not failed, when it does
# not load; its lines are counted, not required (it may drop events).
bin_n="$build/fixtures/primary/loop-N"
native_n=$(measure native_n "$bin_n" "$n_gt")
dlv_ebpf_t=$(measure dlv_ebpf "$dlv" trace --ebpf --exec "$bin_n" 'main\.work$' -- "$n_gt")
dlv_ebpf_lines=$(grep -c '^>' "$tmp/dlv_ebpf.err" || true)
ebpf_n_t=$(measure ebpf_n "$gotrace" trace --backend=ebpf --exec "$bin_n" 'main\.work$' -- "$n_gt")
check ebpf_n "$n_gt"

awk -v nd="$n_dlv" -v ng="$n_gt" -v runs="$runs" -v nat="$native" -v d="$dlv_t" -v p="$ptrace_t" \
    -v e="$ebpf_t" 'BEGIN {
  od = d - nat; op = p - nat; oe = e - nat;
  printf "main.work traced at entry and return; median of %d runs\n", runs
  printf "%-26s %8s %14s\n", "", "calls", "ns per call"
  printf "%-26s %8d %14.1f (total)\n", "untraced", ng, nat
  printf "%-26s %8d %14.1f (overhead)\n", "dlv trace", nd, od
  printf "%-26s %8d %14.1f (overhead) %7.1fx cheaper than dlv (target >= 20x)\n", "gotrace --backend=ptrace", ng, op, od / op
  printf "%-26s %8d %14.1f (overhead) %7.1fx cheaper than dlv\n", "gotrace --backend=ebpf", ng, oe, od / oe
}'
echo "loop-N (-N -l), for Delve's eBPF tracer:"
if [ -z "$dlv_ebpf_t" ]; then
  echo "  dlv trace --ebpf did not run: $(head -1 "$tmp/dlv_ebpf.err")"
else
  awk -v ng="$n_gt" -v nat="$native_n" -v de="$dlv_ebpf_t" -v e="$ebpf_n_t" -v lines="$dlv_ebpf_lines" 'BEGIN {
    ode = de - nat; oe = e - nat;
    printf "%-26s %8d %14.1f (total)\n", "untraced", ng, nat
    printf "%-26s %8d %14.1f (overhead) %d of %d lines printed\n", "dlv trace --ebpf", ng, ode, lines, 2 * ng
    printf "%-26s %8d %14.1f (overhead) %7.2fx the cost of dlv --ebpf\n", "gotrace --backend=ebpf", ng, oe, oe / ode
  }'
fi
exit "$bad"
