#!/usr/bin/env bash
# Builds the real programs the RealPrograms tests trace, from the Go module
# proxy: tests/real_programs/<name> is a module whose go.mod names the
# program as its tool and pins every module it needs (go.sum checks them).
# Each is built by each toolchain given, as `go build` makes it (with DWARF)
# and stripped (-ldflags='-s -w', as release binaries are), into a cache
# outside the repository:
#
#   OUT/<release>/<name>  OUT/<release>/<name>-stripped
#
# A build is kept while its module (go.mod, go.sum) and the toolchain's
# release are unchanged, so only the first run on a machine pays for it.
#
#   build-real-programs.sh OUT RELEASE=GO_BINARY...
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out=${1:?usage: build-real-programs.sh OUT RELEASE=GO_BINARY...}
shift
for spec in "$@"; do
  release=${spec%%=*}
  go=${spec#*=}
  for dir in "$root"/tests/real_programs/*/; do
    name=$(basename "$dir")
    pkg=$(awk '$1 == "tool" { print $2 }' "$dir/go.mod")
    key="$release $(cat "$dir/go.mod" "$dir/go.sum" | sha256sum | cut -c1-16)"
    dest="$out/$release/$name"
    if [[ -x $dest && -x $dest-stripped && -f $dest.key && $(cat "$dest.key") == "$key" ]]; then
      continue
    fi
    mkdir -p "$out/$release"
    echo "real program $name: building with $release"
    start=$SECONDS
    # GOTOOLCHAIN=local: the go.mod's `go` line must not switch toolchains
    # behind the release asked for. GOFLAGS=-mod=readonly: go.sum decides.
    (cd "$dir" &&
      GOTOOLCHAIN=local GOFLAGS=-mod=readonly "$go" build -o "$dest.tmp" "$pkg" &&
      GOTOOLCHAIN=local GOFLAGS=-mod=readonly "$go" build -ldflags='-s -w' -o "$dest-stripped.tmp" "$pkg")
    mv "$dest.tmp" "$dest"
    mv "$dest-stripped.tmp" "$dest-stripped"
    echo "$key" >"$dest.key"
    echo "real program $name: built with $release in $((SECONDS - start)) s"
  done
done
