// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "sluice",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "sluice", targets: ["sluice"]),
        .executable(name: "sluice-supervisor", targets: ["sluice-supervisor"]),
        .executable(name: "sluice-bench", targets: ["sluice-bench"]),
        .library(name: "SluiceModel", targets: ["SluiceModel"]),
        .library(name: "SluiceGit", targets: ["SluiceGit"]),
        .library(name: "SluiceReconciler", targets: ["SluiceReconciler"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.21.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.4.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CGit2",
            pkgConfig: "libgit2",
            providers: [.apt(["libgit2-dev"])]
        ),
        .target(
            name: "SluiceModel",
            dependencies: [
                "Yams",
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "SluiceGit",
            dependencies: ["CGit2"]
        ),
        .target(
            name: "SluiceStore",
            dependencies: [.product(name: "GRDB", package: "GRDB.swift")]
        ),
        .target(name: "CSluiceSystem"),
        // Foundation-free, so that `sluice-supervisor` starts in about the time of a fork/exec.
        .target(name: "SluiceProcess", dependencies: ["CSluiceSystem"]),
        .executableTarget(
            name: "sluice-supervisor",
            dependencies: ["SluiceProcess"],
            // Linked statically, runtime and libc alike: a dynamically linked supervisor spends most of its start loading and
            // relocating shared libraries, once per attempt; a static one starts as fast as a small C program.
            linkerSettings: [.unsafeFlags(["-static-executable"])]
        ),
        .target(name: "SluiceExecution", dependencies: [
            "SluiceProcess", "CSluiceSystem",
            .product(name: "Logging", package: "swift-log"),
            // Ray's Jobs API. Not FoundationNetworking: its URLSession crashed at exit when requests had run on two threads.
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        .target(name: "SluiceOptimizer"),
        .target(
            name: "SluiceReconciler",
            dependencies: [
                "SluiceModel",
                "SluiceGit",
                "SluiceStore",
                "SluiceExecution",
                "SluiceProcess",
                "SluiceOptimizer",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                // Health probes of services.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .target(
            name: "SluiceServer",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("Resources")]
        ),
        // Commit statuses on forges and notification webhooks. It depends on no other Sluice module, so that whatever
        // decides what to tell hands it plain values and it can be tested alone.
        .target(
            name: "SluiceFeedback",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "sluice",
            dependencies: [
                "SluiceModel",
                "SluiceGit",
                "SluiceReconciler",
                "SluiceStore",
                "SluiceExecution",
                "SluiceServer",
                "SluiceFeedback",
                // Built with `sluice`, which starts it next to itself for every attempt.
                "sluice-supervisor",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            plugins: ["BuildInfoPlugin"]
        ),
        // Records the git commit of the sources for `sluice --version`.
        .plugin(name: "BuildInfoPlugin", capability: .buildTool()),
        .executableTarget(
            name: "sluice-bench",
            dependencies: [
                "SluiceOptimizer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The fuzz target: with `-D SLUICE_LIBFUZZER -sanitize=fuzzer` (scripts/fuzz.sh) a libFuzzer binary, otherwise a
        // replayer of the seed corpus in Fuzz/corpus, which the tests run.
        // Linked with the toolchain's lld: gold fails on the libFuzzer build (an internal error in its DWARF reader).
        .executableTarget(name: "sluice-fuzz", dependencies: ["SluiceModel", "SluiceGit", "SluiceReconciler"],
                          linkerSettings: [.unsafeFlags(["-use-ld=lld"])]),
        .testTarget(name: "SluiceOptimizerTests", dependencies: ["SluiceOptimizer", "sluice-bench"], exclude: ["Fixtures"]),
        .testTarget(name: "SluiceModelTests", dependencies: ["SluiceModel"]),
        .testTarget(name: "SluiceGitTests", dependencies: ["SluiceGit"]),
        .testTarget(
            name: "SluiceServerTests",
            dependencies: [
                "SluiceServer",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .testTarget(
            name: "SluiceFeedbackTests",
            dependencies: [
                "SluiceFeedback",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "SluiceStoreTests", dependencies: ["SluiceStore", .product(name: "GRDB", package: "GRDB.swift")]),
        // `swift build --build-tests` builds `sluice-supervisor`, which these tests run; as a dependency, its static
        // runtime would be linked into the test bundle too.
        .testTarget(name: "SluiceExecutionTests", dependencies: ["SluiceExecution", "SluiceProcess"]),
        // Depends on `sluice` so that the binary the reconciler supervises attempts with is built.
        .testTarget(name: "SluiceReconcilerTests", dependencies: ["SluiceReconciler", "SluiceModel", "SluiceGit", "SluiceStore", "sluice", "Yams"]),
        .testTarget(name: "SluiceCLITests", dependencies: ["sluice", "sluice-fuzz", "SluiceGit", "SluiceExecution",
                                                           .product(name: "Crypto", package: "swift-crypto")]),
    ]
)
