import Foundation
@testable import KhaosanIngest
import KhaosanDaemon
import KhaosanInProcessTransport
import KhaosanModel
@testable import KhaosanQuery
import KhaosanRPC
import KhaosanTestSupport
import KhaosanWire
import Logging
import NIOPosix

enum HandlerFixtures {
    /// Calls get 5 minutes: the whole test process was seen to stand still for 30 s under load,
    /// as long as the default deadline.
    static let patientCalls: RPCCallPolicy = {
        var p = RPCCallPolicy()
        p.defaultTimeout = .seconds(300)
        return p
    }()

    static let logger: Logger = {
        var l = Logger(label: "handler-tests")
        l.logLevel = .warning
        return l
    }()

    /// The first `n` corpus files that are releases (the corpus also holds placeholder pages the
    /// parser refuses), as the CLI sends them.
    static func rawFiles(_ n: Int) -> [RawRelease] {
        let all = Fixtures.corpusFiles().lazy.map { url in
            RawRelease.thaigovFile(fileName: url.lastPathComponent, bytes: Array(try! Data(contentsOf: url)))
        }
        return Array(all.filter { (try? ReleaseParser.parse($0)) != nil }.prefix(n))
    }

    static func releases(_ n: Int) throws -> [Release] {
        try rawFiles(n).map { try ReleaseParser.parse($0) }
    }
}

/// khaosan-queryd's handlers on a real SQLite store in a temp directory, served in process.
final class QueryUnderTest: Sendable {
    let directory: URL
    let store: ReleaseStore
    let pool: NIOThreadPool
    let server: InProcessServer
    let client: RPCClient

    /// `peer`: who calls (by default this process, which may do anything); `readerUIDs` may
    /// search, as the daemon's peer policy lets them.
    init(peer: PeerCredentials = .currentProcess, readerUIDs: Set<UInt32> = [],
         exportMessageBytes: Int = QueryHandlers.defaultExportMessageBytes,
         maxExports: Int = QueryHandlers.maxConcurrentExports) throws {
        directory = try Fixtures.temporaryDirectory("handlers-query")
        store = try ReleaseStore(path: directory.appendingPathComponent("query.db").path, logger: HandlerFixtures.logger)
        pool = NIOThreadPool(numberOfThreads: 2)
        pool.start()
        var router = RPCRouter()
        QueryHandlers(store: store, pool: pool, ingestUIDs: [], logger: HandlerFixtures.logger,
                      exportMessageBytes: exportMessageBytes, exportSlots: ExportSlots(limit: maxExports)).register(into: &router)
        router.addHealth(HealthStatus(services: [KhaosanMethods.queryService]))
        server = InProcessServer(router: router, peer: peer, peerPolicy: PeerPolicy(defaultUIDs: readerUIDs), logger: HandlerFixtures.logger)
        client = server.makeClient(policy: HandlerFixtures.patientCalls)
    }

    func close() async throws {
        server.beginShutdown()
        try await server.run()
        try await pool.shutdownGracefully()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Runs `body` with a fresh query service, closed afterwards whatever happens.
    static func with<T: Sendable>(peer: PeerCredentials = .currentProcess, readerUIDs: Set<UInt32> = [],
                                  exportMessageBytes: Int = QueryHandlers.defaultExportMessageBytes,
                                  maxExports: Int = QueryHandlers.maxConcurrentExports,
                                  _ body: (QueryUnderTest) async throws -> T) async throws -> T {
        let q = try QueryUnderTest(peer: peer, readerUIDs: readerUIDs, exportMessageBytes: exportMessageBytes, maxExports: maxExports)
        do {
            let result = try await body(q)
            try await q.close()
            return result
        } catch {
            try? await q.close()
            throw error
        }
    }
}

/// khaosan-ingestd's IngestCore (journal, catalog, forwarder) on a temp state directory, its
/// handlers served in process, its forwarder talking to a `QueryUnderTest` in process.
final class IngestUnderTest: Sendable {
    let directory: URL
    let core: IngestCore
    let server: InProcessServer
    let client: RPCClient

    init(query: QueryUnderTest, directory: URL? = nil) throws {
        self.directory = try directory ?? Fixtures.temporaryDirectory("handlers-ingest")
        var config = IngestServiceConfiguration(socketPath: "/nonexistent/ingest.sock", querySocketPath: "/nonexistent/query.sock",
                                                stateDirectory: self.directory.appendingPathComponent("state").path)
        config.journalSegmentBytes = 1 << 20
        core = try IngestCore(configuration: config, logger: HandlerFixtures.logger, queryClient: query.client)
        var router = RPCRouter()
        router.addHealth(core.health)
        core.registerHandlers(into: &router)
        server = InProcessServer(router: router, logger: HandlerFixtures.logger)
        client = server.makeClient(policy: HandlerFixtures.patientCalls)
    }

    /// Runs `body` with the forwarder running, as IngestDaemon.run does; then stops as it does.
    func withForwarder<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await self.core.forwarder.run() }
            do {
                let result = try await body()
                group.cancelAll()
                try await group.waitForAll()
                return result
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }

    func close(removing: Bool = true) async throws {
        server.beginShutdown()
        try await server.run()
        await core.stop()
        core.close()
        if removing { try? FileManager.default.removeItem(at: directory) }
    }
}
