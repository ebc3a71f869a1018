import Foundation
import GRDB
import KhaosanModel
import Testing

@testable import KhaosanQuery

/// Bodies compressed with the archive's own dictionary: nothing read back differs from what was
/// applied, before, during and after compaction, across a reopen and an index rebuild.
@Suite struct TextCompactionTests {
    /// `n` distinct releases made from the fixtures (new ids, paragraphs rotated, a numbered
    /// line), one of them with an empty body, so the dictionary has a few hundred samples.
    static func variants(_ n: Int, firstID: Int64 = 900_000) -> [Release] {
        let base = StoreFixtures.releases
        return (0..<n).map { i in
            var r = base[i % base.count]
            r.id = firstID + Int64(i)
            r.sourceURL = "https://www.thaigov.go.th/news/contents/details/\(r.id)"
            let k = r.paragraphs.isEmpty ? 0 : i % r.paragraphs.count
            r.paragraphs = i == 7 ? [] : Array(r.paragraphs[k...] + r.paragraphs[..<k]) + ["ฉบับที่ \(i)"]
            r.contentHash = StoreFixtures.hash(r.title + "\u{0}" + r.paragraphs.joined(separator: "\n"))
            return r
        }
    }

    static func counts(_ path: String) throws -> (plain: Int, empty: Int, compressed: Int, bytes: Int) {
        let q = try DatabaseQueue(path: path)
        return try q.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM release_texts WHERE body_dictionary IS NULL") ?? -1,
             try Int.fetchOne(db, sql: "SELECT count(*) FROM release_texts WHERE body_dictionary = 0") ?? -1,
             try Int.fetchOne(db, sql: "SELECT count(*) FROM release_texts WHERE body_dictionary > 0") ?? -1,
             try Int.fetchOne(db, sql: "SELECT sum(length(body)) FROM release_texts") ?? -1)
        }
    }

    static func expectSame(_ store: ReleaseStore, _ releases: [Release]) throws {
        for r in releases {
            let got = try #require(try store.get(id: r.id, includeVersions: false)).release
            #expect(got.paragraphs == r.paragraphs, "release \(r.id)")
            #expect(got.title == r.title)
        }
    }

    @Test func bodiesAreCompressedAndReadBackUnchanged() throws {
        let path = try StoreFixtures.tempPath("compaction")
        let releases = Self.variants(320)
        let later = Self.variants(20, firstID: 950_000)
        let plainBytes: Int
        do {
            let store = try ReleaseStore(path: path, logger: StoreFixtures.logger, textTrainingThreshold: 300)
            _ = try store.apply(source: "s", items: StoreFixtures.items(releases))
            let before = try Self.counts(path)
            plainBytes = before.bytes
            // (The background run that apply scheduled may have done it first: either way.)
            try store.compactTexts()
            let after = try Self.counts(path)
            #expect(after.plain == 0)
            #expect(after.empty == 1)  // the empty body: nothing to gain, kept plain on purpose
            #expect(after.compressed == releases.count - 1)
            #expect(after.bytes * 2 < plainBytes, "\(after.bytes) bytes compressed, \(plainBytes) plain")
            try Self.expectSame(store, releases)
            // With a dictionary, new bodies are compressed as they are applied.
            _ = try store.apply(source: "s", items: StoreFixtures.items(later, firstSequence: 1_000))
            #expect(try Self.counts(path).plain == 0)
            let hit = try #require(try store.search(SearchQuery(text: "\"ฉบับที่ 5\"")).hits.first)
            #expect(hit.snippet.contains("ฉบับที่ 5"))
        }
        // Reopened (dictionaries from the database) and with the index rebuilt from the bodies.
        try FileManager.default.removeItem(atPath: path + ".index")
        let reopened = try ReleaseStore(path: path, logger: StoreFixtures.logger, textTrainingThreshold: 300)
        try Self.expectSame(reopened, releases + later)
        #expect(try reopened.search(SearchQuery(text: "\"ฉบับที่ 319\"")).total == 1)
        #expect(try reopened.integrityCheck().ok)
    }

    @Test func belowTheThresholdNothingIsTrained() throws {
        let path = try StoreFixtures.tempPath("compaction-small")
        let store = try ReleaseStore(path: path, logger: StoreFixtures.logger, textTrainingThreshold: 300)
        let releases = Self.variants(40)
        _ = try store.apply(source: "s", items: StoreFixtures.items(releases))
        #expect(try store.compactTexts() == (false, 0))
        #expect(try Self.counts(path).plain == releases.count)
        try Self.expectSame(store, releases)
    }

    /// A body whose frame is damaged is an error naming the release, not a wrong text.
    @Test func aDamagedFrameIsAnErrorNamingTheRelease() throws {
        let path = try StoreFixtures.tempPath("compaction-damaged")
        let store = try ReleaseStore(path: path, logger: StoreFixtures.logger, textTrainingThreshold: 300)
        let releases = Self.variants(320)
        _ = try store.apply(source: "s", items: StoreFixtures.items(releases))
        try store.compactTexts()
        let victim = releases[3].id
        try store.pool.write { db in
            try db.execute(sql: "UPDATE release_texts SET body = substr(body, 1, length(body) / 2) WHERE id = ?", arguments: [victim])
        }
        let e = #expect(throws: (any Error).self) { try store.get(id: victim, includeVersions: false) }
        #expect("\(e.map { "\($0)" } ?? "")".contains("release \(victim)"))
    }
}
