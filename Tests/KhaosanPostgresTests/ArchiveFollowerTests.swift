import Foundation
import KhaosanModel
import KhaosanRPC
@testable import KhaosanPostgres
@testable import KhaosanQuery
import KhaosanTestSupport
import Testing

/// Local copies (SQLite store + search index) fed from one PostgreSQL archive by the follower.
@Suite(.disabled(if: PostgresServer.skipped, "KHAOSAN_SKIP_POSTGRES=1"))
struct ArchiveFollowerTests {
    static let queries = ["รัฐบาล", "นายกรัฐมนตรี", "กระทรวง", "ประชาชน OR เศรษฐกิจ", "COVID"]

    /// Ids and totals of each query, newest first (a deterministic order on both copies).
    static func answers(_ store: ReleaseStore) throws -> [[Int64]] {
        try queries.map { q in
            let r = try store.search(SearchQuery(text: q, sort: .newest, limit: 1000))
            return [Int64(r.total)] + r.hits.map(\.id)
        }
    }

    @Test func aWriterAndAReplicaGiveTheSameAnswers() async throws {
        let (_, url) = try SharedPostgres.database()
        try await SharedPostgres.withArchive(url) { (archive: PostgresArchive) async throws in
            let releases = SharedPostgres.releases
            try await LocalCopy.with(archive, copies: 2) { copies in
                _ = try await archive.applyBatch(source: "ingest", items: PostgresArchiveTests.items(releases[...], from: 1))
                var changed = releases[3]
                changed.paragraphs = ["ข้อความฉบับแก้ไขของรัฐบาล"] + changed.paragraphs
                changed.contentHash = "edited-" + changed.contentHash
                let last = try await archive.applyBatch(source: "ingest", items: [(UInt64(releases.count + 1), changed)])
                for copy in copies { try await copy.follower.waitApplied(through: last.feedPosition, timeout: .seconds(20)) }
                let writer = try Self.answers(copies[0].store), replica = try Self.answers(copies[1].store)
                #expect(writer == replica)
                #expect(writer.contains { $0[0] > 0 }, "the queries find something")
                #expect(try copies[1].store.stats().releases == releases.count)
                // The changed release is a second version on the copies as in the archive.
                #expect(try copies[1].store.get(id: changed.id, includeVersions: true)?.versions.count == 2)
                #expect(try copies[1].store.appliedSequence(source: ArchiveFollower.source) == last.feedPosition)
                #expect(try await archive.feedStatus(applied: copies[1].follower.appliedChange).lagSeconds == 0)
            }
        }
    }

    @Test func aCopyWhoseFilesAreDeletedIsRebuiltFromTheArchive() async throws {
        let (_, url) = try SharedPostgres.database()
        try await SharedPostgres.withArchive(url) { (archive: PostgresArchive) async throws in
            let releases = Array(SharedPostgres.releases.prefix(25))
            let dir = try Fixtures.temporaryDirectory("khpg-copy")
        defer { try? FileManager.default.removeItem(at: dir) }
            let before = try await LocalCopy.with(archive, directories: [dir]) { copies in
                _ = try await archive.applyBatch(source: "ingest", items: PostgresArchiveTests.items(releases[...], from: 1))
                try await copies[0].catchUp(archive)
                return try Self.answers(copies[0].store)
            }
            // The local SQLite file, its WAL and the index directory, all gone.
            for f in try FileManager.default.contentsOfDirectory(atPath: dir.path) {
                try FileManager.default.removeItem(at: dir.appendingPathComponent(f))
            }
            let after = try await LocalCopy.with(archive, directories: [dir]) { copies in
                try await copies[0].catchUp(archive)
                return (try Self.answers(copies[0].store), try copies[0].store.stats().releases)
            }
            #expect(after.0 == before)
            #expect(after.1 == releases.count)
        }
    }

    @Test func theFollowerSurvivesAPostgresRestart() async throws {
        let server = try PostgresServer()
        defer { server.stop() }
        try server.createDatabase("restart")
        try await SharedPostgres.withArchive(server.url(database: "restart")) { (archive: PostgresArchive) async throws in
            let releases = Array(SharedPostgres.releases.prefix(30))
            try await LocalCopy.with(archive) { copies in
                _ = try await archive.applyBatch(source: "ingest", items: PostgresArchiveTests.items(releases[0..<10], from: 1))
                try await copies[0].catchUp(archive)
                try server.restart()
                // The writer's connection died with the server: the first batch after may fail
                // (retryable, as the ingester sees it); the next one reconnects.
                var applied: ArchiveApplyOutcome?
                for _ in 0..<3 where applied == nil {
                    do { applied = try await archive.applyBatch(source: "ingest", items: PostgresArchiveTests.items(releases[10..<30], from: 11)) } catch let e as PostgresStoreError {
                        #expect(e.kind == .retryable, "\(e)")
                    // What the ingester sees: UNAVAILABLE, which it retries with its journal kept.
                    #expect(RPCError(wrapping: e).code == .unavailable)
                    }
                }
                let last = try #require(applied)
                // The follower's read can be left waiting on a connection the restart killed
                // without failing it (PostgresSession.callTimeout, 30 s, bounds that): it recovers
                // within one call timeout and its back-off (at most 5 s), so wait past both. CI
                // saw a 20 s wait run out at change 10 of 30.
                try await copies[0].follower.waitApplied(through: last.feedPosition, timeout: .seconds(50))
                #expect(try copies[0].store.stats().releases == 30)
            }
        }
    }

    @Test func versionsStoredTogetherAreAppliedInOneBatch() async throws {
        let (_, url) = try SharedPostgres.database()
        try await SharedPostgres.withArchive(url) { (archive: PostgresArchive) async throws in
            var release = SharedPostgres.releases[7]
            var items: [(sequence: UInt64, release: Release)] = [(1, release)]
            for v in 2...3 {
                release.paragraphs = ["ฉบับแก้ไขครั้งที่ \(v) zebrafinch\(v)"] + release.paragraphs
                release.contentHash = "v\(v)-" + release.contentHash
                items.append((UInt64(v), release))
            }
            // All three versions are in the archive before the copy starts: one follower batch.
            _ = try await archive.applyBatch(source: "ingest", items: items)
            try await LocalCopy.with(archive) { copies in
                try await copies[0].catchUp(archive)
                let stored = try #require(try copies[0].store.get(id: release.id, includeVersions: true))
                #expect(stored.versions.map(\.version) == [1, 2, 3])
                #expect(stored.release == release)
                #expect(try copies[0].store.search(SearchQuery(text: "zebrafinch3")).total == 1)
                #expect(try copies[0].store.integrityCheck().ok)
            }
        }
    }

    @Test func aCopyAheadOfItsStoreIsReported() async throws {
        let dir = try Fixtures.temporaryDirectory("khpg-copy")
        defer { try? FileManager.default.removeItem(at: dir) }
        let (_, first) = try SharedPostgres.database()
        try await SharedPostgres.withArchive(first) { (archive: PostgresArchive) async throws in
            _ = try await archive.applyBatch(source: "ingest", items: PostgresArchiveTests.items(SharedPostgres.releases.prefix(5), from: 1))
            try await LocalCopy.with(archive, directories: [dir]) { copies in try await copies[0].catchUp(archive) }
        }
        // The same copy pointed at another, emptier store.
        let (_, second) = try SharedPostgres.database()
        try await SharedPostgres.withArchive(second) { (archive: PostgresArchive) async throws in
            try await LocalCopy.with(archive, directories: [dir]) { copies in
                let deadline = ContinuousClock.now + .seconds(10)
                while copies[0].follower.failure == nil && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
                let failure = try #require(copies[0].follower.failure)
                #expect(failure.contains("has applied change 5 but the store's newest is 0"))
                #expect(failure.contains(copies[0].databasePath))
            }
        }
    }

    @Test func aFormerEmbeddedArchiveIsReported() async throws {
        let dir = try Fixtures.temporaryDirectory("khpg-copy")
        defer { try? FileManager.default.removeItem(at: dir) }
        // The file was the archive itself before --store: an ingester applied to it directly.
        do {
            let embedded = try ReleaseStore(path: dir.appendingPathComponent("query.db").path, logger: SharedPostgres.logger)
            _ = try embedded.apply(source: "ingestd-1", items: PostgresArchiveTests.items(SharedPostgres.releases.prefix(3), from: 1))
            embedded.writeIndexOut()
        }
        let (_, url) = try SharedPostgres.database()
        try await SharedPostgres.withArchive(url) { (archive: PostgresArchive) async throws in
            try await LocalCopy.with(archive, directories: [dir]) { copies in
                let deadline = ContinuousClock.now + .seconds(10)
                while copies[0].follower.failure == nil && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
                let failure = try #require(copies[0].follower.failure)
                #expect(failure.contains("applied directly (from ingestd-1)"))
            }
        }
    }
}
