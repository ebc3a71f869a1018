import Foundation
import KhaosanIndex
@testable import KhaosanQuery
import KhaosanModel
import Logging
import Testing

/// The store's timeline over releases with known dates: series against search totals, zeros
/// for empty periods, totals per period, and a bad query among good ones.
@Suite struct TimelineStoreTests {
    static func release(_ id: Int64, _ date: CivilDate, _ title: String, category: String = "ด้านสังคม", slug: String = "society") -> Release {
        Release(id: id, sourceURL: "https://www.thaigov.go.th/news/contents/details/\(id)", title: title,
                published: date, category: Category(name: category, slug: slug), language: .th,
                paragraphs: ["เนื้อหาข่าว \(title)"], entities: [], contentHash: "h\(id)")
    }

    // January: 2 vaccine, 1 rice; February: nothing; March: 1 vaccine (economy), 1 rice; April: 1 vaccine.
    static let releases: [Release] = [
        release(1, CivilDate(year: 2023, month: 1, day: 3), "วัคซีนโควิด"),
        release(2, CivilDate(year: 2023, month: 1, day: 31), "ส่งมอบวัคซีน"),
        release(3, CivilDate(year: 2023, month: 1, day: 15), "ราคาข้าว"),
        release(4, CivilDate(year: 2023, month: 3, day: 1), "วัคซีนเข็มสาม", category: "ด้านเศรษฐกิจ", slug: "economy"),
        release(5, CivilDate(year: 2023, month: 3, day: 20), "ข้าวหอมมะลิ"),
        release(6, CivilDate(year: 2023, month: 4, day: 30), "วัคซีนไข้หวัดใหญ่"),
    ]

    static let store: ReleaseStore = {
        let s = try! ReleaseStore(path: try! StoreFixtures.tempPath("timeline"), logger: StoreFixtures.logger)
        _ = try! s.apply(source: "t", items: StoreFixtures.items(releases))
        return s
    }()

    @Test func monthlySeriesHaveZerosForEmptyMonthsAndSumToTheSearchTotal() throws {
        let q = TimelineQuery(texts: ["วัคซีน", "ข้าว"], period: .month, from: CivilDate(year: 2022, month: 12, day: 1),
                              to: CivilDate(year: 2023, month: 5, day: 31), totals: true)
        let r = try Self.store.timeline(q)
        #expect(r.periodStarts.map(\.description) == ["2022-12-01", "2023-01-01", "2023-02-01", "2023-03-01", "2023-04-01", "2023-05-01"])
        #expect(r.series.map(\.counts) == [[0, 2, 0, 1, 1, 0], [0, 1, 0, 1, 0, 0]])
        #expect(r.totals == [0, 3, 0, 2, 1, 0])
        for s in r.series {
            let search = try Self.store.search(SearchQuery(text: s.text, from: q.from, to: q.to))
            #expect(s.total == search.total)
            #expect(s.counts.reduce(0, +) == s.total)
        }
    }

    @Test func withoutBoundsTheSeriesSpansTheArchiveAndFiltersApply() throws {
        let r = try Self.store.timeline(TimelineQuery(texts: ["วัคซีน"], period: .month, categories: ["society"], totals: true))
        #expect(r.periodStarts.first?.description == "2023-01-01")
        #expect(r.periodStarts.last?.description == "2023-04-01")
        #expect(r.series[0].counts == [2, 0, 0, 1])
        #expect(r.totals == [3, 0, 1, 1])
        let weeks = try Self.store.timeline(TimelineQuery(texts: ["วัคซีน"], period: .week, from: CivilDate(year: 2023, month: 1, day: 1),
                                                          to: CivilDate(year: 2023, month: 1, day: 10)))
        // 2023-01-01 is a Sunday: its week starts on Monday 2022-12-26.
        #expect(weeks.periodStarts.map(\.description) == ["2022-12-26", "2023-01-02", "2023-01-09"])
        #expect(weeks.series[0].counts == [0, 1, 0])
    }

    @Test func aBadQueryGetsItsErrorAndTheOthersStillRun() throws {
        let r = try Self.store.timeline(TimelineQuery(texts: ["วัคซีน", "(ข้าว", "ข้าว"], period: nil))
        #expect(r.periodStarts.isEmpty)
        #expect(r.series.map(\.total) == [4, 0, 2])
        #expect(r.series[1].error != nil)
        #expect(r.series[0].error == nil && r.series[2].error == nil)
    }

    @Test func limitsAndDeadlinesAreEnforced() throws {
        #expect(throws: QuerySyntaxError.self) {
            try Self.store.timeline(TimelineQuery(texts: ["ข้าว"], period: .day, from: CivilDate(year: 1900, month: 1, day: 1)))
        }
        #expect(throws: QuerySyntaxError.self) {
            try Self.store.timeline(TimelineQuery(texts: Array(repeating: "ข้าว", count: TimelineQuery.maxQueries + 1), period: nil))
        }
        #expect(throws: QuerySyntaxError.self) { try Self.store.timeline(TimelineQuery(texts: [], period: nil)) }
        #expect(throws: SearchCancelled.self) {
            try Self.store.timeline(TimelineQuery(texts: Array(repeating: "วัคซีน", count: 1_000), period: .month,
                                                  deadline: ContinuousClock.now - .seconds(1)))
        }
    }
}
