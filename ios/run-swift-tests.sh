#!/usr/bin/env bash
# Runs the iOS shell's tests (ios/Tests/LobbyKitTests) here: LobbyKit — the generated
# Swift bindings + the wrapper — compiled by SwiftPM against the host liblobby_ffi.so, and
# its XCTests run against the real library and real lobby-server subprocesses that the
# tests start themselves. The twin of android/run-jvm-tests.sh.
#
# Where Swift comes from:
# - `swift` on PATH (a Mac, or Linux with a toolchain): used as it is. (On a Mac, build
#   the XCFramework first with ./build-xcframework.sh and run `swift test` yourself; this
#   script lays out the Linux package.)
# - otherwise, as root or through sudo: a Debian 13 (trixie) root with its `swiftlang`
#   package (Swift 6.0.3), made once with debootstrap and cached in $LOBBY_SWIFT_ROOT
#   (default /var/cache/lobby-swift/trixie; about 3 GB), reused by later runs on this
#   machine and rebuilt when missing or broken. The tests run inside it (chroot) with the
#   repository bind-mounted at the same path; loopback is shared with the host.
# - otherwise it says what is missing and how to get it, and fails.
#
# The root has no CA certificates on purpose: the core's HTTP client must build without
# system roots (issue 21).
#
# Prints a closing line `N passed, N failed`; exits non-zero on any failure.
#
#   ios/run-swift-tests.sh [--filter REGEX]     (--filter is passed to `swift test`)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$SCRIPT_DIR")"
# The Swift package to build and test: this folder, or a copy of it inside the repository
# (LOBBY_IOS_DIR), so that several people can work on the tests at once.
IOS_DIR="$(cd "${LOBBY_IOS_DIR:-$SCRIPT_DIR}" && pwd)"
case "$IOS_DIR/" in
    "$REPO"/*) ;;
    *) echo "run-swift-tests: LOBBY_IOS_DIR must be inside $REPO" >&2; exit 2 ;;
esac
TARGET="${CARGO_TARGET_DIR:-$REPO/target}"
[[ "$TARGET" == /* ]] || TARGET="$REPO/$TARGET"
ROOT="${LOBBY_SWIFT_ROOT:-/var/cache/lobby-swift/trixie}"
# Bump when the root's package list changes: an older root is rebuilt.
ROOT_VERSION="swiftlang-6.0.3 v1"
ROOT_PACKAGES=(swiftlang libc6-dev libstdc++-14-dev)
# The cargo profile of the library and server: dev (debug) as the other tests, or
# release for benchmarks (LOBBY_CARGO_PROFILE=release; scripts/ffi-bench.sh).
CARGO_PROFILE="${LOBBY_CARGO_PROFILE:-dev}"
if [[ "$CARGO_PROFILE" == dev ]]; then PROFILE_DIR="$TARGET/debug"; else PROFILE_DIR="$TARGET/$CARGO_PROFILE"; fi
LINUX_FFI="$IOS_DIR/build/linux/LobbyFFI"
# SwiftPM's build folder; a separate one per concurrent run (LOBBY_SWIFT_SCRATCH).
SCRATCH="${LOBBY_SWIFT_SCRATCH:-$IOS_DIR/.build}"

summary_printed=""
mounts=()
mounts_cleanup_dirs=()
cleanup() {
    local status=$?
    local i
    rm -rf "${mounts_cleanup_dirs[@]}"
    # The mounts are shared by concurrent runs (each holds the root's lock shared): the
    # last one out, the one that can take the lock alone, takes them down.
    if [[ ${#mounts[@]} -gt 0 ]] && flock -x -n 9 2>/dev/null; then
        for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
            as_root umount -l "${mounts[$i]}" 2>/dev/null || true
        done
    fi
    if [[ -z "$summary_printed" ]]; then
        echo "run-swift-tests: stopped before the tests ran (exit $status)" >&2
        echo "0 passed, 1 failed"
    fi
}
trap cleanup EXIT

step() { echo "==> $*" >&2; }

as_root() {
    if [[ "$(id -u)" -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        return 1
    fi
}

can_be_root() { [[ "$(id -u)" -eq 0 ]] || (command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null); }

filter=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --filter) filter=(--filter "$2"); shift 2 ;;
        *) echo "run-swift-tests: unknown argument $1" >&2; exit 2 ;;
    esac
done

# 1. Where Swift runs.
mode=""
if command -v swift >/dev/null 2>&1; then
    mode=native
    step "using $(command -v swift) ($(swift --version 2>&1 | head -n 1))"
elif can_be_root; then
    mode=chroot
else
    cat >&2 <<EOF
run-swift-tests: no Swift toolchain here, and no root to prepare one.
  Either install Swift (https://www.swift.org/install/ — on Debian 13 or Ubuntu 24.04+:
  'apt-get install swiftlang') so that 'swift' is on PATH, or run this script as root
  (or with passwordless sudo): it then builds a Debian 13 root with swiftlang in
  $ROOT (debootstrap, about 3 GB, once) and runs the tests inside it.
EOF
    exit 1
fi

root_ok() {
    # /usr/bin/swift in the root is an absolute link, resolvable only inside it.
    [[ -x "$ROOT/usr/libexec/swift/bin/swift" && -f "$ROOT/.lobby-swift-root" ]] &&
        [[ "$(cat "$ROOT/.lobby-swift-root")" == "$ROOT_VERSION" ]]
}

mount_into_root() { # mount_into_root proc|bind SOURCE DIR
    local kind=$1 source=$2 dir=$3
    mounts+=("$dir")
    as_root mkdir -p "$dir"
    if mountpoint -q "$dir"; then
        return 0 # a concurrent run mounted it
    fi
    if [[ "$kind" == proc ]]; then
        as_root mount -t proc proc "$dir"
    else
        as_root mount --bind "$source" "$dir"
    fi
}

build_root() {
    local tmp="$ROOT.building"
    step "preparing a Debian 13 root with Swift in $ROOT (once; a few minutes)"
    if ! command -v debootstrap >/dev/null 2>&1; then
        as_root apt-get install -y debootstrap >&2 || { as_root apt-get update >&2 && as_root apt-get install -y debootstrap >&2; }
    fi
    # A half-built root from an interrupted run: its mounts first, then the files.
    as_root umount -l "$tmp/proc" 2>/dev/null || true
    as_root rm -rf "$tmp"
    as_root mkdir -p "$(dirname "$ROOT")"
    as_root debootstrap --variant=minbase trixie "$tmp" >&2
    as_root cp /etc/resolv.conf "$tmp/etc/resolv.conf"
    mount_into_root proc "" "$tmp/proc"
    as_root chroot "$tmp" /usr/bin/env DEBIAN_FRONTEND=noninteractive \
        sh -c "apt-get update -q && apt-get install -y -q --no-install-recommends ${ROOT_PACKAGES[*]}" >&2
    as_root chroot "$tmp" apt-get clean >&2
    as_root umount -l "$tmp/proc"
    mounts=()
    echo "$ROOT_VERSION" | as_root tee "$tmp/.lobby-swift-root" >/dev/null
    as_root umount -l "$ROOT/proc" 2>/dev/null || true
    as_root rm -rf "$ROOT"
    as_root mv "$tmp" "$ROOT"
}

if [[ "$mode" == chroot ]]; then
    # Runs share the root: shared lock while using it, exclusive while (re)building it.
    exec 9>"${TMPDIR:-/tmp}/lobby-swift-root.$(echo "$ROOT" | md5sum | cut -c1-12).lock"
    flock -s 9
    if ! root_ok; then
        flock -x 9
    fi
    if root_ok; then
        step "using the cached Swift root $ROOT"
    else
        started=$(date +%s)
        build_root
        step "Swift root ready in $(($(date +%s) - started)) s"
    fi
    flock -s 9
fi

# 2. The host library and the server (debug, as the Rust and Kotlin tests use).
cd "$REPO"
step "cargo build --profile $CARGO_PROFILE -p lobby-ffi -p lobby-server"
cargo build --profile "$CARGO_PROFILE" -p lobby-ffi -p lobby-server >&2

# 3. Swift bindings (library mode) and the Linux C module over their headers.
step "generating Swift bindings"
GENERATED=$(mktemp -d)
mounts_cleanup_dirs+=("$GENERATED")
cargo run -q -p lobby-ffi --features cli --bin uniffi-bindgen -- generate \
    --library "$PROFILE_DIR/liblobby_ffi.so" --language swift --out-dir "$GENERATED" --no-format >&2
# Files are replaced only when their content changed, so SwiftPM rebuilds only then.
install_if_changed() { # install_if_changed SOURCE DEST
    cmp -s "$1" "$2" || cp "$1" "$2"
}
mkdir -p "$LINUX_FFI" "$IOS_DIR/Sources/LobbyKit/Generated"
for f in "$GENERATED"/*.h; do install_if_changed "$f" "$LINUX_FFI/$(basename "$f")"; done
{
    echo "// Generated by run-swift-tests.sh: LobbyFFI.modulemap plus the host library to link."
    sed -e '/^\/\//d' -e 's/^}$/    link "lobby_ffi"\n}/' "$SCRIPT_DIR/LobbyFFI.modulemap"
} >"$LINUX_FFI/module.modulemap.new"
install_if_changed "$LINUX_FFI/module.modulemap.new" "$LINUX_FFI/module.modulemap"
rm -f "$LINUX_FFI/module.modulemap.new"
for f in "$GENERATED"/*.swift; do
    install_if_changed "$f" "$IOS_DIR/Sources/LobbyKit/Generated/$(basename "$f")"
done

# 4. swift test, natively or inside the root.
LOG="$IOS_DIR/build/swift-test.log"
run_env=(
    LOBBY_SERVER="$PROFILE_DIR/lobby-server"
    LOBBY_FIXTURES="$REPO/fixtures"
    LD_LIBRARY_PATH="$PROFILE_DIR"
    HOME="${HOME:-/root}"
    LANG=C.UTF-8
    LC_ALL=C.UTF-8
)
if [[ -n "${LOBBY_BENCH:-}" ]]; then run_env+=(LOBBY_BENCH="$LOBBY_BENCH"); fi
# LOBBY_SWIFT_CONFIGURATION=release compiles the Swift side optimised (benchmarks).
swift_config=()
if [[ "${LOBBY_SWIFT_CONFIGURATION:-debug}" == release ]]; then
    swift_config=(-c release -Xswiftc -enable-testing)
fi
swift_args=(
    test --package-path "$IOS_DIR" --scratch-path "$SCRATCH" "${swift_config[@]}"
    -Xlinker -L"$PROFILE_DIR" -Xlinker -rpath -Xlinker "$PROFILE_DIR"
    "${filter[@]}"
)
set +e
if [[ "$mode" == native ]]; then
    step "swift ${swift_args[*]}"
    env "${run_env[@]}" swift "${swift_args[@]}" 2>&1 | tee "$LOG"
    swift_status=${PIPESTATUS[0]}
else
    # The repository and the target directory at the same paths inside the root, so
    # every absolute path (sources, the library's rpath, the server binary) holds there.
    mount_into_root proc "" "$ROOT/proc"
    mount_into_root bind /dev "$ROOT/dev"
    mount_into_root bind "$REPO" "$ROOT$REPO"
    case "$TARGET/" in
        "$REPO"/*) ;;
        *) mount_into_root bind "$TARGET" "$ROOT$TARGET" ;;
    esac
    as_root mkdir -p "$ROOT/tmp" && as_root chmod 1777 "$ROOT/tmp"
    step "swift ${swift_args[*]} (inside $ROOT)"
    as_root chroot "$ROOT" /usr/bin/env -i PATH=/usr/bin:/bin "${run_env[@]}" \
        swift "${swift_args[@]}" 2>&1 | tee "$LOG"
    swift_status=${PIPESTATUS[0]}
fi
set -e

# XCTest ends with "Executed N tests, with [S tests skipped and] F failures …" for all
# tests; F counts failed assertions, so failed and skipped tests are counted by name.
skipped=0
if line=$(grep -E 'Executed [0-9]+ tests?, with' "$LOG" | tail -n 1); then
    run=$(sed -E 's/.*Executed ([0-9]+) tests?.*/\1/' <<<"$line")
    failed=$(grep -cE "^Test Case '.*' failed" "$LOG" || true)
    skipped=$(grep -cE "^Test Case '.*' skipped" "$LOG" || true)
else
    run=0
    failed=1
fi
if [[ $swift_status -ne 0 && $failed -eq 0 ]]; then
    failed=1
fi
passed=$((run - failed - skipped))
if [[ $passed -lt 0 ]]; then passed=0; fi
summary_printed=yes
echo "$passed passed, $failed failed, $skipped skipped"
[[ $failed -eq 0 ]]
