// swift-tools-version:6.1
import PackageDescription

// One settings array for every Swift target, as grpc-swift-2 does: Swift 6 language mode,
// explicit `any`, and imports internal unless a module says otherwise.
let settings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let nioCore = Target.Dependency.product(name: "NIOCore", package: "swift-nio")
let nioPosix = Target.Dependency.product(name: "NIOPosix", package: "swift-nio")
let logging = Target.Dependency.product(name: "Logging", package: "swift-log")
let metrics = Target.Dependency.product(name: "Metrics", package: "swift-metrics")
let lifecycle = Target.Dependency.product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let unixSignals = Target.Dependency.product(name: "UnixSignals", package: "swift-service-lifecycle")
let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")
let grdb = Target.Dependency.product(name: "GRDB", package: "GRDB.swift")
let heap = Target.Dependency.product(name: "HeapModule", package: "swift-collections")
let deque = Target.Dependency.product(name: "DequeModule", package: "swift-collections")
// Only the daemon executables' command module depends on it: the executables bootstrap
// swift-metrics with it, and the libraries record through swift-metrics alone.
let prometheus = Target.Dependency.product(name: "Prometheus", package: "swift-prometheus")
// khaosan-web's HTTP server (KhaosanWeb only): HTTP/1.1 parsing, routing and a ServiceLifecycle
// Service over SwiftNIO, which the build already has.
let hummingbird = Target.Dependency.product(name: "Hummingbird", package: "hummingbird")
// Hummingbird's request and response types (header names), already in its build.
let httpTypes = Target.Dependency.product(name: "HTTPTypes", package: "swift-http-types")
// The PostgreSQL store (issue 19, KhaosanPostgres only): the wire protocol, SCRAM, TLS, a pool
// and LISTEN over SwiftNIO, which the build already has.
let postgresNIO = Target.Dependency.product(name: "PostgresNIO", package: "postgres-nio")

let package = Package(
    name: "khaosan",
    products: [
        .executable(name: "khaosan", targets: ["khaosan"]),
        .executable(name: "khaosan-queryd", targets: ["khaosan-queryd"]),
        .executable(name: "khaosan-ingestd", targets: ["khaosan-ingestd"]),
        .executable(name: "khaosan-web", targets: ["khaosan-web"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
        // No traits: its swift-configuration reader and full-Foundation form coding are unused,
        // and the first would add a package to every build.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // Domain model: releases, calendar, normalisation, the thaigov parser. No I/O beyond files.
        .target(name: "KhaosanModel", swiftSettings: settings),
        // Thai text analysis: clusters, dictionary segmenter, search tokens. Pure Swift.
        .target(
            name: "KhaosanThai",
            resources: [.copy("Resources/lexicon")],
            swiftSettings: settings
        ),
        // Debian's libprotobuf-c, and the protoc-c output for Protos/ (committed, see scripts/gen-protos.sh).
        .systemLibrary(
            name: "CProtobufC",
            pkgConfig: "libprotobuf-c",
            providers: [.apt(["libprotobuf-c-dev"])]
        ),
        .target(name: "CKhaosanProto", dependencies: ["CProtobufC"]),
        // UTF-8 validation 16 bytes at a time (SSSE3): checking every string protobuf-c unpacks
        // was 60 % of a release's decode with the standard library's byte-at-a-time validator.
        .target(name: "CKhaosanUTF8"),
        // The RPC core, as grpc-swift-2's GRPCCore: frames, metadata, status, method descriptors,
        // the router, flow control, the client's call semantics, and the message-codec protocol
        // (`RPCMessage`). No NIO, no codec: transports and messages plug into it.
        .target(name: "KhaosanRPC", dependencies: [logging, metrics, deque], swiftSettings: settings),
        // The bridge: the only Swift module that touches C. Its messages are `RPCMessage`s, and
        // the method table sits next to them (as generated gRPC code depends on GRPCCore).
        .target(
            name: "KhaosanWire",
            dependencies: ["KhaosanModel", "KhaosanRPC", "CKhaosanProto", "CProtobufC", "CKhaosanUTF8"],
            swiftSettings: settings
        ),
        // Debian's libzstd, and the Swift bridge to it: dictionary-compressed stored bodies.
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .target(name: "KhaosanCompression", dependencies: ["CZstd"], swiftSettings: settings),
        // The search index: segments of character-bigram postings with positions, a hot tier of
        // exact document sets, BM25, facets. Pure Swift; knows nothing of releases or SQLite.
        .target(name: "KhaosanIndex", dependencies: [logging, heap], swiftSettings: settings),
        // The RPC core's transport over Unix domain sockets (SwiftNIO): server and client
        // connections, peer credentials, socket files, deadlines on the event loop, drain.
        .target(
            name: "KhaosanUnixTransport",
            dependencies: ["KhaosanRPC", nioCore, nioPosix, logging, lifecycle, heap],
            swiftSettings: settings
        ),
        // The RPC core's transport within one process (no socket), for handler tests.
        .target(name: "KhaosanInProcessTransport", dependencies: ["KhaosanRPC", logging], swiftSettings: settings),
        // What both daemons share around their service: paths and config file, the health
        // service, logging and signal handling, giving freed heap back.
        .target(
            name: "KhaosanDaemon",
            dependencies: ["KhaosanRPC", "KhaosanWire", logging, lifecycle, unixSignals],
            swiftSettings: settings
        ),
        // khaosan-queryd as a library: store, index, search.
        .target(
            name: "KhaosanQuery",
            dependencies: ["KhaosanModel", "KhaosanThai", "KhaosanIndex", "KhaosanCompression", "KhaosanWire", "KhaosanRPC", "KhaosanUnixTransport", "KhaosanDaemon", grdb, logging, metrics, lifecycle, nioPosix],
            swiftSettings: settings
        ),
        // The PostgreSQL archive (issue 19): KhaosanQuery's ArchiveStore on a shared PostgreSQL,
        // and the follower that feeds a node's local SQLite store and index from its change
        // feed. KhaosanQuery knows nothing of it: the daemon executable joins the two.
        .target(
            name: "KhaosanPostgres",
            dependencies: ["KhaosanQuery", "KhaosanModel", "KhaosanRPC", "KhaosanWire", postgresNIO, logging, lifecycle],
            swiftSettings: settings
        ),
        // khaosan-ingestd as a library: intake, journal, forwarder.
        .target(
            name: "KhaosanIngest",
            dependencies: ["KhaosanModel", "KhaosanWire", "KhaosanRPC", "KhaosanUnixTransport", "KhaosanDaemon", logging, metrics, lifecycle],
            swiftSettings: settings
        ),
        // The client side: typed calls and the CLI commands.
        .target(
            name: "KhaosanClient",
            dependencies: ["KhaosanModel", "KhaosanThai", "KhaosanWire", "KhaosanRPC", "KhaosanUnixTransport", "KhaosanDaemon", argumentParser, logging],
            swiftSettings: settings
        ),
        .executableTarget(name: "khaosan", dependencies: ["KhaosanClient"], swiftSettings: settings),
        .target(
            name: "KhaosanWeb",
            dependencies: ["KhaosanModel", "KhaosanWire", "KhaosanRPC", "KhaosanUnixTransport", "KhaosanClient", hummingbird, httpTypes, logging, lifecycle],
            swiftSettings: settings
        ),
        .executableTarget(name: "khaosan-web", dependencies: ["KhaosanWeb", "KhaosanDaemon", argumentParser, logging], swiftSettings: settings),
        // What the daemon executables' commands share (options, the Prometheus bootstrap); only
        // executables link it.
        .target(name: "KhaosanDaemonCommand", dependencies: ["KhaosanDaemon", "KhaosanRPC", argumentParser, logging, metrics, prometheus], swiftSettings: settings),
        .executableTarget(name: "khaosan-queryd", dependencies: ["KhaosanQuery", "KhaosanPostgres", "KhaosanDaemon", "KhaosanDaemonCommand", argumentParser, logging], swiftSettings: settings),
        .executableTarget(name: "khaosan-ingestd", dependencies: ["KhaosanIngest", "KhaosanDaemon", "KhaosanDaemonCommand", argumentParser, logging], swiftSettings: settings),
        .executableTarget(
            name: "KhaosanBench",
            dependencies: ["KhaosanModel", "KhaosanWire", "KhaosanRPC", "KhaosanUnixTransport", "KhaosanQuery", "KhaosanIndex", "KhaosanIngest", nioCore, nioPosix, logging],
            path: "Benchmarks/KhaosanBench",
            swiftSettings: settings
        ),
        // The Thai segmenter benchmark (Benchmarks/thai-bench/run.sh compares it with ICU and newmm).
        .executableTarget(name: "ThaiBench", dependencies: ["KhaosanThai"], path: "Benchmarks/thai-bench/ThaiBench", swiftSettings: settings),
        // The channel fuzzer: the server's connection pipeline on a testing channel. Built with
        // libFuzzer only by Fuzz/run-channel-fuzz.sh (-DKHAOSAN_FUZZ); a plain build replays
        // inputs given as files and writes the seeds.
        .executableTarget(
            name: "KhaosanChannelFuzz",
            dependencies: ["KhaosanRPC", "KhaosanUnixTransport", "KhaosanDaemon", "KhaosanWire", nioCore, .product(name: "NIOEmbedded", package: "swift-nio"), logging],
            path: "Fuzz/channel",
            exclude: ["seeds"],
            swiftSettings: settings
        ),
        .target(
            name: "KhaosanTestSupport",
            resources: [.copy("Fixtures")],
            swiftSettings: settings
        ),
        .testTarget(name: "KhaosanModelTests", dependencies: ["KhaosanModel", "KhaosanTestSupport"], swiftSettings: settings),
        .testTarget(name: "KhaosanThaiTests", dependencies: ["KhaosanThai", "KhaosanTestSupport"], swiftSettings: settings),
        .testTarget(name: "KhaosanWireTests", dependencies: ["KhaosanWire", "KhaosanModel", "KhaosanTestSupport"], swiftSettings: settings),
        .testTarget(name: "KhaosanCompressionTests", dependencies: ["KhaosanCompression", "KhaosanTestSupport"], swiftSettings: settings),
        .testTarget(name: "KhaosanIndexTests", dependencies: ["KhaosanIndex", "KhaosanTestSupport", logging], swiftSettings: settings),
        .testTarget(name: "KhaosanRPCTests", dependencies: ["KhaosanRPC", "KhaosanUnixTransport", "KhaosanInProcessTransport", "KhaosanDaemon", "KhaosanWire", "KhaosanTestSupport", nioCore, nioPosix, .product(name: "NIOEmbedded", package: "swift-nio"), logging, lifecycle], swiftSettings: settings),
        .testTarget(name: "KhaosanQueryTests", dependencies: ["KhaosanQuery", "KhaosanIndex", "KhaosanModel", "KhaosanThai", "KhaosanRPC", "KhaosanTestSupport", grdb, nioPosix, logging], exclude: ["Fixtures"], swiftSettings: settings),
        .testTarget(name: "KhaosanIngestTests", dependencies: ["KhaosanIngest", "KhaosanModel", "KhaosanRPC", "KhaosanWire", "KhaosanTestSupport", logging], swiftSettings: settings),
        // The ingest and query handlers and the forwarder over the in-process transport, with
        // real journal and SQLite files: the services without their processes.
        .testTarget(
            name: "KhaosanHandlerTests",
            dependencies: ["KhaosanIngest", "KhaosanQuery", "KhaosanRPC", "KhaosanInProcessTransport", "KhaosanDaemon", "KhaosanWire", "KhaosanModel", "KhaosanTestSupport", nioPosix, logging],
            swiftSettings: settings
        ),
        .testTarget(name: "KhaosanEndToEndTests", dependencies: ["KhaosanModel", "KhaosanTestSupport", "khaosan", "khaosan-queryd", "khaosan-ingestd"], swiftSettings: settings),
        .testTarget(name: "KhaosanWebTests", dependencies: ["KhaosanWeb", "KhaosanModel", "KhaosanWire"], swiftSettings: settings),
        // The PostgreSQL archive and the follower against a real PostgreSQL (PostgresServer:
        // initdb + pg_ctl in a temp dir, Unix socket only).
        .testTarget(
            name: "KhaosanPostgresTests",
            dependencies: ["KhaosanPostgres", "KhaosanQuery", "KhaosanModel", "KhaosanRPC", "KhaosanWire", "KhaosanInProcessTransport", "KhaosanTestSupport", postgresNIO, nioPosix, logging],
            swiftSettings: settings
        ),
        .testTarget(name: "KhaosanClientTests", dependencies: ["KhaosanClient", "KhaosanModel", "KhaosanWire", "KhaosanTestSupport"], swiftSettings: settings),
    ]
)
