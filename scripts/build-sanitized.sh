#!/usr/bin/env bash
# Configures and builds gotrace with ASan and UBSan into build-asan/, with
# clang, on the primary Go toolchain's fixtures only (tests/go_toolchains.cmake):
# scripts/test.sh runs the tests that exercise parsing, decoding and the
# servers there (GOTRACE_SANITIZE in integration/CMakeLists.txt), and
# scripts/fuzz.sh runs the libFuzzer targets built in the same tree
# (GOTRACE_FUZZ: every library carries libFuzzer's coverage hooks), so the
# code is compiled once for both. -O1 and line tables only: what
# sanitizer reports need, at half the compile time of -O2 -g.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build-asan"
# A tree configured with another compiler (gcc, before) cannot be reused.
if [[ -f $build/CMakeCache.txt ]] && ! grep -q '^CMAKE_CXX_COMPILER:.*clang++' "$build/CMakeCache.txt"; then
  rm -rf "$build"
fi
flags="-O1 -gline-tables-only -DNDEBUG"
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_FLAGS_RELWITHDEBINFO="$flags" -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$flags" \
  -DGOTRACE_SANITIZE=ON -DGOTRACE_FUZZ=ON -DGOTRACE_BENCH=OFF -DGOTRACE_GO_PRIMARY_ONLY=ON >/dev/null
cmake --build "$build" -j2
