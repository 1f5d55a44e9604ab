// swift-tools-version:5.9
// LobbyKit: the iOS shell over lobby-core.
//
// The Swift code (the idiomatic wrapper in Sources/LobbyKit and the generated bindings
// copied into Sources/LobbyKit/Generated) is the same everywhere; only the C part differs:
// - on Apple platforms, `LobbyFFI` is the XCFramework that ./build-xcframework.sh builds
//   (liblobby_ffi.a per platform with the generated C headers under one module map);
// - on Linux, `LobbyFFI` is a system-library target over the generated headers
//   (build/linux/LobbyFFI, laid out by ./run-swift-tests.sh) linking the host's
//   liblobby_ffi.so, which run-swift-tests.sh passes with -L and an rpath.
// See README.md for both.
import PackageDescription

#if os(Linux)
let ffi: Target = .systemLibrary(name: "LobbyFFI", path: "build/linux/LobbyFFI")
let platformLinks: [LinkerSetting] = []
#else
let ffi: Target = .binaryTarget(name: "LobbyFFI", path: "build/LobbyFFI.xcframework")
// The Rust library's TLS verifier and network stack use these system frameworks.
let platformLinks: [LinkerSetting] = [
    .linkedFramework("Security"),
    .linkedFramework("SystemConfiguration"),
    .linkedFramework("CoreFoundation"),
]
#endif

let package = Package(
    name: "LobbyKit",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [
        .library(name: "LobbyKit", targets: ["LobbyKit"]),
    ],
    targets: [
        ffi,
        // Generated bindings (Generated/, not committed) + the idiomatic wrapper.
        .target(
            name: "LobbyKit",
            dependencies: ["LobbyFFI"],
            path: "Sources/LobbyKit",
            linkerSettings: platformLinks
        ),
        .testTarget(name: "LobbyKitTests", dependencies: ["LobbyKit"], path: "Tests/LobbyKitTests"),
    ]
)
