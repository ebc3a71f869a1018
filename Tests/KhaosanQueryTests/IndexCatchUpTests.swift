import Foundation
@testable import KhaosanQuery
import KhaosanIndex
import KhaosanModel
import Testing

/// A restart indexes again what the index log holds beyond the files; what it leaves in memory
/// must keep its log entries, or the next kill loses those releases from search.
struct IndexCatchUpTests {
    static func release(_ id: Int64) -> Release {
        Release(id: id, sourceURL: "https://www.thaigov.go.th/news/contents/details/\(id)", title: "ข่าว \(id)",
                published: CivilDate(year: 2024, month: 1, day: Int(id % 28) + 1), category: Category(name: "ด้านสังคม", slug: "society"),
                language: .th, paragraphs: ["รายการ marker\(id) ของรัฐบาล"], entities: [], contentHash: "h\(id)")
    }

    static func apply(_ store: ReleaseStore, _ ids: ClosedRange<Int64>) throws {
        for batch in stride(from: ids.lowerBound, through: ids.upperBound, by: 100) {
            let rs = (batch...min(batch + 99, ids.upperBound)).map(release)
            _ = try store.apply(source: "s", items: rs.map { (UInt64($0.id), $0) })
        }
    }

    @Test func aCatchUpLeftPartlyInMemorySurvivesTheNextKill() throws {
        let path = try StoreFixtures.tempPath("catch-up")
        // 700 releases only in memory (no flush), then dropped without writing the index out.
        do {
            let store = try ReleaseStore(path: path, logger: StoreFixtures.logger, indexFlushDocuments: 100_000)
            try Self.apply(store, 1...700)
        }
        // The catch-up writes its first 512 to a file and keeps the other 188 in memory; one more
        // batch makes the store forget the log entries the file covers; dropped again.
        do {
            let store = try ReleaseStore(path: path, logger: StoreFixtures.logger, indexFlushDocuments: 500)
            #expect(store.index.stats.memorySegments == 1)
            try Self.apply(store, 701...701)
        }
        let store = try ReleaseStore(path: path, logger: StoreFixtures.logger)
        let live = Set(store.index.liveReleaseIDs())
        #expect(live.count == 701)
        #expect(Set(1...701).subtracting(live).sorted().prefix(5) == [])
        #expect(try store.search(SearchQuery(text: "marker650")).total == 1)
        #expect(try store.integrityCheck().ok)
    }
}
