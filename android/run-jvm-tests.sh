#!/usr/bin/env bash
# Runs the Android shell's tests on the JVM, here, without Gradle (Maven is unreachable):
# the generated Kotlin bindings + the wrapper (src/main/kotlin, minus the Android-only
# AndroidKeystoreSecretStore.kt) + the JUnit 4 tests (src/test/kotlin), against the real
# host liblobby_ffi.so and real lobby-server subprocesses the tests start themselves.
# Also checks the iOS C headers (ios/check-header.sh).
#
# Installs what is missing: kotlinc (npm, into <repo>/.tools/kotlin), JNA and JUnit 4
# (Debian packages). Prints a closing line `N passed, N failed`; exits non-zero on any
# failure.
set -euo pipefail

ANDROID_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$ANDROID_DIR")"
# Cargo's target directory: CARGO_TARGET_DIR when set (relative to the repository, as
# cargo takes it from here), else <repo>/target.
TARGET="${CARGO_TARGET_DIR:-$REPO/target}"
[[ "$TARGET" == /* ]] || TARGET="$REPO/$TARGET"
BUILD="$ANDROID_DIR/build"
KOTLIN_HOME="$REPO/.tools/kotlin/node_modules/kotlin-compiler"
KOTLINC="$KOTLIN_HOME/bin/kotlinc"
JAVA_LIBS=/usr/share/java

summary_printed=""
on_exit() {
    local status=$?
    if [[ -z "$summary_printed" ]]; then
        echo "run-jvm-tests: stopped before the tests ran (exit $status)" >&2
        echo "0 passed, 1 failed"
    fi
}
trap on_exit EXIT

step() { echo "==> $*" >&2; }

as_root() {
    if [[ "$(id -u)" -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "run-jvm-tests: need root (or sudo) to run: $*" >&2
        return 1
    fi
}

# 1. Tools.
if [[ ! -x "$KOTLINC" ]]; then
    step "installing kotlin-compiler 2.4.20 into $REPO/.tools/kotlin"
    npm install --prefix "$REPO/.tools/kotlin" kotlin-compiler@2.4.20 >&2
fi
if [[ ! -f "$JAVA_LIBS/jna.jar" || ! -f "$JAVA_LIBS/junit4.jar" ]]; then
    step "installing libjna-java and junit4"
    if ! as_root apt-get install -y libjna-java junit4 >&2; then
        as_root apt-get update >&2
        as_root apt-get install -y libjna-java junit4 >&2
    fi
fi

# 2. The host library and the server.
# The cargo profile: dev (debug) as the other tests, or release for benchmarks
# (LOBBY_CARGO_PROFILE=release; scripts/ffi-bench.sh).
CARGO_PROFILE="${LOBBY_CARGO_PROFILE:-dev}"
if [[ "$CARGO_PROFILE" == dev ]]; then PROFILE_DIR="$TARGET/debug"; else PROFILE_DIR="$TARGET/$CARGO_PROFILE"; fi
cd "$REPO"
step "cargo build --profile $CARGO_PROFILE -p lobby-ffi -p lobby-server"
cargo build --profile "$CARGO_PROFILE" -p lobby-ffi -p lobby-server >&2

# 3. Kotlin bindings, library mode (never committed).
step "generating Kotlin bindings"
rm -rf "$BUILD/generated/uniffi"
cargo run -q -p lobby-ffi --features cli --bin uniffi-bindgen -- generate \
    --library "$PROFILE_DIR/liblobby_ffi.so" --language kotlin \
    --out-dir "$BUILD/generated/uniffi" --no-format >&2

# 4. The iOS side: Swift bindings generated, C headers checked.
step "checking the iOS C headers"
"$REPO/ios/check-header.sh" >&2

# 5. One kotlinc call for everything (it is slow to start).
CP="$JAVA_LIBS/jna.jar:$KOTLIN_HOME/lib/kotlinx-coroutines-core-jvm.jar:$JAVA_LIBS/junit4.jar:$JAVA_LIBS/hamcrest.jar"
mapfile -t SOURCES < <(
    find "$BUILD/generated/uniffi" "$ANDROID_DIR/src/main/kotlin" "$ANDROID_DIR/src/test/kotlin" \
        -name '*.kt' ! -name 'AndroidKeystoreSecretStore.kt' | sort
)
step "compiling ${#SOURCES[@]} Kotlin files"
rm -f "$BUILD/jvm-tests.jar"
"$KOTLINC" -nowarn -jvm-target 17 -cp "$CP" -d "$BUILD/jvm-tests.jar" "${SOURCES[@]}" >&2

# 6. Run every *Test class.
mapfile -t CLASSES < <(
    cd "$ANDROID_DIR/src/test/kotlin" && find . -name '*Test.kt' | sed -e 's|^\./||' -e 's|\.kt$||' -e 's|/|.|g' | sort
)
# LOBBY_JVM_TEST_CLASSES (space-separated, e.g. "th.co.lobby.ParcelListBenchTest") runs
# only those.
if [[ -n "${LOBBY_JVM_TEST_CLASSES:-}" ]]; then
    read -r -a CLASSES <<<"$LOBBY_JVM_TEST_CLASSES"
fi
step "running ${CLASSES[*]}"
LOG="$BUILD/junit.log"
set +e
java -cp "$BUILD/jvm-tests.jar:$CP:$KOTLIN_HOME/lib/kotlin-stdlib.jar" \
    -Djna.library.path="$PROFILE_DIR" \
    -Dlobby.server="$PROFILE_DIR/lobby-server" \
    -Dlobby.bench="${LOBBY_BENCH:-}" \
    -Dlobby.fixtures="$REPO/fixtures" \
    -Dfile.encoding=UTF-8 \
    org.junit.runner.JUnitCore "${CLASSES[@]}" 2>&1 | tee "$LOG"
junit_status=${PIPESTATUS[0]}
set -e

# JUnitCore ends with "OK (N tests)" or "Tests run: N,  Failures: F".
if ok=$(grep -Eo '^OK \([0-9]+ tests?\)' "$LOG" | grep -Eo '[0-9]+'); then
    run=$ok
    failed=0
elif line=$(grep -E '^Tests run: [0-9]+, +Failures: [0-9]+' "$LOG"); then
    run=$(sed -E 's/^Tests run: ([0-9]+).*/\1/' <<<"$line")
    failed=$(sed -E 's/.*Failures: ([0-9]+).*/\1/' <<<"$line")
else
    run=0
    failed=1
fi
if [[ $junit_status -ne 0 && $failed -eq 0 ]]; then
    failed=1
fi
passed=$((run - failed))
if [[ $passed -lt 0 ]]; then passed=0; fi
summary_printed=yes
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
