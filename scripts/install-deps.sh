#!/usr/bin/env bash
# Installs everything gotrace needs to build and test, from Debian 12's
# packages (listed in scripts/deps.txt). Idempotent; needs root.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
missing=()
while read -r pkg; do
  [ -z "$pkg" ] && continue
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done < "$here/deps.txt"
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Node.js drives the DAP integration tests; the machine image ships it, but
# install Debian's when it is absent.
command -v node >/dev/null || apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
# The DAP integration tests' node_modules (integration/dap/package-lock.json).
npm ci --prefix "$here/../integration/dap" --no-audit --no-fund
# Current Delve (the benchmarks' anchor), built from the Go module proxy by
# the machine's Go into /usr/local/bin: Debian's 1.20.2 (/usr/bin/dlv, kept
# for the transcript and `dlv connect` parity tests captured from it on
# go1.19 builds) cannot read binaries from Go 1.26 on.
dlv_version=v1.27.2
if ! /usr/local/bin/dlv version 2>/dev/null | grep -q "Version: ${dlv_version#v}"; then
  echo "Installing Delve ${dlv_version} into /usr/local/bin"
  GOBIN=/usr/local/bin GOTOOLCHAIN=local go install "github.com/go-delve/delve/cmd/dlv@${dlv_version}"
fi
# Delve's own `dlv trace` tests run against gotrace (scripts/delve-trace-tests.sh):
# its module source and what its tests import, from the module proxy.
delve_src=$(GOTOOLCHAIN=local go env GOMODCACHE)/github.com/go-delve/delve@${dlv_version}
(cd "$delve_src" && GOTOOLCHAIN=local GOFLAGS=-mod=mod go mod download)
