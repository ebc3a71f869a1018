import KhaosanTestSupport
import Logging
import Testing

@testable import KhaosanIndex

/// `HitPager`'s pages, put end to end, against a naive list: every live matching document once,
/// sorted by (day, release id), whatever the page size (1 cuts at every hit; 7 and 64 cut inside
/// a day and inside a segment), over a file segment plus memory segments whose days overlap it
/// and whose releases replace some of its documents.
struct HitPagerPropertyTests {
    @Test(arguments: [1, 7, 64, 5_000])
    func pagesEndToEndAreTheSortedLiveMatches(pageSize: Int) throws {
        var rng = SplitMix64(seed: 36 + UInt64(pageSize))
        let docs = TimelinePropertyTests.docs(&rng, count: 1_200)
        let index = SearchIndex(directory: nil, logger: Logger(label: "test"))
        var b = SegmentBuilder()
        for d in docs[0..<700] { b.add(d) }
        try index.replaceAll(with: [b.build(hotFraction: 0.05, hotMinimumDocs: 50)], through: 1)
        index.add(Array(docs[700..<950]), sequences: 2...2)
        index.add(Array(docs[950...]), sequences: 3...3)
        var latest: [Int64: IndexDocument] = [:]
        for d in docs { latest[d.releaseID] = d }

        let phrase = Array("ab".unicodeScalars.map(\.value))
        func matches(_ d: IndexDocument) -> Bool {
            let t = d.title + [0] + d.body
            return t.indices.dropLast().contains { t[$0] == phrase[0] && t[$0 + 1] == phrase[1] }
        }
        let cases: [(IndexQuery?, IndexFilter, (IndexDocument) -> Bool)] = [
            (IndexQuery(phrase: phrase), IndexFilter(), matches),
            (nil, IndexFilter(), { _ in true }),
            (IndexQuery(phrase: phrase), IndexFilter(fromDays: 18_500, toDays: 19_700, language: 1),
             { matches($0) && $0.days >= 18_500 && $0.days <= 19_700 && $0.language == 1 }),
        ]
        for (query, filter, wanted) in cases {
            let want = latest.values.filter(wanted).map { HitPager.Cursor(days: $0.days, releaseID: $0.releaseID) }
                .sorted { ($0.days, $0.releaseID) < ($1.days, $1.releaseID) }
            let pager = HitPager(snapshot: index.snapshot(), query: query, filter: filter)
            #expect(try pager.total(cancelled: { false }) == want.count)
            var got: [HitPager.Cursor] = []
            var cursor: HitPager.Cursor?
            var pages = 0
            while true {
                let page = try pager.page(after: cursor, limit: pageSize, cancelled: { false })
                #expect(page.count <= pageSize)
                got += page.map { HitPager.Cursor(days: $0.days, releaseID: $0.releaseID) }
                pages += 1
                guard page.count == pageSize, let last = page.last else { break }
                cursor = HitPager.Cursor(days: last.days, releaseID: last.releaseID)
                if pages > want.count + 2 { break }
            }
            #expect(got == want, "query \(query == nil ? "none" : "ab"), \(got.count) hits paged, \(want.count) wanted")
        }
    }

    /// A page filled (and cut) in one segment must still take an earlier hit of a later
    /// segment that starts on the page's last day: the skip is "first day after the page's last
    /// day", never "on or after".
    @Test func aLaterSegmentStartingOnThePagesLastDayIsStillRead() throws {
        let a = Array("ab".unicodeScalars.map(\.value))
        func doc(_ id: Int64, _ day: Int32) -> IndexDocument {
            IndexDocument(releaseID: id, days: day, categoryName: "ข่าว", categorySlug: nil, language: 0, title: a, body: a)
        }
        let index = SearchIndex(directory: nil, logger: Logger(label: "test"))
        var b = SegmentBuilder()
        for id in [5, 6, 7, 8] as [Int64] { b.add(doc(id, 10)) }
        try index.replaceAll(with: [b.build(hotFraction: 0.05, hotMinimumDocs: 50)], through: 1)
        index.add([doc(1, 10), doc(2, 11)], sequences: 2...2)
        let pager = HitPager(snapshot: index.snapshot(), query: IndexQuery(phrase: a), filter: IndexFilter())
        let first = try pager.page(after: nil, limit: 2, cancelled: { false })
        #expect(first.map(\.releaseID) == [1, 5])
        let rest = try pager.page(after: HitPager.Cursor(days: 10, releaseID: 5), limit: 10, cancelled: { false })
        #expect(rest.map(\.releaseID) == [6, 7, 8, 2])
    }
}
