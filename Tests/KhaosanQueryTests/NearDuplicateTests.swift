import Foundation
import GRDB
@testable import KhaosanQuery
import KhaosanModel
import Testing

/// Near-duplicate groups on a real store: a planted copy sharing 85% of a release's text is
/// grouped with it, unrelated releases are not, and an archive from before is backfilled.
@Suite struct NearDuplicateTests {
    /// `r` with its body's last 15% (by characters) replaced by text of another release, under a new id.
    static func plantedCopy(of r: Release, filler: Release, id: Int64) -> Release {
        let body = r.paragraphs.joined(separator: "\n")
        let keep = body.count * 85 / 100
        let other = filler.paragraphs.joined(separator: "\n")
        let text = String(body.prefix(keep)) + String(other.prefix(body.count - keep))
        var copy = r
        copy.id = id
        copy.sourceURL = "https://www.thaigov.go.th/news/contents/details/\(id)"
        copy.paragraphs = text.components(separatedBy: "\n")
        copy.contentHash = StoreFixtures.hash(copy.title + "\u{0}" + text)
        return copy
    }

    static func group(_ store: ReleaseStore, _ id: Int64) throws -> Int64? {
        try store.pool.read { db in try Int64.fetchOne(db, sql: "SELECT group_id FROM near_duplicates WHERE id = ?", arguments: [id]) }
    }

    /// The longest fixture: enough shingles that 15% is many of them.
    static var original: Release { StoreFixtures.releases.max { $0.paragraphs.joined().count < $1.paragraphs.joined().count }! }

    @Test func aPlantedCopyIsGroupedAndUnrelatedReleasesAreNot() throws {
        let store = try StoreFixtures.loadedStore("near-dup")
        let original = Self.original
        let filler = StoreFixtures.releases.first { $0.id != original.id }!
        let copy = Self.plantedCopy(of: original, filler: filler, id: 990_001)
        _ = try store.apply(source: "test", items: [(UInt64(StoreFixtures.releases.count + 1), copy)])

        #expect(try Self.group(store, original.id) == original.id)
        #expect(try Self.group(store, copy.id) == original.id)
        // Every other fixture release is alone (the fixtures are different releases).
        for r in StoreFixtures.releases where r.id != original.id {
            #expect(try Self.group(store, r.id) == r.id, "release \(r.id)")
        }

        let similar = try store.similar(id: copy.id, limit: 5)
        #expect(similar.group == original.id)
        let top = try #require(similar.hits.first)
        #expect(top.id == original.id && top.sameGroup)
        let exact = try #require(top.exact)
        // 85% of the text kept in one piece: Jaccard 0.85 / 1.15, about 0.74, of 3-shingles.
        #expect(exact > 0.65 && exact < 0.85)
        #expect(abs(top.estimated - exact) < 0.2)
        #expect(!similar.hits.dropFirst().contains { $0.sameGroup })
    }

    @Test func searchCollapsesAGroupToItsBestHit() throws {
        let store = try StoreFixtures.loadedStore("near-dup-search")
        let original = Self.original
        let copy = Self.plantedCopy(of: original, filler: StoreFixtures.releases.first { $0.id != original.id }!, id: 990_002)
        _ = try store.apply(source: "test", items: [(UInt64(StoreFixtures.releases.count + 1), copy)])
        let phrase = "\"" + String(original.title.prefix(12)) + "\""
        let plain = try store.search(SearchQuery(text: phrase, limit: 50))
        #expect(plain.hits.contains { $0.id == original.id } && plain.hits.contains { $0.id == copy.id })
        let collapsed = try store.search(SearchQuery(text: phrase, limit: 50, collapse: true))
        let ids = collapsed.hits.map(\.id)
        #expect(ids.contains(original.id) != ids.contains(copy.id))
        let shown = try #require(collapsed.hits.first { $0.id == original.id || $0.id == copy.id })
        #expect(shown.alsoPublishedAs == [shown.id == original.id ? copy.id : original.id])
        #expect(collapsed.hits.count == plain.hits.count - 1 && collapsed.total == plain.total)
    }

    @Test func anArchiveFromBeforeIsBackfilled() throws {
        let path = try StoreFixtures.tempPath("near-dup-backfill")
        let original = Self.original
        let copy = Self.plantedCopy(of: original, filler: StoreFixtures.releases.first { $0.id != original.id }!, id: 990_003)
        do {
            let store = try ReleaseStore(path: path, logger: StoreFixtures.logger)
            _ = try store.apply(source: "test", items: StoreFixtures.items(StoreFixtures.releases + [copy]))
            // As an archive written before the table existed: no rows.
            try store.pool.write { db in try db.execute(sql: "DELETE FROM near_duplicates") }
        }
        // Opening the store schedules the backfill on the maintenance thread.
        let store = try ReleaseStore(path: path, logger: StoreFixtures.logger)
        let expected = StoreFixtures.releases.count + 1
        var rows = 0
        for _ in 0..<600 where rows < expected {
            rows = try store.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM near_duplicates") } ?? 0
            if rows < expected { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(rows == expected)
        #expect(try store.backfillNearDuplicates() == 0)
        #expect(try Self.group(store, copy.id) == original.id)
        #expect(try store.similar(id: original.id, limit: 3).hits.first?.id == copy.id)
    }

    @Test func signaturesEstimateJaccard() {
        // Two sets of 400 shingles sharing 300: Jaccard 300 / 500 = 0.6.
        let a = (0..<400).map { UInt32($0) &* 2_654_435_761 }
        let b = (100..<500).map { UInt32($0) &* 2_654_435_761 }
        #expect(MinHash.jaccard(a.sorted(), b.sorted()) == 0.6)
        let e = MinHash.estimate(MinHash.signature(a), MinHash.signature(b))
        #expect(abs(e - 0.6) < 0.2)
        #expect(MinHash.estimate(MinHash.signature(a), MinHash.signature(a)) == 1)
        #expect(MinHash.signature([1, 2, 3]).isEmpty)
        #expect(MinHash.decode(MinHash.encode(MinHash.signature(a))) == MinHash.signature(a))
    }
}
