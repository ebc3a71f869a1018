import Foundation
import GRDB
import KhaosanIndex
@testable import KhaosanQuery
import KhaosanModel
import Testing

/// `person:`, `org:` and `place:` on a real store: the index narrows, the stored typed names
/// decide. Releases that contain the name's characters without naming it are the point.
@Suite struct EntitySearchTests {
    static func release(_ id: Int64, _ day: Int, _ title: String, _ body: [String], people: [String] = [],
                        slug: String = "society") -> Release {
        Release(id: id, sourceURL: "https://www.thaigov.go.th/news/contents/details/\(id)", title: title,
                published: CivilDate(year: 2024, month: 3, day: day), category: Category(name: "ด้านสังคม", slug: slug),
                language: .th, paragraphs: body, entities: people, contentHash: "h\(id)")
    }

    static let releases: [Release] = [
        // 1, 2 name him; 3 has his given name followed by a verb only; 4 has the characters
        // inside other words; 5 names someone else.
        release(1, 1, "รองนายกฯ ลงพื้นที่", ["นายอนุทิน ชาญวีรกูล รองนายกรัฐมนตรี ตรวจราชการจังหวัดเชียงใหม่"]),
        release(2, 2, "ประชุมกระทรวงมหาดไทย", ["โดยมีนายอนุทิน ชาญวีรกูล เป็นประธาน ณ กระทรวงมหาดไทย"], slug: "interior"),
        release(3, 3, "แถลงข่าว", ["นายอนุทิน กล่าวว่า กระทรวงสาธารณสุขจะเร่งดำเนินการ ที่กรุงเทพฯ"]),
        release(4, 4, "อนุทินข่าว", ["ข่าวอนุทินชาญวีรกูลไม่มีช่องว่าง"]),
        release(5, 5, "ลงพื้นที่ภาคเหนือ", ["นายสมศักดิ์ เทพสุทิน รัฐมนตรีว่าการกระทรวงสาธารณสุข เยือนจังหวัดเชียงใหม่และประเทศญี่ปุ่น"]),
        // The ingester's list (EntityExtractor) carries this person, written where this
        // extractor's own rule does not find it (no space after the family name).
        release(6, 6, "ต้อนรับคณะ", ["ต้อนรับคณะจากญี่ปุ่น โดยนางสาวพิมพ์ภัทรา วิชัยกุลให้การต้อนรับ"], people: ["นางสาวพิมพ์ภัทรา วิชัยกุล"]),
    ]

    static let store: ReleaseStore = {
        let s = try! ReleaseStore(path: try! StoreFixtures.tempPath("entities"), logger: StoreFixtures.logger)
        _ = try! s.apply(source: "t", items: StoreFixtures.items(releases))
        return s
    }()

    static func ids(_ q: String) throws -> [Int64] {
        try store.search(SearchQuery(text: q, sort: .oldest, limit: 100)).hits.map(\.id)
    }

    @Test(arguments: [
        ("person:\"อนุทิน ชาญวีรกูล\"", [1, 2] as [Int64]),
        ("person:\"นายอนุทิน ชาญวีรกูล\"", [1, 2]),
        ("person:อนุทิน", [1, 2]),
        ("person:ชาญวีรกูล", [1, 2]),
        ("person:\"พิมพ์ภัทรา วิชัยกุล\"", [6]),
        ("person:\"สมศักดิ์ เทพสุทิน\"", [5]),
        ("org:กระทรวงมหาดไทย", [2]),
        ("org:\"กระทรวงสาธารณสุข\"", [3, 5]),
        ("place:เชียงใหม่", [1, 5]),
        ("place:\"กรุงเทพมหานคร\"", [3]),
        ("place:กรุงเทพฯ", [3]),
        ("place:ญี่ปุ่น", [5, 6]),
        ("place:เชียงใหม่ person:อนุทิน", [1]),
        ("ตรวจราชการ place:เชียงใหม่", [1]),
        ("person:อนุทิน -ประธาน", [1]),
    ] as [(String, [Int64])])
    func filtersFindExactlyTheReleasesNamingIt(_ q: String, _ expected: [Int64]) throws {
        #expect(try Self.ids(q) == expected)
        // Total and facets are of the kept releases, not of the index's candidates.
        let r = try Self.store.search(SearchQuery(text: q, limit: 1, facets: true))
        #expect(r.total == expected.count)
        #expect(r.categoryFacets.reduce(0) { $0 + $1.count } == expected.count)
        #expect(r.monthFacets.reduce(0) { $0 + $1.count } == expected.count)
    }

    @Test func namesCountsReleasesPerNameForAQuery() throws {
        let r = try Self.store.names(query: "place:เชียงใหม่")
        #expect(r.releases == 2 && r.counted == 2)
        #expect(r.places.first == StoreNameCount(kind: .place, name: "เชียงใหม่", count: 2))
        #expect(Set(r.people.map(\.name)) == ["นายอนุทิน ชาญวีรกูล", "นายสมศักดิ์ เทพสุทิน"])
        #expect(r.people.allSatisfy { $0.count == 1 })
        #expect(r.organisations.map(\.name) == ["กระทรวงสาธารณสุข"])
    }

    @Test func entityProfilesOneName() throws {
        let p = try Self.store.entity(name: "อนุทิน ชาญวีรกูล")
        #expect(p.kind == .person && p.releases == 2)
        #expect(p.months.map(\.key) == ["2024-03"] && p.months.map(\.count) == [2])
        #expect(p.latest.map(\.id) == [2, 1])
        #expect(p.withNames.map(\.name).sorted() == ["กระทรวงมหาดไทย", "เชียงใหม่"])
        #expect(p.categories.reduce(0) { $0 + $1.count } == 2)
        let place = try Self.store.entity(name: "กรุงเทพฯ")
        #expect(place.kind == .place && place.releases == 1)
        #expect(try Self.store.entity(name: "ไม่มีใครชื่อนี้ เลย").kind == nil)
    }

    @Test func timelineCountsANameFilterPerPeriodAsSearchFindsIt() throws {
        let q = TimelineQuery(texts: ["place:เชียงใหม่", "person:อนุทิน"], period: .day,
                              from: CivilDate(year: 2024, month: 3, day: 1), to: CivilDate(year: 2024, month: 3, day: 6))
        let r = try Self.store.timeline(q)
        #expect(r.series.map(\.counts) == [[1, 0, 0, 0, 1, 0], [1, 1, 0, 0, 0, 0]])
        for s in r.series {
            #expect(s.error == nil)
            #expect(s.total == (try Self.store.search(SearchQuery(text: s.text))).total)
        }
    }

    @Test func paging() throws {
        let first = try Self.store.search(SearchQuery(text: "place:เชียงใหม่", sort: .oldest, limit: 1))
        let second = try Self.store.search(SearchQuery(text: "place:เชียงใหม่", sort: .oldest, limit: 1, offset: 1))
        #expect(first.hits.map(\.id) == [1])
        #expect(second.hits.map(\.id) == [5])
        #expect(first.total == 2 && second.total == 2)
    }

    @Test(arguments: [
        "person:อนุทิน OR ข่าว", "-person:อนุทิน ข่าว", "ข่าว NOT org:กระทรวงมหาดไทย", "place:แอตแลนติส", "person:\"\"",
        "person:\"อนุทิน",
    ])
    func refusedFilters(_ q: String) {
        #expect(throws: QuerySyntaxError.self) { try Self.store.search(SearchQuery(text: q)) }
    }

    @Test func typedNamesAreStoredAndReplacedWithANewVersion() throws {
        let path = try StoreFixtures.tempPath("entities-versions")
        let s = try ReleaseStore(path: path, logger: StoreFixtures.logger)
        _ = try s.apply(source: "t", items: [(1, Self.releases[0])])
        #expect(try s.entities(of: 1) == [Entity(kind: .person, name: "นายอนุทิน ชาญวีรกูล"), Entity(kind: .place, name: "เชียงใหม่")])
        var changed = Self.releases[0]
        changed.paragraphs = ["นายสมศักดิ์ เทพสุทิน ตรวจราชการจังหวัดลำปาง"]
        changed.contentHash = "h1-v2"
        _ = try s.apply(source: "t", items: [(2, changed)])
        #expect(try s.entities(of: 1) == [Entity(kind: .person, name: "นายสมศักดิ์ เทพสุทิน"), Entity(kind: .place, name: "ลำปาง")])
        #expect(try s.search(SearchQuery(text: "person:อนุทิน")).total == 0)
        #expect(try s.search(SearchQuery(text: "person:สมศักดิ์")).total == 1)
    }

    /// A file before schema v5: names in the flat `releases.entities` column only. Opening it
    /// types them (people and organisations told apart by their first word), then extracts the
    /// rest from the stored text.
    @Test func aV3DatabaseGetsTypedNames() throws {
        let path = try StoreFixtures.tempPath("entities-v3")
        do {
            let s = try ReleaseStore(path: path, logger: StoreFixtures.logger)
            _ = try s.apply(source: "t", items: [(1, Self.release(1, 1, "ข่าว", ["นางสาวพิมพ์ภัทรา วิชัยกุล เยือนกระทรวงอุตสาหกรรม จังหวัดลำปาง"]))])
        }
        // Back to before v5: drop what it made and forget that it ran.
        // The first store's maintenance thread may still be writing (text compaction): wait for it.
        let db = try DatabaseQueue(path: path, configuration: { var c = Configuration(); c.busyMode = .timeout(30); return c }())
        try db.write { db in
            try db.execute(sql: "DROP TABLE release_names")
            try db.execute(sql: "DROP TABLE names_backfill")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v5-typed-entities'")
            try db.execute(sql: "UPDATE releases SET entities = ? WHERE id = 1", arguments: ["นางสาวพิมพ์ภัทรา วิชัยกุล\nกระทรวงอุตสาหกรรม"])
        }
        try db.close()
        let s = try ReleaseStore(path: path, logger: StoreFixtures.logger)
        // The migration typed the flat list; the background extraction (run here to its end,
        // it may have begun on the maintenance thread) adds what the text names besides.
        try s.backfillNames()
        #expect(try s.entities(of: 1) == [Entity(kind: .person, name: "นางสาวพิมพ์ภัทรา วิชัยกุล"),
                                          Entity(kind: .organisation, name: "กระทรวงอุตสาหกรรม"),
                                          Entity(kind: .place, name: "ลำปาง")])
        #expect(try s.search(SearchQuery(text: "person:\"พิมพ์ภัทรา วิชัยกุล\"")).total == 1)
        #expect(try s.search(SearchQuery(text: "place:ลำปาง")).total == 1)
        #expect(try s.backfillNames() == 0)
    }
}
