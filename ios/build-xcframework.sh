#!/usr/bin/env bash
# Builds ios/build/LobbyFFI.xcframework (liblobby_ffi.a for iOS devices, the iOS
# simulator and macOS, with the C headers of both uniffi components under one module
# map) and copies the generated Swift bindings into Sources/LobbyKit/Generated.
# Needs macOS with Xcode and rustup. Not run on the Linux development machine (no Xcode):
# see README.md.
#
#   PROFILE=release-small ./build-xcframework.sh    (default profile: release-small)
set -euo pipefail

IOS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$IOS_DIR")"
PROFILE="${PROFILE:-release-small}"
BUILD="$IOS_DIR/build"
LIB=liblobby_ffi.a

DEVICE=aarch64-apple-ios
SIMULATORS=(aarch64-apple-ios-sim x86_64-apple-ios)
MACOS=(aarch64-apple-darwin x86_64-apple-darwin)

cd "$REPO"
rustup target add "$DEVICE" "${SIMULATORS[@]}" "${MACOS[@]}"
for target in "$DEVICE" "${SIMULATORS[@]}" "${MACOS[@]}"; do
    cargo build -p lobby-ffi --lib --profile "$PROFILE" --target "$target"
done

# Swift bindings, generated in library mode from a host debug build (unstripped, so the
# uniffi metadata symbols are there).
cargo build -p lobby-ffi --lib
rm -rf "$BUILD/generated" "$BUILD/headers" "$BUILD/fat" "$BUILD/LobbyFFI.xcframework"
cargo run -q -p lobby-ffi --features cli --bin uniffi-bindgen -- generate \
    --library target/debug/liblobby_ffi.dylib --language swift \
    --out-dir "$BUILD/generated" --no-format

mkdir -p "$BUILD/headers" "$IOS_DIR/Sources/LobbyKit/Generated"
cp "$BUILD/generated/"*.h "$BUILD/headers/"
cp "$IOS_DIR/LobbyFFI.modulemap" "$BUILD/headers/module.modulemap"
rm -f "$IOS_DIR/Sources/LobbyKit/Generated/"*.swift
cp "$BUILD/generated/"*.swift "$IOS_DIR/Sources/LobbyKit/Generated/"

# One library per platform: the simulator and macOS slices are fat (arm64 + x86_64).
mkdir -p "$BUILD/fat/ios-simulator" "$BUILD/fat/macos"
lipo -create $(for t in "${SIMULATORS[@]}"; do echo "target/$t/$PROFILE/$LIB"; done) \
    -output "$BUILD/fat/ios-simulator/$LIB"
lipo -create $(for t in "${MACOS[@]}"; do echo "target/$t/$PROFILE/$LIB"; done) \
    -output "$BUILD/fat/macos/$LIB"

xcodebuild -create-xcframework \
    -library "target/$DEVICE/$PROFILE/$LIB" -headers "$BUILD/headers" \
    -library "$BUILD/fat/ios-simulator/$LIB" -headers "$BUILD/headers" \
    -library "$BUILD/fat/macos/$LIB" -headers "$BUILD/headers" \
    -output "$BUILD/LobbyFFI.xcframework"

echo "built $BUILD/LobbyFFI.xcframework; now: cd ios && swift build && swift test"
