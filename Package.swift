// swift-tools-version:6.2
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "MockIdP",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "MockIdP", targets: ["MockIdP"]),
        .executable(name: "mock-idp", targets: ["mock-idp"]),
        .executable(name: "mock-idp-bench", targets: ["mock-idp-bench"]),
        .executable(name: "mock-idp-fuzz", targets: ["mock-idp-fuzz"]),
    ],
    dependencies: [
        // `traits: []` drops Hummingbird's ConfigurationSupport trait, which links full Foundation and ICU.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "4.1.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        .target(
            name: "MockIdP",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "mock-idp",
            dependencies: [
                .target(name: "MockIdP"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            exclude: ["link-order.txt"],
            swiftSettings: swiftSettings,
            // Release builds on Linux, all to keep the idle resident set small:
            // - export no symbols (the static Swift runtime's link arguments export all of them) and link a
            //   position-dependent executable, so start-up applies no relocations: 3 to 4 MiB. ASLR of the executable's
            //   own code is the price, acceptable for a loopback test tool;
            // - link with lld, laying out first the functions that start-up and serving run (link-order.txt, from
            //   Tests/link-order.sh), so they share few pages: about 6 MiB when every function has its own section
            //   (`--toolset Tests/release-toolset.json`, as the scripts build), less without.
            linkerSettings: [
                .unsafeFlags(
                    [
                        "-Xlinker", "--no-export-dynamic", "-Xclang-linker", "-no-pie", "-use-ld=lld",
                        "-Xlinker", "--symbol-ordering-file=\(Context.packageDirectory)/Sources/mock-idp/link-order.txt",
                        "-Xlinker", "--no-warn-symbol-ordering",
                    ],
                    .when(platforms: [.linux], configuration: .release)
                )
            ]
        ),
        // Measures the release binaries from the outside (Tests/Benchmarks/run.sh); it never links MockIdP.
        .executableTarget(
            name: "mock-idp-bench",
            dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings
        ),
        // libFuzzer harness over the parsers (Tests/fuzz.sh builds it with -sanitize=fuzzer and -DFUZZING);
        // a plain build replays inputs through the same entry points.
        .executableTarget(
            name: "mock-idp-fuzz",
            dependencies: [.target(name: "MockIdP")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MockIdPTests",
            dependencies: [
                .target(name: "MockIdP"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
