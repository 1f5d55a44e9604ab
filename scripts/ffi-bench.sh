#!/usr/bin/env bash
# Opening the core on a phone with 1,000 parcels and listing them into Swift values and
# into Kotlin objects, in one run on this machine, against the release library and
# server (docs/benchmarks.md, "Listing 1,000 parcels in Swift and Kotlin"). Each side
# seeds its own phone through a real server, then reopens it 21 times (the first round
# is a warm-up) and prints `bench <language> open_ms … list_1000_ms …`.
#
#   scripts/ffi-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export LOBBY_BENCH=1 LOBBY_CARGO_PROFILE=release
log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== Swift (release library, optimised Swift)" >&2
LOBBY_SWIFT_CONFIGURATION=release LOBBY_SWIFT_SCRATCH="$PWD/ios/.build-bench" \
    ios/run-swift-tests.sh --filter ParcelListBenchTests >"$log" 2>&1 || { tail -n 40 "$log"; exit 1; }
swift_line=$(grep -Eo 'bench swift.*' "$log") || { tail -n 40 "$log"; echo "no Swift figures" >&2; exit 1; }

echo "== Kotlin (release library, JVM)" >&2
LOBBY_JVM_TEST_CLASSES=th.co.lobby.ParcelListBenchTest \
    android/run-jvm-tests.sh >"$log" 2>&1 || { tail -n 40 "$log"; exit 1; }
# JUnit prints a progress dot before the test's own output.
kotlin_line=$(grep -Eo 'bench kotlin.*' "$log") || { tail -n 40 "$log"; echo "no Kotlin figures" >&2; exit 1; }

echo "$swift_line"
echo "$kotlin_line"
echo "machine: $(nproc) cores, $(uname -m), load average $(cut -d' ' -f1-3 /proc/loadavg)"
