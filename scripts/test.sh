#!/usr/bin/env bash
# Runs every test of Lobby: Rust (unit, end-to-end against a real server on loopback,
# CLI black-box), a CLI soak (3,000 invocations, counting abnormal exits), schemathesis
# against the OpenAPI description, and Kotlin (JVM, through the FFI against the real
# library and server).
# Installs what the Kotlin tests need (kotlinc from npm, JNA and JUnit from Debian) and
# an independent QR scanner (zxing-cpp from PyPI, scripts/qr-scanner.sh) when missing. Ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== independent QR scanner (zxing-cpp, for the tests that read what the phone shows) ($(date -u +%T))"
if ! LOBBY_QR_SCANNER=$(scripts/qr-scanner.sh); then
  echo "could not install the independent QR scanner" >&2
  exit 1
fi
export LOBBY_QR_SCANNER

echo "== Rust tests (cargo test --workspace --no-fail-fast) ($(date -u +%T))"
# --no-fail-fast: one failing test binary must not hide the results of the others.
cargo test --workspace --no-fail-fast --color never 2>&1 | tee "$log"
rust_status=${PIPESTATUS[0]}
rust_passed=$(grep -Eo '[0-9]+ passed' "$log" | awk '{s+=$1} END {print s+0}')
rust_failed=$(grep -Eo '[0-9]+ failed' "$log" | awk '{s+=$1} END {print s+0}')
if [ "$rust_status" -ne 0 ] && [ "$rust_failed" -eq 0 ]; then
  rust_failed=1 # a build failure counts as a failure
fi
echo "Rust: $rust_passed passed, $rust_failed failed"

echo "== CLI soak (3,000 lobby invocations, server up and down; abnormal exits must be 0) ($(date -u +%T))"
# The debug binaries were built by the Rust tests. 1 % of invocations once aborted at
# exit (issue 6); 3,000 runs would show such a defect with near certainty.
if scripts/cli-soak.sh 3000 --debug 2>"$log.soak"; then
  soak_passed=1; soak_failed=0
else
  soak_passed=0; soak_failed=1
  tail -n 30 "$log.soak"
fi
rm -f "$log.soak"
echo "CLI soak: $soak_passed passed, $soak_failed failed"

echo "== Schemathesis (the OpenAPI description against a dev server, --checks all; a finding fails) ($(date -u +%T))"
# The debug lobby-server was built by the Rust tests; scripts/schemathesis.sh installs
# schemathesis into a venv under the target directory when it is missing.
if scripts/schemathesis.sh --no-build >"$log.st" 2>&1; then
  st_passed=1; st_failed=0
  tail -n 3 "$log.st"
else
  st_passed=0; st_failed=1
  tail -n 60 "$log.st"
fi
rm -f "$log.st"
echo "Schemathesis: $st_passed passed, $st_failed failed"

echo "== Kotlin tests (JVM, through the FFI) ($(date -u +%T))"
android/run-jvm-tests.sh 2>&1 | tee "$log"
kotlin_status=${PIPESTATUS[0]}
kline=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
kotlin_passed=$(echo "${kline:-0 passed}" | grep -Eo '^[0-9]+')
kotlin_failed=$(echo "${kline:-0 passed, 0 failed}" | grep -Eo '[0-9]+ failed' | grep -Eo '[0-9]+')
if [ "$kotlin_status" -ne 0 ] && [ "${kotlin_failed:-0}" -eq 0 ]; then
  kotlin_failed=1
fi
echo "Kotlin: ${kotlin_passed:-0} passed, ${kotlin_failed:-0} failed"

passed=$((rust_passed + soak_passed + st_passed + ${kotlin_passed:-0}))
failed=$((rust_failed + soak_failed + st_failed + ${kotlin_failed:-0}))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
