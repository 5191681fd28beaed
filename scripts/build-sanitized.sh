#!/usr/bin/env bash
# Configures and builds the whole tree with ASan and UBSan into build-asan/
# (GOTRACE_SANITIZE), for scripts/test.sh to run the suite there too, on the
# primary Go toolchain's fixtures only (tests/go_toolchains.cmake).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cmake -S "$root" -B "$root/build-asan" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DGOTRACE_SANITIZE=ON -DGOTRACE_BENCH=OFF -DGOTRACE_GO_PRIMARY_ONLY=ON >/dev/null
cmake --build "$root/build-asan" -j2
