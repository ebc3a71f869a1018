import KhaosanTestSupport
import Logging
import Testing

@testable import KhaosanIndex

/// The hot tier's entries against a literal count over the texts: every substring of 3 to
/// `maximumLength` characters found in at least the tier's share of documents has an entry, with
/// exactly the documents and titles that contain it, and there are no others.
struct HotTierTests {
    /// Every substring of `text` that the oracle counts, by length: those of 3 characters, and
    /// longer ones whose prefix one shorter is common (a substring is never more common than its
    /// prefix, so nothing common is skipped). Literal slices of the texts, no streams or ids.
    static func naive(_ docs: [IndexDocument], fraction: Double) -> [[UInt32]: (docs: Set<Int>, titles: Set<Int>)] {
        let n = docs.count
        let short = max(2, Int((Double(n) * fraction).rounded(.up)))
        let long = max(short, Int((Double(n) * max(fraction, HotTier.longFraction)).rounded(.up)))
        var result: [[UInt32]: (docs: Set<Int>, titles: Set<Int>)] = [:]
        var previous: Set<[UInt32]>? = nil
        for k in 3...HotTier.maximumLength {
            var counts: [[UInt32]: (docs: Set<Int>, titles: Set<Int>)] = [:]
            for (d, doc) in docs.enumerated() {
                for (text, isTitle) in [(doc.title, true), (doc.body, false)] where text.count >= k {
                    for start in 0...(text.count - k) {
                        if let previous, !previous.contains(Array(text[start..<(start + k - 1)])) { continue }
                        let s = Array(text[start..<(start + k)])
                        counts[s, default: ([], [])].docs.insert(d)
                        if isTitle { counts[s, default: ([], [])].titles.insert(d) }
                    }
                }
            }
            let hot = counts.filter { $0.value.docs.count >= (k == 3 ? short : long) }
            if hot.isEmpty { break }
            result.merge(hot) { a, _ in a }
            previous = Set(hot.keys)
        }
        return result
    }

    static func segment(_ docs: [IndexDocument], fraction: Double) -> Segment {
        var b = SegmentBuilder()
        for d in docs { b.add(d) }
        return Segment(storage: SegmentStorage(bytes: b.build(hotFraction: fraction, hotMinimumDocs: 100)))
    }

    /// The entry of `phrase` matches the oracle's documents and titles.
    static func check(_ segment: Segment, _ phrase: [UInt32], _ truth: (docs: Set<Int>, titles: Set<Int>)) -> Bool {
        guard let e = segment.hot.entry(phrase) else { return false }
        let titles = Set((0..<e.titles.count).map { Int(e.titles[$0]) })
        return e.df == truth.docs.count && Set(e.docs.members().map(Int.init)) == truth.docs && titles == truth.titles
    }

    @Test(arguments: [UInt64(5), 6])
    func entriesAreExactlyTheCommonSubstrings(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let docs = IndexPropertyTests.docs(&rng, count: 400)
        let segment = Self.segment(docs, fraction: 0.05)
        let truth = Self.naive(docs, fraction: 0.05)
        #expect(truth.count > 100 && truth.count < HotTier.maximumEntries)
        #expect(segment.hot.count == truth.count)
        let wrong = truth.keys.filter { !Self.check(segment, $0, truth[$0]!) }
        let count = wrong.count
        #expect(count == 0, "\(count) of \(truth.count) entries missing or wrong, e.g. \(wrong.first ?? [])")
    }

    /// The build codes characters in 16 bits: a segment with more distinct characters than that
    /// (hostile input: here 70,000 CJK and supplementary-plane ones) gets no tier, and its
    /// common phrases are still found exactly, from the postings.
    @Test func moreCharactersThanCodesLeavesNoTier() throws {
        var rng = SplitMix64(seed: 9)
        var docs = IndexPropertyTests.docs(&rng, count: 100)
        let common: [UInt32] = [0x0E01, 0x0E32, 0x0E23, 0x0E1B, 0x0E23]
        for i in docs.indices {
            docs[i].body += [0x20] + common + [0x20]
            let rare = (0..<700).map { UInt32(0x4E00 + i * 700 + $0) }
            docs[i].body += rare.map { $0 < 0xA000 ? $0 : $0 - 0xA000 + 0x20000 }
        }
        let segment = Self.segment(docs, fraction: 0.05)
        #expect(segment.hot.count == 0)
        let index = SearchIndex(directory: nil, logger: Logger(label: "test"))
        var b = SegmentBuilder()
        for d in docs { b.add(d) }
        try index.replaceAll(with: [b.build(hotFraction: 0.05, hotMinimumDocs: 100)], through: 1)
        let (total, got) = try IndexPropertyTests.all(index, IndexQuery(phrase: common))
        #expect(total == 100 && got == IndexPropertyTests.naive(docs, common))
    }
}
