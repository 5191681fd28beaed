#!/bin/sh
# Delve 1.27.2's own `dlv trace` tests (cmd/dlv/dlv_test.go, TestTrace*)
# run with gotrace in Delve's place: a copy of Delve's module source whose
# test helper GetDlvBinary returns $DELVE_TEST_DLV_BINARY instead of
# building dlv; nothing else of Delve's tests changes.
# usage: delve-trace-tests.sh GOTRACE WORKDIR
set -eu
gotrace=$1
work=$2
src=$(GOTOOLCHAIN=local go env GOMODCACHE)/github.com/go-delve/delve@v1.27.2
[ -d "$src" ] || { echo "Delve's source is not in the module cache ($src): run scripts/install-deps.sh" >&2; exit 1; }
rm -rf "$work"
mkdir -p "$work"
cp -r "$src" "$work/delve"
chmod -R u+w "$work/delve"
support="$work/delve/pkg/proc/test/support.go"
awk '{ print } /^func getDlvBinInternal\(t \*testing.T, goflags \.\.\.string\) string \{$/ {
  print "\tif p := os.Getenv(\"DELVE_TEST_DLV_BINARY\"); p != \"\" {"
  print "\t\treturn p"
  print "\t}"
}' "$support" > "$support.new"
mv "$support.new" "$support"
grep -q DELVE_TEST_DLV_BINARY "$support" || { echo "could not patch $support" >&2; exit 1; }
cd "$work/delve"
# CI=true would make Delve skip its eBPF cases.
env -u CI DELVE_TEST_DLV_BINARY="$gotrace" GOTOOLCHAIN=local GOFLAGS=-mod=mod GOPROXY=off \
  go test ./cmd/dlv -run '^TestTrace' -count=1 -v > "$work/log" 2>&1 || status=$?
cat "$work/log"
[ "${status:-0}" -eq 0 ] || exit "${status}"
# Every case ran: none skipped, and the count is Delve's.
if grep -q -- '--- SKIP' "$work/log"; then echo "a case was skipped" >&2; exit 1; fi
passed=$(grep -c -- '^--- PASS: TestTrace' "$work/log" || true)
[ "$passed" -eq 23 ] || { echo "expected Delve's 23 TestTrace cases to pass, $passed did" >&2; exit 1; }
