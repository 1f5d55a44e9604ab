#!/usr/bin/env bash
# Generates the Swift bindings from the host library (uniffi library mode) into
# ios/build/generated and checks that the C headers parse, alone and together as the
# one `LobbyFFI` module (ios/module.modulemap) includes them. This is all of the iOS side
# that can be checked on a machine without a Swift toolchain.
set -euo pipefail

IOS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$IOS_DIR")"
# Cargo's target directory: CARGO_TARGET_DIR when set, else <repo>/target.
TARGET="${CARGO_TARGET_DIR:-$REPO/target}"
[[ "$TARGET" == /* ]] || TARGET="$REPO/$TARGET"
OUT="$IOS_DIR/build/generated"

cd "$REPO"
if [[ ! -f "$TARGET/debug/liblobby_ffi.so" ]]; then
    cargo build -p lobby-ffi
fi
rm -rf "$OUT"
cargo run -q -p lobby-ffi --features cli --bin uniffi-bindgen -- generate \
    --library "$TARGET/debug/liblobby_ffi.so" --language swift --out-dir "$OUT" --no-format

headers=("$OUT"/*.h)
if [[ ${#headers[@]} -ne 3 ]]; then
    echo "check-header: expected 3 headers (lobby_model, lobby_core, lobby_ffi), found: ${headers[*]}" >&2
    exit 1
fi
# Each header alone (included, as a header is), warnings as errors …
for h in "${headers[@]}"; do
    printf '#include "%s"\n' "$h" | gcc -fsyntax-only -Wall -Werror -x c -D_Nullable= -D_Nonnull= -
done
# … and all in one translation unit, as the module map puts them.
printf '#include "%s"\n' "${headers[@]}" | gcc -fsyntax-only -Wall -Werror -x c -D_Nullable= -D_Nonnull= -
echo "check-header: ${#headers[@]} headers OK ($(basename -a "${headers[@]}" | tr '\n' ' '))"
