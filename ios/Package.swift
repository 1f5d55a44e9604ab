// swift-tools-version:5.9
// LobbyKit: the iOS shell over lobby-core. Build the binary part first with
// ./build-xcframework.sh (it also copies the generated Swift bindings into
// Sources/LobbyKit/Generated). Not compiled on the development machine: see README.md.
import PackageDescription

let package = Package(
    name: "LobbyKit",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [
        .library(name: "LobbyKit", targets: ["LobbyKit"]),
    ],
    targets: [
        // liblobby_ffi.a per platform, with the C headers of both uniffi components
        // (lobby_model, lobby_core, lobby_ffi) under one module map: `LobbyFFI`.
        .binaryTarget(name: "LobbyFFI", path: "build/LobbyFFI.xcframework"),
        // Generated bindings (Generated/, not committed) + the idiomatic wrapper.
        .target(
            name: "LobbyKit",
            dependencies: ["LobbyFFI"],
            path: "Sources/LobbyKit",
            // The Rust library's TLS verifier and network stack use these system frameworks.
            linkerSettings: [
                .linkedFramework("Security"),
                .linkedFramework("SystemConfiguration"),
                .linkedFramework("CoreFoundation"),
            ]
        ),
        .testTarget(name: "LobbyKitTests", dependencies: ["LobbyKit"], path: "Tests/LobbyKitTests"),
    ]
)
