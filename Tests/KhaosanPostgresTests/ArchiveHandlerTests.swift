import Foundation
import KhaosanInProcessTransport
import KhaosanModel
@testable import KhaosanPostgres
@testable import KhaosanQuery
import KhaosanRPC
import KhaosanTestSupport
import KhaosanWire
import NIOPosix
import Testing

/// khaosan-queryd's handlers on a PostgreSQL archive, over the in-process transport: a writer
/// answers ApplyBatch once its own copy can search the batch, a replica refuses it, and
/// StoreStatus says the lag.
@Suite(.disabled(if: PostgresServer.skipped, "KHAOSAN_SKIP_POSTGRES=1"))
struct ArchiveHandlerTests {
    static func serve(_ copy: LocalCopy?, store: ReleaseStore, archive: PostgresArchive, replica: Bool, follower: ArchiveFollower,
                      pool: NIOThreadPool) -> InProcessServer {
        var router = RPCRouter()
        var handlers = QueryHandlers(store: store, pool: pool, ingestUIDs: [], logger: SharedPostgres.logger)
        handlers.archive = SharedArchive(store: archive, replica: replica, savedSearches: archive)
        handlers.follower = follower
        handlers.register(into: &router)
        return InProcessServer(router: router, logger: SharedPostgres.logger)
    }

    @Test func aWriterAnswersOnceSearchableAndAReplicaRefuses() async throws {
        let (_, url) = try SharedPostgres.database()
        let releases = Array(SharedPostgres.releases.prefix(12))
        try await SharedPostgres.withArchive(url) { (archive: PostgresArchive) async throws in
            try await LocalCopy.with(archive, copies: 2) { copies in
                let pool = NIOThreadPool(numberOfThreads: 1)
                pool.start()
                let writer = Self.serve(copies[0], store: copies[0].store, archive: archive, replica: false, follower: copies[0].follower, pool: pool)
                let replica = Self.serve(copies[1], store: copies[1].store, archive: archive, replica: true, follower: copies[1].follower, pool: pool)
                let items = releases.enumerated().map { BatchItem(sequence: UInt64($0.offset + 1), release: $0.element) }
                let answer: ApplyBatchResponse = try await writer.makeClient().unary(
                    KhaosanMethods.applyBatch, ApplyBatchRequest(source: "ingest", items: items))
                #expect(answer.inserted == UInt32(releases.count))
                #expect(answer.appliedSequence == UInt64(releases.count))
                // Acknowledged means stored in PostgreSQL and searchable on the writer, at once.
                #expect(try copies[0].store.stats().releases == releases.count)
                let title = try copies[0].store.search(SearchQuery(text: releases[5].title))
                #expect(title.hits.contains { $0.id == releases[5].id })

                do {
                    let _: ApplyBatchResponse = try await replica.makeClient().unary(
                        KhaosanMethods.applyBatch, ApplyBatchRequest(source: "ingest", items: items))
                    Issue.record("a replica accepted a batch")
                } catch let e as RPCError {
                    #expect(e.code == .failedPrecondition)
                    #expect(e.message.contains("replica"))
                }
                // The ingester's resume point comes from the archive, on any node.
                let position: AppliedPositionResponse = try await replica.makeClient().unary(
                    KhaosanMethods.appliedPosition, AppliedPositionRequest(source: "ingest"))
                #expect(position.appliedSequence == UInt64(releases.count))

                try await copies[1].catchUp(archive)
                let status: StoreStatusResponse = try await replica.makeClient().unary(KhaosanMethods.storeStatus, StoreStatusRequest())
                #expect(status.kind == "postgres")
                #expect(status.replica)
                #expect(status.location == url)
                #expect(status.latestChange == UInt64(releases.count))
                #expect(status.appliedChange == status.latestChange)
                #expect(status.lagChanges == 0)

                // A copy whose follower does not run is behind by every change.
                let stale = try ReleaseStore(path: copies[1].directory.appendingPathComponent("stale.db").path, logger: SharedPostgres.logger)
                let idle = ArchiveFollower(archive: archive, store: stale, pool: pool, logger: SharedPostgres.logger)
                let behind = Self.serve(nil, store: stale, archive: archive, replica: true, follower: idle, pool: pool)
                let lagging: StoreStatusResponse = try await behind.makeClient().unary(KhaosanMethods.storeStatus, StoreStatusRequest())
                #expect(lagging.appliedChange == 0)
                #expect(lagging.lagChanges == UInt64(releases.count))
                #expect(lagging.lagSeconds > 0)

                for s in [writer, replica, behind] {
                    s.beginShutdown()
                    try await s.run()
                }
                try await pool.shutdownGracefully()
            }
        }
    }

    @Test func savedSearchesAreSharedThroughTheStore() async throws {
        let (_, url) = try SharedPostgres.database()
        let releases = Array(SharedPostgres.releases.prefix(12))
        try await SharedPostgres.withArchive(url) { (archive: PostgresArchive) async throws in
            try await LocalCopy.with(archive, copies: 2) { copies in
                let pool = NIOThreadPool(numberOfThreads: 1)
                pool.start()
                let a = Self.serve(copies[0], store: copies[0].store, archive: archive, replica: false, follower: copies[0].follower, pool: pool)
                let b = Self.serve(copies[1], store: copies[1].store, archive: archive, replica: true, follower: copies[1].follower, pool: pool)
                let mirrorB = SavedSearchMirror(shared: archive, store: copies[1].store, pool: pool, logger: SharedPostgres.logger)
                let mirrorA = SavedSearchMirror(shared: archive, store: copies[0].store, pool: pool, logger: SharedPostgres.logger)
                let items = releases.enumerated().map { BatchItem(sequence: UInt64($0.offset + 1), release: $0.element) }
                let _: ApplyBatchResponse = try await a.makeClient().unary(KhaosanMethods.applyBatch, ApplyBatchRequest(source: "ingest", items: items))
                try await copies[1].catchUp(archive)

                let word = releases[2].title.split(separator: " ").first.map(String.init) ?? releases[2].title
                let saved = SavedSearch(name: "desk", query: word)
                let _: SaveSearchResponse = try await a.makeClient().unary(KhaosanMethods.saveSearch, SaveSearchRequest(search: saved))
                do {
                    let _: SaveSearchResponse = try await b.makeClient().unary(KhaosanMethods.saveSearch, SaveSearchRequest(search: saved))
                    Issue.record("a second save without replace was accepted")
                } catch let e as RPCError {
                    #expect(e.code == .alreadyExists)
                }
                // On the other node once its mirror has run: listed, and run on its own copy.
                #expect(try await mirrorB.sync() == 1)
                let listed: ListSavedSearchesResponse = try await b.makeClient().unary(KhaosanMethods.listSavedSearches, ListSavedSearchesRequest())
                #expect(listed.searches.map(\.query) == [word])
                let runB: RunSavedSearchResponse = try await b.makeClient().unary(KhaosanMethods.runSavedSearch, RunSavedSearchRequest(name: "desk"))
                let runA: RunSavedSearchResponse = try await a.makeClient().unary(KhaosanMethods.runSavedSearch, RunSavedSearchRequest(name: "desk"))
                #expect(!runA.events.isEmpty)
                #expect(runB.events.map(\.id) == runA.events.map(\.id))
                #expect(try await mirrorB.sync() == 0, "nothing changed: the last-run position is the node's own")

                // Deleted on b: gone from the store, and from a at its next mirror pass.
                let _: DeleteSavedSearchResponse = try await b.makeClient().unary(KhaosanMethods.deleteSavedSearch, DeleteSavedSearchRequest(name: "desk"))
                #expect(try await archive.everySavedSearch().isEmpty)
                #expect(try await mirrorA.sync() == 1)
                #expect(try copies[0].store.allSavedSearches().isEmpty)

                for s in [a, b] {
                    s.beginShutdown()
                    try await s.run()
                }
                try await pool.shutdownGracefully()
            }
        }
    }
}
