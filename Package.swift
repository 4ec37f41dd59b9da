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
    ],
    dependencies: [
        // `traits: []` drops Hummingbird's ConfigurationSupport trait, which links full Foundation and ICU.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "4.1.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        // HTTPS (--tls): swift-nio-ssl, and a local CA and server certificate generated at start with swift-certificates.
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        // Outbound fetches (client metadata documents, jwks_uri) use SwiftNIO's client bootstrap and HTTP/1.1 codec.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
    ],
    targets: [
        .target(
            name: "MockIdP",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // RS256 through the system's OpenSSL, loaded at run time: a backend the mock-idp binary injects into the library
        // (MockIdPConfiguration.rs256Backend). Internal: no product, so no embedder links it.
        .target(
            name: "MockIdPOpenSSL",
            dependencies: [
                .target(name: "MockIdP"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "mock-idp",
            dependencies: [
                .target(name: "MockIdP"),
                .target(name: "MockIdPOpenSSL"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            // A plain build links a standard (position-independent) executable. The tuned release binary, with a small
            // idle resident set, comes from Tests/Release/release-binary.sh: its toolset carries the linker flags.
            swiftSettings: swiftSettings
        ),
        // libFuzzer harness over the parsers (Tests/fuzz.sh builds it with -sanitize=fuzzer and -DFUZZING);
        // a plain build replays inputs through the same entry points. It reads MockIdP's internals through `package`
        // access, and is no product: nothing of it ships.
        .executableTarget(
            name: "mock-idp-fuzz",
            dependencies: [
                .target(name: "MockIdP"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "MockIdPTests",
            dependencies: [
                .target(name: "MockIdP"),
                .target(name: "MockIdPOpenSSL"),
                // The corpus regression test replays the seeds through the fuzz targets.
                .target(name: "mock-idp-fuzz"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)

// Tooling, not product: the benchmark tool (Tests/Benchmarks/run.sh sets MOCK_IDP_BENCHMARKS=1) measures the release
// binaries from the outside and never links MockIdP. Without the variable the package declares neither it nor its product.
if Context.environment["MOCK_IDP_BENCHMARKS"] == "1" {
    package.products.append(.executable(name: "mock-idp-bench", targets: ["mock-idp-bench"]))
    package.targets.append(
        .executableTarget(
            name: "mock-idp-bench",
            dependencies: [.product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Tests/Benchmarks/Sources/mock-idp-bench",
            swiftSettings: swiftSettings
        )
    )
}
