import Foundation
import KhaosanTestSupport
import Logging
import Testing

@testable import KhaosanIndex

/// Random texts over a small alphabet (so phrases repeat, overlap and straddle each other), the
/// index against a literal scan.
struct IndexPropertyTests {
    static let alphabet: [UInt32] = Array("abcา ก".unicodeScalars.map(\.value))

    static func randomText(_ rng: inout SplitMix64, _ length: Int) -> [UInt32] {
        (0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
    }

    static func docs(_ rng: inout SplitMix64, count: Int, from id: Int64 = 1) -> [IndexDocument] {
        (0..<count).map { i in
            IndexDocument(releaseID: id + Int64(i), days: Int32(18_000 + Int(rng.next() % 1_000)),
                          categoryName: ["ข่าว", "Statements", "อื่นๆ"][Int(rng.next() % 3)], categorySlug: nil,
                          language: UInt8(rng.next() % 2),
                          title: randomText(&rng, 3 + Int(rng.next() % 12)), body: randomText(&rng, Int(rng.next() % 300)))
        }
    }

    static func contains(_ hay: [UInt32], _ needle: [UInt32]) -> Int {
        guard !needle.isEmpty, hay.count >= needle.count else { return 0 }
        var n = 0
        for i in 0...(hay.count - needle.count) where Array(hay[i..<(i + needle.count)]) == needle { n += 1 }
        return n
    }

    static func naive(_ docs: [IndexDocument], _ phrase: [UInt32]) -> Set<Int64> {
        var latest: [Int64: IndexDocument] = [:]
        for d in docs { latest[d.releaseID] = d }
        return Set(latest.values.filter { contains($0.title, phrase) + contains($0.body, phrase) > 0 }.map(\.releaseID))
    }

    /// Queries never start or end with a space (SearchText trims).
    static func trimmed(_ phrase: [UInt32]) -> [UInt32] {
        var p = phrase[...]
        while p.first == 0x20 { p.removeFirst() }
        while p.last == 0x20 { p.removeLast() }
        return Array(p)
    }

    /// 1 to `maxLength` characters cut from a random doc's body, trimmed; nil when that body is
    /// too short or the cut is all spaces.
    static func phraseFromABody(_ rng: inout SplitMix64, _ docs: [IndexDocument], maxLength: Int) -> [UInt32]? {
        let src = docs[Int(rng.next() % UInt64(docs.count))].body
        let len = 1 + Int(rng.next() % UInt64(maxLength))
        guard src.count > len else { return nil }
        let at = Int(rng.next() % UInt64(src.count - len))
        let phrase = trimmed(Array(src[at..<(at + len)]))
        return phrase.isEmpty ? nil : phrase
    }

    static func all(_ index: SearchIndex, _ q: IndexQuery) throws -> (Int, Set<Int64>) {
        let r = try index.search(IndexSearchRequest(query: q, limit: 100_000))
        return (r.total, Set(r.hits.map(\.releaseID)))
    }

    @Test(arguments: [1, 2, 3])
    func phrasesMatchALiteralScan(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let docs = Self.docs(&rng, count: 900)
        let index = SearchIndex(directory: nil, logger: Logger(label: "test"))
        // Three segments, one built with a hot tier (so both paths answer), one plain.
        var b = SegmentBuilder()
        for d in docs[0..<700] { b.add(d) }
        let big = b.build(hotFraction: 0.05, hotMinimumDocs: 100)
        try index.replaceAll(with: [big], through: 1)
        index.add(Array(docs[700..<800]), sequences: 2...2)
        index.add(Array(docs[800...]), sequences: 3...3)
        #expect(index.stats.hotEntries > 0)
        for _ in 0..<120 {
            // Phrases cut from the texts (they exist) and random ones (often not).
            let src = docs[Int(rng.next() % UInt64(docs.count))].body
            let len = 1 + Int(rng.next() % 8)
            var phrase: [UInt32]
            if rng.next() % 3 != 0, src.count > len {
                let at = Int(rng.next() % UInt64(src.count - len))
                phrase = Array(src[at..<(at + len)])
            } else {
                phrase = Self.randomText(&rng, len)
            }
            phrase = Self.trimmed(phrase)
            if phrase.isEmpty { continue }
            let truth = Self.naive(docs, phrase)
            let (total, got) = try Self.all(index, IndexQuery(phrase: phrase))
            #expect(total == truth.count, "phrase \(phrase)")
            #expect(got == truth, "phrase \(phrase)")
        }
    }

    /// Long phrases common to many documents (boilerplate, names) make the hot tier store most of
    /// their substrings derived from their prefix and suffix; every substring, and every variant
    /// that differs in one character, still matches exactly what a literal scan finds, as do
    /// titles (ranking's title part comes from the tier's title lists).
    @Test func derivedHotEntriesAnswerExactly() throws {
        var rng = SplitMix64(seed: 41)
        let common = Array("กระทรวงการคลังแถลง".unicodeScalars.map(\.value))
        var docs = Self.docs(&rng, count: 600)
        for i in docs.indices {
            switch rng.next() % 4 {
            case 0, 1: docs[i].body += [0x20] + common
            case 2:
                var variant = common
                variant[Int(rng.next() % UInt64(common.count))] = 0x61
                docs[i].body = variant + docs[i].body
            default: break
            }
            if rng.next() % 5 == 0 { docs[i].title += common.prefix(7 + Int(rng.next() % 8)) }
        }
        let index = SearchIndex(directory: nil, logger: Logger(label: "test"))
        var b = SegmentBuilder()
        for d in docs { b.add(d) }
        try index.replaceAll(with: [b.build(hotFraction: 0.05, hotMinimumDocs: 100)], through: 1)
        #expect(index.stats.hotDerivedEntries > 0)
        for start in 0..<common.count {
            for end in (start + 1)...common.count {
                let phrase = Array(common[start..<end])
                let truth = Self.naive(docs, phrase)
                let (total, got) = try Self.all(index, IndexQuery(phrase: phrase))
                #expect(total == truth.count && got == truth, "phrase \(start)..<\(end)")
            }
        }
        // Title presence: the best hit for a title-heavy substring has it in its title.
        let inTitle = Array(common.prefix(7))
        let top = try #require(try index.search(IndexSearchRequest(query: IndexQuery(phrase: inTitle), limit: 1)).hits.first)
        #expect(Self.contains(docs.first { $0.releaseID == top.releaseID }!.title, inTitle) > 0)
    }

    /// With no segmentation given, word boundaries are the spaces and the ends: a whole-word
    /// match is one with a space or an end on both sides.
    @Test func wholeWordMatchesHaveBoundariesOnBothSides() throws {
        var rng = SplitMix64(seed: 21)
        let docs = Self.docs(&rng, count: 600)
        let index = SearchIndex(directory: nil, logger: Logger(label: "test"))
        var b = SegmentBuilder()
        for d in docs[0..<500] { b.add(d) }
        try index.replaceAll(with: [b.build(hotFraction: 0.05, hotMinimumDocs: 100)], through: 1)
        index.add(Array(docs[500...]), sequences: 2...2)
        func wholeIn(_ hay: [UInt32], _ needle: [UInt32]) -> Bool {
            guard hay.count >= needle.count else { return false }
            for i in 0...(hay.count - needle.count) where Array(hay[i..<(i + needle.count)]) == needle {
                let before = i == 0 || hay[i - 1] == 0x20, after = i + needle.count == hay.count || hay[i + needle.count] == 0x20
                if before && after { return true }
            }
            return false
        }
        for _ in 0..<80 {
            guard let phrase = Self.phraseFromABody(&rng, docs, maxLength: 4) else { continue }
            let truth = Set(docs.filter { wholeIn($0.title, phrase) || wholeIn($0.body, phrase) }.map(\.releaseID))
            let q = IndexQuery(root: .phrase(0), leaves: [phrase], wholeWords: [true])
            #expect(try Self.all(index, q).1 == truth, "phrase \(phrase)")
        }
    }

    /// A one-phrase page ranked with its whole-word bonus settled on demand (only for the docs
    /// that can reach the page) is the page of checking every match as it is found: the same
    /// releases in the same order with the same scores, for pages of 1 to 40 at any offset, with
    /// and without a filter. Segments with and without a hot tier, so some phrases have no bonus
    /// at all (a hot answer does not know whole words).
    @Test(arguments: [4, 5])
    func onDemandWholeWordsRankAsCheckingEveryMatch(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let docs = Self.docs(&rng, count: 700)
        let index = SearchIndex(directory: nil, logger: Logger(label: "test"))
        var b = SegmentBuilder()
        for d in docs[0..<300] { b.add(d) }
        try index.replaceAll(with: [b.build(hotFraction: seed == 4 ? 0.05 : 1.0, hotMinimumDocs: 100)], through: 1)
        index.add(Array(docs[300..<500]), sequences: 2...2)
        index.add(Array(docs[500...]), sequences: 3...3)
        let snapshot = index.snapshot()
        var compared = 0
        for round in 0..<80 {
            guard let phrase = Self.phraseFromABody(&rng, docs, maxLength: 5) else { continue }
            var filter = IndexFilter()
            if round % 3 == 0 { filter.language = UInt8(round % 2) }
            let request = IndexSearchRequest(query: IndexQuery(phrase: phrase), filter: filter,
                                             offset: Int(rng.next() % 5), limit: 1 + Int(rng.next() % 40))
            let lazy = try Searcher.search(snapshot, request)
            let eager = try Searcher.search(snapshot, request, wholeWordsOnDemand: false)
            #expect(lazy.total == eager.total, "phrase \(phrase)")
            #expect(lazy.hits.map(\.releaseID) == eager.hits.map(\.releaseID), "phrase \(phrase)")
            #expect(lazy.hits.map(\.score) == eager.hits.map(\.score), "phrase \(phrase)")
            if eager.hits.count > 1 { compared += 1 }
        }
        #expect(compared > 20)
    }

    @Test func booleanQueriesMatchSetAlgebra() throws {
        var rng = SplitMix64(seed: 9)
        let docs = Self.docs(&rng, count: 400)
        let index = SearchIndex(directory: nil, logger: Logger(label: "test"))
        index.add(docs, sequences: 1...1)
        let a: [UInt32] = Array("ab".unicodeScalars.map(\.value)), c: [UInt32] = Array("กา".unicodeScalars.map(\.value))
        let ta = Self.naive(docs, a), tc = Self.naive(docs, c)
        let and = IndexQuery(root: .and([.phrase(0), .phrase(1)]), leaves: [a, c])
        #expect(try Self.all(index, and).1 == ta.intersection(tc))
        let or = IndexQuery(root: .or([.phrase(0), .phrase(1)]), leaves: [a, c])
        #expect(try Self.all(index, or).1 == ta.union(tc))
        let not = IndexQuery(root: .and([.phrase(0), .not(.phrase(1))]), leaves: [a, c])
        #expect(try Self.all(index, not).1 == ta.subtracting(tc))
    }

    @Test func aNewerVersionMasksTheOlderOne() throws {
        let index = SearchIndex(directory: nil, logger: Logger(label: "test"))
        let t = Array("title".unicodeScalars.map(\.value))
        let old = IndexDocument(releaseID: 7, days: 1, categoryName: "x", categorySlug: nil, language: 0, title: t,
                                body: Array("old words".unicodeScalars.map(\.value)))
        var new = old
        new.body = Array("new words".unicodeScalars.map(\.value))
        index.add([old], sequences: 1...1)
        index.add([new], sequences: 2...2)
        #expect(try Self.all(index, IndexQuery(phrase: Array("old".unicodeScalars.map(\.value)))).0 == 0)
        #expect(try Self.all(index, IndexQuery(phrase: Array("new".unicodeScalars.map(\.value)))).0 == 1)
        try index.maintain(force: true)
        #expect(index.stats.segments == 1)
        #expect(index.stats.documents == 1)
        #expect(try Self.all(index, IndexQuery(phrase: Array("words".unicodeScalars.map(\.value)))).0 == 1)
    }

    @Test func segmentsSurviveAReopenAndDamageIsDetected() throws {
        let dir = try Fixtures.temporaryDirectory("index")
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = SplitMix64(seed: 4)
        let docs = Self.docs(&rng, count: 300)
        let phrase = Array(docs[5].body.prefix(4))
        let truth = Self.naive(docs, phrase)
        do {
            let index = SearchIndex(directory: IndexDirectory(path: dir.path), logger: Logger(label: "test"))
            #expect(try index.open() == nil)
            index.add(Array(docs[0..<150]), sequences: 10...10)
            index.add(Array(docs[150...]), sequences: 20...20)
            try index.maintain(force: true)
            #expect(index.coveredSequence == 20)
        }
        let again = SearchIndex(directory: IndexDirectory(path: dir.path), logger: Logger(label: "test"))
        #expect(try again.open() == 20)
        #expect(try Self.all(again, IndexQuery(phrase: phrase)).1 == truth)
        // Flip one byte of the segment file: opening must refuse it.
        let seg = try FileManager.default.contentsOfDirectory(atPath: dir.path).first { $0.hasSuffix(".kseg") }!
        let h = try FileHandle(forUpdating: dir.appendingPathComponent(seg))
        try h.seek(toOffset: 200)
        let byte = try h.read(upToCount: 1)![0]
        try h.seek(toOffset: 200)
        try h.write(contentsOf: Data([byte ^ 0x40]))
        try h.close()
        let damaged = SearchIndex(directory: IndexDirectory(path: dir.path), logger: Logger(label: "test"))
        #expect(throws: IndexError.self) { try damaged.open() }
    }
}
