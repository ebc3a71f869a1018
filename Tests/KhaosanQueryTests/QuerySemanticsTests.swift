import Foundation
@testable import KhaosanQuery
import KhaosanModel
import Testing

/// What a user of the query language can predict, on a few hand-made releases.
struct QuerySemanticsTests {
    static func release(_ id: Int64, _ title: String, _ body: [String]) -> Release {
        Release(id: id, sourceURL: "https://www.thaigov.go.th/news/contents/details/\(id)", title: title,
                published: CivilDate(year: 2024, month: 1, day: Int(id % 28) + 1), category: Category(name: "ด้านสังคม", slug: "society"),
                language: .th, paragraphs: body, entities: [], contentHash: "h\(id)")
    }

    static let store: ReleaseStore = {
        let s = try! ReleaseStore(path: try! StoreFixtures.tempPath("semantics"), logger: StoreFixtures.logger)
        let rs = [
            release(1, "งบประมาณรายจ่าย", ["อนุมัติงบ ๑๐,๐๐๐ บาท ให้โรงเรียน"]),
            release(2, "วัคซีน", ["ส่งมอบ 10,000 โดส vaccine, ให้จังหวัด"]),
            release(3, "ยางพาราราคาดี", ["เกษตรกรชาวสวนยางพอใจ"]),
            release(4, "ข่าวยา", ["องค์การเภสัชกรรมผลิตยา และ vaccine รุ่นใหม่"]),
            release(5, "ไฟฟ้าดับ (ไฟ) ในเมือง", ["การไฟฟ้าแจ้งซ่อม"]),
        ]
        _ = try! s.apply(source: "t", items: rs.enumerated().map { (UInt64($0.offset + 1), $0.element) })
        return s
    }()

    static func ids(_ q: String) throws -> Set<Int64> { Set(try store.search(SearchQuery(text: q, limit: 100)).hits.map(\.id)) }

    @Test func thaiDigitsEqualArabicDigitsInPhrasesWithSeparators() throws {
        #expect(try Self.ids("๑๐,๐๐๐") == [1, 2])
        #expect(try Self.ids("10,000") == [1, 2])
        #expect(try Self.ids("\"๑๐,๐๐๐ บาท\"") == [1])
    }

    @Test(arguments: [("vaccine,", "vaccine"), ("(ไฟ)", "ไฟ"), ("ไฟ.", "ไฟ"), ("“vaccine”", "vaccine")])
    func punctuationAtTheEdgeOfABareWordIsIgnored(typed: String, plain: String) throws {
        #expect(try Self.ids(typed) == Self.ids(plain))
        #expect(try !Self.ids(plain).isEmpty)
    }

    @Test func insideQuotesPunctuationIsLiteral() throws {
        #expect(try Self.ids("\"vaccine,\"") == [2])
        #expect(try Self.ids("\"(ไฟ)\"") == [5])
    }

    @Test func aMatchOnlyInTheTitleGetsTheTitleAsItsSnippet() throws {
        let r = try Self.store.search(SearchQuery(text: "ราคาดี"))
        let hit = try #require(r.hits.first)
        #expect(hit.id == 3)
        #expect(hit.snippet == "ยางพาราราคาดี")
        #expect(hit.highlights.map { String(decoding: Array(hit.snippet.utf8)[$0], as: UTF8.self) } == ["ราคาดี"])
    }

    @Test func wholeWordsRankFirstAndEqualsRestrictsToThem() throws {
        // ยา is in 3's title inside ยาง, and a word of 4's title and body.
        let r = try Self.store.search(SearchQuery(text: "ยา"))
        #expect(r.total == 2)
        #expect(r.hits.map(\.id) == [4, 3])
        #expect(try Self.ids("=ยา") == [4])
        #expect(try Set(Self.store.search(SearchQuery(text: "ยา", wholeWords: true)).hits.map(\.id)) == [4])
        #expect(try Self.ids("=ยาง") == [])
        #expect(try Self.ids("=ยางพารา") == [3])
        #expect(try Self.ids("=\"ยางพารา\"") == [3])
        #expect(try Self.ids("=vaccine") == [2, 4])
        #expect(try Self.ids("=vacc") == [])
    }

    @Test(arguments: [
        (String(repeating: "ก", count: QueryParser.maxBytes / 3 + 1), "bytes long; the limit is \(QueryParser.maxBytes)"),
        (String(repeating: "(", count: QueryParser.maxDepth + 1) + "ยา" + String(repeating: ")", count: QueryParser.maxDepth + 1), "nests deeper than \(QueryParser.maxDepth)"),
        ("ยา " + String(repeating: "-", count: 100) + "ไฟ", "nests deeper than \(QueryParser.maxDepth)"),
        ((0...QueryParser.maxTerms).map { "w\($0)" }.joined(separator: " "), "different terms; the limit is \(QueryParser.maxTerms)"),
    ])
    func oversizedQueriesAreRefusedNamingTheLimit(query: String, message: String) {
        #expect {
            _ = try QueryParser.compile(query)
        } throws: { error in
            (error as? QuerySyntaxError)?.message.contains(message) == true
        }
    }

    @Test func loneDashesArePunctuationNotOperators() throws {
        #expect(try Self.ids("- - - ยา") == Self.ids("ยา"))
    }

    @Test func deepNestingWithinTheLimitWorks() throws {
        let q = String(repeating: "(", count: QueryParser.maxDepth - 1) + "ยา" + String(repeating: ")", count: QueryParser.maxDepth - 1)
        #expect(try Self.ids(q) == [3, 4])
    }

    @Test func aSearchStopsAtItsDeadline() {
        #expect(throws: SearchCancelled.self) {
            _ = try Self.store.search(SearchQuery(text: "ยา", deadline: .now - .seconds(1)))
        }
    }

    @Test func aQueryWithNoHitsSuggestsANearbySpellingThatHasSome() throws {
        let r = try Self.store.search(SearchQuery(text: "vacine"))
        #expect(r.total == 0)
        let s = try #require(r.suggestions.first)
        #expect(s.key == "vaccine")
        #expect(s.count == 2)
        // The suggestion is the query with the term replaced, and it runs.
        #expect(try Self.store.search(SearchQuery(text: s.key)).total == s.count)
        #expect(try Self.store.search(SearchQuery(text: "เกษตรกร ชาวสวนยาน")).suggestions.map(\.key).contains("เกษตรกร ชาวสวนยาง"))
        #expect(try Self.store.search(SearchQuery(text: "ยา")).suggestions.isEmpty)
    }
}
