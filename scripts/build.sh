#!/usr/bin/env bash
# Configures and builds gotrace into build/ (build/gotrace) with the tests and
# their Go fixtures.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cmake -S "$root" -B "$root/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$root/build" -j2
