import Foundation
package import KhaosanDaemon
import KhaosanIndex
import KhaosanModel
import KhaosanRPC
import KhaosanUnixTransport
import KhaosanWire
package import Logging
import Metrics
import NIOPosix
import ServiceLifecycle

/// khaosan-queryd: the store and search engine behind a Unix-socket RPC server.
package final class QueryDaemon: Service, Sendable {
    package let configuration: QueryServiceConfiguration
    package let store: ReleaseStore
    package let feeds: AtomFeeds
    private let server: RPCServer
    private let health: HealthStatus
    private let pool: NIOThreadPool
    private let logger: Logger
    /// Issue 19: feeds the local store from the shared archive (nil when the SQLite file is it).
    package let follower: ArchiveFollower?

    package init(configuration: QueryServiceConfiguration, logger: Logger) throws {
        try WireLibrary.checkMinimumVersion()
        logger.info("starting", metadata: [
            "khaosan.version": "\(KhaosanVersion.current)",
            "protobuf_c.version": "\(WireLibrary.protobufCVersion)",
            "db.path": "\(configuration.databasePath)",
        ])
        self.configuration = configuration
        self.logger = logger
        let dbDir = (configuration.databasePath as NSString).deletingLastPathComponent
        if !dbDir.isEmpty {
            try FileManager.default.createDirectory(atPath: dbDir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        }
        self.store = try ReleaseStore(path: configuration.databasePath, logger: logger,
                                      indexFlushDocuments: configuration.indexFlushDocuments)
        feeds = AtomFeeds(directory: configuration.feedsDirectory, store: store, ownUID: PeerCredentials.currentUID, logger: logger)
        try feeds.start()
        let health = HealthStatus(services: [KhaosanMethods.queryService])
        self.health = health
        let pool = NIOThreadPool(numberOfThreads: configuration.databaseThreads)
        pool.start()
        self.pool = pool
        var rpc = RPCServerConfiguration(socketPath: configuration.socketPath)
        rpc.maxMessageBytes = configuration.maxMessageBytes
        rpc.peerPolicy = PeerPolicy(
            defaultUIDs: configuration.readerUIDs.union(configuration.ingestUIDs),
            perService: [:]
        )
        var handlers = QueryHandlers(store: store, pool: pool, ingestUIDs: configuration.ingestUIDs, logger: logger)
        let follower = configuration.archive.map { [store] in ArchiveFollower(archive: $0.store, store: store, pool: pool, logger: logger) }
        self.follower = follower
        handlers.archive = configuration.archive
        handlers.follower = follower
        var router = RPCRouter()
        handlers.register(into: &router)
        router.addHealth(health)
        router.addObservability(Self.exposition(configuration, store: store, pool: pool))
        self.server = RPCServer(configuration: rpc, router: router, logger: logger)
    }

    package func waitUntilListening() async throws { try await server.waitUntilListening() }

    /// The `Metrics` answer (nil without `configuration.renderMetrics`), also for a textfile.
    package var metricsExposition: MetricsExposition? { Self.exposition(configuration, store: store, pool: pool) }

    private static func exposition(_ configuration: QueryServiceConfiguration, store: ReleaseStore, pool: NIOThreadPool) -> MetricsExposition? {
        let path = configuration.databasePath
        return configuration.renderMetrics.map { render in
            MetricsExposition(refresh: { await recordGauges(store: store, pool: pool, databasePath: path) }, render: render)
        }
    }

    /// Sets the gauges a scrape reads: the search index's size (in memory, cheap) and the
    /// store's (a count on the database threads; skipped when they are busy shutting down).
    private static func recordGauges(store: ReleaseStore, pool: NIOThreadPool, databasePath: String) async {
        let index = store.index.stats
        Gauge(label: "khaosan_index_segments").record(index.segments)
        Gauge(label: "khaosan_index_memory_segments").record(index.memorySegments)
        Gauge(label: "khaosan_index_documents").record(index.documents)
        Gauge(label: "khaosan_index_live_documents").record(index.liveDocuments)
        Gauge(label: "khaosan_index_bytes").record(index.fileBytes)
        Gauge(label: "khaosan_index_hot_entries").record(index.hotEntries)
        for (file, path) in [("db", databasePath), ("wal", databasePath + "-wal")] {
            let bytes = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
            Gauge(label: "khaosan_store_file_bytes", dimensions: [("file", file)]).record(bytes)
        }
        if let stats = try? await pool.runIfActive({ try store.stats() }) {
            Gauge(label: "khaosan_store_releases").record(stats.releases)
            Gauge(label: "khaosan_store_versions").record(stats.versions)
            Gauge(label: "khaosan_store_text_bytes").record(stats.textBytes)
        }
    }

    package func run() async throws {
        // A group shuts its services down in reverse order: the server drains first, then the
        // storage watcher stops, then the WAL checkpointer (after the last commit). The server
        // ending ends the group the same way; a failing server (it could not bind) cancels it,
        // and `run` throws its error.
        let watcher = StorageWatcher(store: store, pool: pool, health: health, databasePath: configuration.databasePath,
                                     interval: configuration.healthCheckInterval, logger: logger)
        let checkpointer: [ServiceGroupConfiguration.ServiceConfiguration] = store.checkpointer.map {
            [.init(service: $0, successTerminationBehavior: .ignore)]
        } ?? []
        // The archive's connections, then the follower: started before the server, stopped
        // after it has drained (a writer's last answers wait for the follower).
        let archiveServices: [ServiceGroupConfiguration.ServiceConfiguration] =
            (configuration.archive?.services ?? []).map { .init(service: $0, successTerminationBehavior: .ignore) }
            + (follower.map { [.init(service: $0, successTerminationBehavior: .ignore)] } ?? [])
            + (configuration.archive?.savedSearches.map { [.init(service: SavedSearchMirror(shared: $0, store: store, pool: pool, logger: logger),
                                                                 successTerminationBehavior: .ignore)] } ?? [])
        let services = ServiceGroup(configuration: .init(
            services: checkpointer + archiveServices + [
                .init(service: watcher, successTerminationBehavior: .ignore),
                .init(service: server, successTerminationBehavior: .gracefullyShutdownGroup),
                // Last, so shut down first: watches end as the server begins to drain.
                .init(service: WatchCloser(hub: store.alerts), successTerminationBehavior: .ignore),
            ],
            logger: logger))
        var failure: (any Error)?
        do { try await services.run() } catch { failure = error }
        try? await pool.shutdownGracefully()
        // What the index holds only in memory goes to a file, so the next start need not index it
        // again from the store's log (a kill skips this and loses nothing: the log has it).
        store.writeIndexOut()
        if let failure { throw failure }
    }
}
