import Foundation
import KhaosanModel
@testable import KhaosanPostgres
@testable import KhaosanQuery
import KhaosanTestSupport
import Testing

/// The PostgreSQL archive against a real server: schema, idempotent batches, the change feed.
@Suite(.disabled(if: PostgresServer.skipped, "KHAOSAN_SKIP_POSTGRES=1"))
struct PostgresArchiveTests {
    static func items(_ releases: ArraySlice<Release>, from first: UInt64) -> [(sequence: UInt64, release: Release)] {
        releases.enumerated().map { (sequence: first + UInt64($0.offset), release: $0.element) }
    }

    @Test func migratesAnEmptyDatabaseOnceAndAgainIdempotently() async throws {
        let (_, url) = try SharedPostgres.database()
        _ = try await SharedPostgres.open(url)
        try await SharedPostgres.withArchive(url) { (again: PostgresArchive) async throws in
            #expect(try await again.scalars("SELECT version FROM khaosan_migrations ORDER BY version") == PostgresMigrations.steps.map(\.version))
            for table in ["releases", "release_versions", "positions", "changes"] {
                #expect(try await again.scalars("SELECT count(*) FROM \(table)") == [0], "\(table)")
            }
        }
    }

    @Test func refusesASchemaNewerThanTheBinary() async throws {
        let (server, url) = try SharedPostgres.database()
        _ = try await SharedPostgres.open(url)
        try server.psql("INSERT INTO khaosan_migrations(version, name) VALUES (\(PostgresMigrations.latest + 1), 'future')",
                        database: try PostgresStoreURL(url).database)
        let error = await #expect(throws: PostgresStoreError.self) { try await SharedPostgres.open(url) }
        #expect(error?.message.contains(url) == true)
        #expect(error?.message.contains("schema version \(PostgresMigrations.latest + 1) is newer") == true)
    }

    @Test func missingDatabaseAndUnreachableServerAreNamed() async throws {
        let (server, _) = try SharedPostgres.database()
        let missing = server.url(database: "no_such_db")
        let e1 = await #expect(throws: PostgresStoreError.self) { try await SharedPostgres.open(missing) }
        #expect(e1?.message.contains(missing) == true)
        #expect(e1?.message.contains("does not exist") == true)
        let nowhere = "postgres://postgres@/x?host=/nonexistent-khaosan-dir"
        let e2 = await #expect(throws: PostgresStoreError.self) { try await SharedPostgres.open(nowhere) }
        #expect(e2?.message.contains(nowhere) == true)
        #expect(e2?.kind == .retryable)
    }

    @Test func theSameBatchTwiceStoresOneVersion() async throws {
        let (_, url) = try SharedPostgres.database()
        try await SharedPostgres.withArchive(url) { (archive: PostgresArchive) async throws in
            let batch = Self.items(SharedPostgres.releases.prefix(20), from: 1)
            let first = try await archive.applyBatch(source: "ingest", items: batch)
            #expect(first.outcome.inserted == 20)
            #expect(first.outcome.appliedSequence == 20)
            let second = try await archive.applyBatch(source: "ingest", items: batch)
            #expect(second.outcome.skipped == 20)
            #expect(second.outcome.inserted == 0)
            #expect(second.feedPosition == first.feedPosition)
            // The same releases under new sequences (a journal replayed elsewhere): duplicates.
            let third = try await archive.applyBatch(source: "ingest", items: Self.items(SharedPostgres.releases.prefix(20), from: 21))
            #expect(third.outcome.duplicates == 20)
            #expect(try await archive.scalars("SELECT count(*) FROM release_versions") == [20])
            #expect(try await archive.scalars("SELECT count(*) FROM changes") == [20])
            #expect(try await archive.appliedSequence(source: "ingest") == 40)
            #expect(try await archive.appliedSequence(source: "other") == 0)
            #expect(try await archive.highestAppliedSequence() == 40)
        }
    }

    @Test func aChangedReleaseIsANewVersionInTheFeed() async throws {
        let (_, url) = try SharedPostgres.database()
        try await SharedPostgres.withArchive(url) { (archive: PostgresArchive) async throws in
            var release = SharedPostgres.releases[0]
            _ = try await archive.applyBatch(source: "ingest", items: [(1, release)])
            release.paragraphs.append("ย่อหน้าที่เพิ่มเข้ามาใหม่")
            release.contentHash = "changed-" + release.contentHash
            let outcome = try await archive.applyBatch(source: "ingest", items: [(2, release)])
            #expect(outcome.outcome.updated == 1)
            let feed = try await archive.changes(after: 0, limit: 10)
            #expect(feed.map(\.version) == [1, 2])
            #expect(feed.last?.release == release)
            #expect(try await archive.scalars("SELECT version FROM releases WHERE id = \(release.id)") == [2])
        }
    }

    @Test func theFeedIsInOrderAfterAPosition() async throws {
        let (_, url) = try SharedPostgres.database()
        try await SharedPostgres.withArchive(url) { (archive: PostgresArchive) async throws in
            let releases = Array(SharedPostgres.releases.prefix(30))
            _ = try await archive.applyBatch(source: "a", items: Self.items(releases[0..<10], from: 1))
            _ = try await archive.applyBatch(source: "b", items: Self.items(releases[10..<30], from: 1))
            let all = try await archive.changes(after: 0, limit: 100)
            #expect(all.map(\.release.id) == releases.map(\.id))
            #expect(all.map(\.sequence) == all.map(\.sequence).sorted())
            let now = Date().timeIntervalSince1970
            #expect(all.allSatisfy { $0.storedAt > now - 600 && $0.storedAt <= now + 1 }, "stored_at is the commit's time")
            let tail = try await archive.changes(after: all[11].sequence, limit: 5)
            #expect(tail.map(\.sequence) == Array(all[12..<17]).map(\.sequence))
            let status = try await archive.feedStatus(applied: all[11].sequence)
            #expect(status.latestChange == all.last!.sequence)
            #expect(status.lagSeconds > 0)
            #expect(try await archive.feedStatus(applied: status.latestChange).lagSeconds == 0)
        }
    }

    @Test func aCommitIsAnnouncedToListeners() async throws {
        let (_, url) = try SharedPostgres.database()
        try await SharedPostgres.withArchive(url) { (archive: PostgresArchive) async throws in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await archive.run() }
                let listening = ContinuousClock.now + .seconds(30)
                while !archive.isListening && ContinuousClock.now < listening { try await Task.sleep(for: .milliseconds(10)) }
                try #require(archive.isListening)
                // A second node's connection writes; this one learns of it only by NOTIFY.
                let applied = try await SharedPostgres.withArchive(url) { (writer: PostgresArchive) async throws in
                    try await writer.applyBatch(source: "ingest", items: Self.items(SharedPostgres.releases.prefix(3), from: 1))
                }
                // Without the notification this waits the whole minute, then fails.
                let deadline = ContinuousClock.now + .seconds(60)
                while archive.announcedChange < applied.feedPosition && ContinuousClock.now < deadline {
                    await archive.waitForChanges(after: archive.announcedChange, timeout: .seconds(60))
                }
                #expect(archive.announcedChange == applied.feedPosition)
                group.cancelAll()
            }
        }
    }

    @Test func aWrongPasswordIsRefusedWithoutShowingIt() async throws {
        let server = try PostgresServer(password: "correct horse")
        defer { server.stop() }
        try server.createDatabase("guarded")
        let url = try PostgresStoreURL(server.url(database: "guarded"))
        let wrong = await #expect(throws: PostgresStoreError.self) {
            try await PostgresArchive.open(url: url, password: "battery staple", logger: SharedPostgres.logger)
        }
        #expect(wrong?.message.contains("password authentication failed") == true, "\(wrong?.message ?? "")")
        #expect(wrong?.message.contains(url.description) == true)
        #expect(wrong?.message.contains("battery") == false)
        #expect(wrong?.kind == .precondition)
        let none = await #expect(throws: PostgresStoreError.self) {
            try await PostgresArchive.open(url: url, password: nil, logger: SharedPostgres.logger)
        }
        #expect(none?.message.contains("--store-password-file") == true, "\(none?.message ?? "")")
        let archive = try await PostgresArchive.open(url: url, password: "correct horse", logger: SharedPostgres.logger)
        let applied = try await archive.applyBatch(source: "ingest", items: Self.items(SharedPostgres.releases.prefix(2), from: 1))
        #expect(applied.outcome.inserted == 2)
        await archive.close()
    }
}
