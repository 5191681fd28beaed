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
