import Foundation
import KhaosanTestSupport
import Logging
import Testing

@testable import KhaosanIndex

/// Period counts (a timeline) against a naive count over random documents, with the calendar
/// worked out by Foundation's Gregorian calendar rather than by `IndexPeriod`.
struct TimelinePropertyTests {
    static let utc: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        return c
    }()

    /// The first day (days since 1970) of the period holding `days`, by Foundation.
    static func naiveStart(_ period: IndexPeriod, _ days: Int32) -> Int32 {
        let date = Date(timeIntervalSince1970: Double(days) * 86_400)
        let c = utc.dateComponents([.year, .month, .weekday], from: date)
        let start: Date
        switch period {
        case .day: start = date
        case .week: start = date.addingTimeInterval(-Double((c.weekday! + 5) % 7) * 86_400)  // back to Monday
        case .month: start = utc.date(from: DateComponents(year: c.year, month: c.month, day: 1))!
        case .year: start = utc.date(from: DateComponents(year: c.year, month: 1, day: 1))!
        }
        return Int32((start.timeIntervalSince1970 / 86_400).rounded())
    }

    static func docs(_ rng: inout SplitMix64, count: Int) -> [IndexDocument] {
        let alphabet: [UInt32] = Array("abก".unicodeScalars.map(\.value))
        return (0..<count).map { i in
            // Mostly 2020-2024; a few around 1970 so that negative days and the epoch's week
            // (Thursday) are crossed. Ids repeat now and then: newer versions mask older ones.
            let days = rng.next() % 20 == 0 ? Int32(Int(rng.next() % 40)) - 20 : Int32(18_262 + Int(rng.next() % 1_827))
            return IndexDocument(releaseID: Int64(rng.next() % 10 == 0 ? Int(rng.next() % UInt64(i + 1)) : i + 1_000),
                                 days: days, categoryName: ["ข่าว", "Statements"][Int(rng.next() % 2)], categorySlug: nil,
                                 language: UInt8(rng.next() % 2),
                                 title: (0..<3).map { _ in alphabet[Int(rng.next() % 3)] },
                                 body: (0..<Int(rng.next() % 40)).map { _ in alphabet[Int(rng.next() % 3)] })
        }
    }

    @Test(arguments: IndexPeriod.allCases)
    func periodCountsMatchANaiveCount(period: IndexPeriod) throws {
        var rng = SplitMix64(seed: 16 + UInt64(IndexPeriod.allCases.firstIndex(of: period)!))
        let docs = Self.docs(&rng, count: 1_500)
        let index = SearchIndex(directory: nil, logger: Logger(label: "test"))
        var b = SegmentBuilder()
        for d in docs[0..<1_000] { b.add(d) }
        try index.replaceAll(with: [b.build(hotFraction: 0.05, hotMinimumDocs: 50)], through: 1)
        index.add(Array(docs[1_000...]), sequences: 2...2)
        var latest: [Int64: IndexDocument] = [:]
        for d in docs { latest[d.releaseID] = d }
        let live = Array(latest.values)

        let snapshot = index.snapshot()
        #expect(snapshot.firstDay == live.map(\.days).min())
        #expect(snapshot.lastDay == live.map(\.days).max())
        let phrase = Array("ab".unicodeScalars.map(\.value))
        let filters = [IndexFilter(), IndexFilter(fromDays: 18_500, toDays: 19_700, language: 1),
                       IndexFilter(fromDays: -10, categories: ["Statements"])]
        for filter in filters {
            let from = filter.fromDays ?? snapshot.firstDay!, to = filter.toDays ?? snapshot.lastDay!
            let range = IndexPeriodRange(period: period, fromDays: from, toDays: to)
            let starts = range.startDays
            #expect(starts == starts.sorted() && Set(starts).count == starts.count)
            let r = try index.search(IndexSearchRequest(query: IndexQuery(phrase: phrase), filter: filter, limit: 0, periods: range))
            let totals = Searcher.periodTotals(snapshot, range, filter: filter)

            func passes(_ d: IndexDocument) -> Bool {
                d.days >= from && d.days <= to && (filter.language.map { $0 == d.language } ?? true)
                    && (filter.categories.isEmpty || filter.categories.contains(d.categoryName))
            }
            func matches(_ d: IndexDocument) -> Bool {
                let t = d.title + [0] + d.body
                return t.indices.dropLast().contains { t[$0] == phrase[0] && t[$0 + 1] == phrase[1] }
            }
            var wantCounts = [Int](repeating: 0, count: starts.count), wantTotals = wantCounts
            let slot = Dictionary(uniqueKeysWithValues: starts.enumerated().map { ($1, $0) })
            for d in live where passes(d) {
                let s = try #require(slot[Self.naiveStart(period, d.days)], "day \(d.days) has no period")
                wantTotals[s] += 1
                if matches(d) { wantCounts[s] += 1 }
            }
            #expect(r.periodCounts == wantCounts, "\(period) \(filter)")
            #expect(totals == wantTotals, "\(period) \(filter)")
            #expect(r.periodCounts.reduce(0, +) == r.total)
            #expect(zip(r.periodCounts, totals).allSatisfy { $0 <= $1 })
        }
    }

    @Test func aRangeWithoutMatchesIsAllZeros() throws {
        let index = SearchIndex(directory: nil, logger: Logger(label: "test"))
        let r = try index.search(IndexSearchRequest(query: IndexQuery(phrase: [0x61]), limit: 0,
                                                    periods: IndexPeriodRange(period: .month, fromDays: 0, toDays: 364)))
        #expect(r.periodCounts == [Int](repeating: 0, count: 12))
        #expect(IndexPeriodRange(period: .day, fromDays: 5, toDays: 4).count == 0)
    }
}
