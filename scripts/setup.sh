#!/usr/bin/env bash
# One command on a fresh Debian 12 machine (as root): install the
# dependencies, build, and trace the demo program.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
echo
echo "== Demo: gotrace trace --exec build/fixtures/primary/demo-O 'main\\.(square|describe)\$'"
"$root/build/gotrace" trace --exec "$root/build/fixtures/primary/demo-O" 'main\.(square|describe)$'
