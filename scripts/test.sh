#!/usr/bin/env bash
# Runs the whole test suite (as root: the eBPF and integration tests trace
# real programs with real uprobes). Installs and builds first if needed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
cd "$root/build"
ctest --output-on-failure -j1 "$@"
