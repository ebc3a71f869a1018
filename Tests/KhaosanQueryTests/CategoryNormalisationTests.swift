import Foundation
import GRDB
import KhaosanIndex
@testable import KhaosanQuery
import KhaosanModel
import Testing

/// Archives written before category names were normalised come out right: the store's rows by
/// the v4 migration, the index's segments (which keep names as found) where they are read.
struct CategoryNormalisationTests {
    /// The schema-v1 fixture stores deputy-pm and soft-power under two names each and one
    /// category with no slug, as parsed then.
    @Test func anOldDatabaseHasOneRowPerSlugAfterOpening() throws {
        let path = try StoreFixtures.tempPath("categories")
        try FileManager.default.copyItem(atPath: UpgradeTests.fixture.path, toPath: path)
        let before = try DatabaseQueue(path: UpgradeTests.fixture.path, configuration: { var c = Configuration(); c.readonly = true; return c }())
        let (rawPairs, releases) = try before.read { db in
            (try Row.fetchAll(db, sql: "SELECT category_name, category_slug, count(*) FROM releases GROUP BY 1, 2")
                .map { (Category(name: $0[0], slug: $0[1]), $0[2] as Int) },
             try Int.fetchOne(db, sql: "SELECT count(*) FROM releases") ?? 0)
        }
        // The fixture holds what the issue saw: a slug under two names, a category without one.
        let rawSlugs = rawPairs.compactMap(\.0.slug)
        #expect(rawSlugs.count > Set(rawSlugs).count)
        #expect(rawPairs.contains { $0.0.slug == nil })

        let store = try ReleaseStore(path: path, logger: StoreFixtures.logger)
        let stored = try store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT category_name, category_slug, count(*) FROM releases GROUP BY 1, 2")
                .map { (Category(name: $0[0], slug: $0[1]), $0[2] as Int) }
        }
        #expect(stored.allSatisfy { $0.0.slug != nil })
        #expect(Set(stored.map(\.0.slug)).count == stored.count, "\(stored)")
        for (c, _) in stored { #expect(CategoryCatalog.category(named: c.name) == c) }
        // Every release is still counted, now under its category's one name.
        var expected: [String: Int] = [:]
        for (c, n) in rawPairs { expected[CategoryCatalog.normalised(c).slug!, default: 0] += n }
        let stats = try store.stats()
        #expect(stats.categories.count == expected.count)
        for f in stats.categories { #expect(f.count == expected[f.key], "\(f.key)") }
        #expect(stats.categories.reduce(0) { $0 + $1.count } == releases)
        // Either spelling of deputy-pm, or its slug, filters to both its releases.
        let deputyIDs = try Set(before.read { db in try Int64.fetchAll(db, sql: "SELECT id FROM releases WHERE category_slug = 'deputy-pm'") })
        #expect(deputyIDs.count == 2)
        let all = Set(try store.search(SearchQuery(text: "ที่", limit: 1000)).hits.map(\.id))
        let expectedHits = all.intersection(deputyIDs)
        #expect(!expectedHits.isEmpty)
        for spelling in ["ข่าวรอง นรม  รมตนร", "ข่าวรองนายกรัฐมนตรี  รัฐมนตรีประจำสำนักนายกรัฐมนตรี", "deputy-pm"] {
            #expect(Set(try store.search(SearchQuery(text: "ที่", categories: [spelling], limit: 100)).hits.map(\.id)) == expectedHits, "\(spelling)")
            #expect(try store.timeline(TimelineQuery(texts: ["ที่"], period: nil, categories: [spelling])).series.first?.total == expectedHits.count)
        }
    }

    static func document(_ id: Int64, _ name: String, _ slug: String?) -> IndexDocument {
        IndexDocument(releaseID: id, days: 19_000, categoryName: name, categorySlug: slug, language: 0,
                      title: Array("ข่าว".unicodeScalars.map(\.value)), body: Array("ที่".unicodeScalars.map(\.value)))
    }

    /// Segments written before the normalisation carry names as found; the filter a caller's
    /// value becomes covers each of them, and the facets merge them.
    @Test func oldSegmentsAreNormalisedWhereRead() throws {
        let index = SearchIndex(directory: nil, logger: StoreFixtures.logger)
        index.add([
            Self.document(1, "ข่าวรอง นรม  รมตนร", "deputy-pm"),
            Self.document(2, "ข่าวรองนายกรัฐมนตรี  รัฐมนตรีประจำสำนักนายกรัฐมนตรี", "deputy-pm"),
            Self.document(3, "ผู้เกษียณอายุราชการสำนักเลขาธิการนายกรัฐมนตรีื ปี 2564", nil),
            Self.document(4, "other", "other"),
            Self.document(5, "อื่นๆ", "other"),
        ], sequences: 1...5)
        let snapshot = index.snapshot()
        func ids(_ values: [String]) throws -> Set<Int64> {
            let filter = IndexFilter(categories: try ReleaseStore.categoryFilter(values, snapshot))
            let q = IndexQuery(root: .phrase(0), leaves: [Array("ข่าว".unicodeScalars.map(\.value))], wholeWords: [false])
            return Set(try Searcher.search(snapshot, IndexSearchRequest(query: q, filter: filter, limit: 10), cancelled: { false }).hits.map(\.releaseID))
        }
        #expect(try ids(["deputy-pm"]) == [1, 2])
        #expect(try ids(["ข่าวรอง นรม รมตนร"]) == [1, 2])
        #expect(try ids(["ผู้เกษียณอายุราชการสำนักเลขาธิการนายกรัฐมนตรีื-ปี-2564"]) == [3])
        #expect(try ids(["ผู้เกษียณอายุราชการสำนักเลขาธิการนายกรัฐมนตรีื ปี 2564"]) == [3])
        #expect(try ids(["other"]) == [4, 5])
        #expect(throws: UnknownCategoryError.self) { try ids(["deputypm"]) }

        // Facets and stats rows as segments and rows written then name them, merged.
        let facets = ReleaseStore.mergedCategories([
            (Category(name: "ข่าวรอง นรม  รมตนร", slug: "deputy-pm"), 2),
            (Category(name: "other", slug: "other"), 1),
            (Category(name: "อื่นๆ", slug: "other"), 1),
            (Category(name: "ผู้เกษียณอายุราชการสำนักเลขาธิการนายกรัฐมนตรีื ปี 2564", slug: nil), 1),
        ])
        #expect(facets.map(\.key) == ["deputy-pm", "other", "ผู้เกษียณอายุราชการสำนักเลขาธิการนายกรัฐมนตรีื-ปี-2564"])
        #expect(facets.map(\.count) == [2, 2, 1])
        #expect(facets.first?.label == "ข่าวรองนายกรัฐมนตรี  รัฐมนตรีประจำสำนักนายกรัฐมนตรี")
    }
}
