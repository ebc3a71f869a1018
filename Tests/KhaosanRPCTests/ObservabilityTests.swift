import Foundation
import KhaosanRPC
import KhaosanDaemon
import KhaosanUnixTransport
import KhaosanTestSupport
import KhaosanWire
import Logging
import Synchronization
import Testing

/// Issue 15, item 4: Observability/Metrics and request ids, through a real server on a socket.
@Suite("Metrics and request ids over a Unix socket")
struct ObservabilityTests {
    static let whoAmI = MethodDescriptor(service: "test.v1.Test", method: "WhoAmI", idempotent: true)

    private func withRouter<T: Sendable>(_ router: RPCRouter, _ body: @Sendable (String) async throws -> T) async throws -> T {
        let dir = try Fixtures.temporaryDirectory("obs")
        let path = dir.appendingPathComponent("s.sock").path
        let server = RPCServer(configuration: RPCServerConfiguration(socketPath: path), router: router, logger: Logger(label: "test.server"))
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await server.run(); return nil }
            try await server.waitUntilListening()
            let result = try await body(path)
            server.beginShutdown()
            while let r = try await group.next() { if r == nil { break } }
            try? FileManager.default.removeItem(at: dir)
            return result
        }
    }

    /// The library's refresh runs before each render, so a scrape sees gauges as of now.
    @Test func metricsAnswerIsRenderedAfterTheRefresh() async throws {
        let scrapes = Mutex(0)
        var router = RPCRouter()
        router.addObservability(MetricsExposition(
            refresh: { scrapes.withLock { $0 += 1 } },
            render: { "# TYPE test_scrapes gauge\ntest_scrapes \(scrapes.withLock { $0 })\n" }))
        try await withRouter(router) { path in
            let client = makeClient(path)
            for n in 1...3 {
                let r: MetricsResponse = try await client.unary(KhaosanMethods.metrics, MetricsRequest())
                #expect(r.text == "# TYPE test_scrapes gauge\ntest_scrapes \(n)\n")
            }
            await client.close()
        }
    }

    @Test func metricsWithoutABackendIsFailedPrecondition() async throws {
        var router = RPCRouter()
        router.addObservability(nil)
        try await withRouter(router) { path in
            let client = makeClient(path)
            await #expect { let _: MetricsResponse = try await client.unary(KhaosanMethods.metrics, MetricsRequest()) } throws: { error in
                (error as? RPCError)?.code == .failedPrecondition
            }
            await client.close()
        }
    }

    /// The client's configured metadata goes with every call; a call's own entry wins; a call
    /// without one gets an id the server made.
    @Test func requestIDFromTheClientConfigurationOrTheServer() async throws {
        var router = RPCRouter()
        router.unary(Self.whoAmI) { (_: Blob, context) in Blob(context.requestID) }
        try await withRouter(router) { path in
            let configured = makeClient(path) { $0.metadata = [Metadata.requestIDKey: "cli-0001"] }
            let a: Blob = try await configured.unary(Self.whoAmI, Blob([]))
            let b: Blob = try await configured.unary(Self.whoAmI, Blob([]), options: CallOptions(metadata: [Metadata.requestIDKey: "own-0002"]))
            #expect(a.text == "cli-0001" && b.text == "own-0002")
            await configured.close()

            let bare = makeClient(path)
            let c: Blob = try await bare.unary(Self.whoAmI, Blob([]))
            let d: Blob = try await bare.unary(Self.whoAmI, Blob([]))
            #expect(c.text.count == 16 && c.text.allSatisfy(\.isHexDigit), "\(c.text)")
            #expect(c.text != d.text)
            await bare.close()
        }
    }

    @Test(arguments: [
        ("2f1c9a0b7d3e4f56", true),
        ("nightly-import-42", true),
        (String(repeating: "x", count: RequestID.maxLength), true),
        (String(repeating: "x", count: RequestID.maxLength + 1), false),
        ("", false),
        ("has space", false),
        ("tab\there", false),
        ("ไทย", false),
    ])
    func serverTakesOnlyUsableIDs(sent: String, kept: Bool) {
        let id = RequestID.accept(sent)
        if kept {
            #expect(id == sent)
        } else {
            #expect(id != sent)
            #expect(id.count == 16 && id.allSatisfy(\.isHexDigit), "\(id)")
        }
    }
}

/// The node_exporter textfile: written whole (temp file, rename), and a failure says where.
@Suite("Metrics textfile")
struct MetricsTextfileTests {
    @Test func writesTheRefreshedTextAndLeavesNoTempFile() async throws {
        let dir = try Fixtures.temporaryDirectory("textfile")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("khaosan.prom").path
        let scrapes = Mutex(0)
        let file = MetricsTextfile(path: path, interval: .seconds(60), exposition: MetricsExposition(
            refresh: { scrapes.withLock { $0 += 1 } },
            render: { "test_scrapes \(scrapes.withLock { $0 })\n" }), logger: Logger(label: "test"))
        try await file.write()
        try await file.write()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "test_scrapes 2\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["khaosan.prom"])
    }

    @Test func aMissingDirectoryIsAnErrorNamingThePath() async throws {
        let file = MetricsTextfile(path: "/nonexistent-khaosan-dir/khaosan.prom", interval: .seconds(60),
                                   exposition: MetricsExposition(render: { "x 1\n" }), logger: Logger(label: "test"))
        await #expect { try await file.write() } throws: { error in "\(error)".contains("nonexistent-khaosan-dir") }
    }
}
