import KhaosanTestSupport
import Testing
@testable import KhaosanThai

/// `occurrences(of:in:limit:)` (the stream built in buffers, several needles over one
/// normalisation) against a naive search over `walk`'s stream, the definition of what search
/// matches.
@Suite struct SearchTextOccurrencesTests {
    static func naive(_ needle: [UInt32], _ text: String, limit: Int) -> [Range<Int>] {
        var stream: [(UInt32, Range<Int>)] = []
        SearchText.walk(text) { stream.append(($0, $1)) }
        var out: [Range<Int>] = []
        var i = 0
        while !needle.isEmpty && i + needle.count <= stream.count && out.count < limit {
            if (0..<needle.count).allSatisfy({ stream[i + $0].0 == needle[$0] }) {
                let span = stream[i..<(i + needle.count)].map(\.1)
                out.append(span.map(\.lowerBound).min()!..<span.map(\.upperBound).max()!)
                i += needle.count
            } else {
                i += 1
            }
        }
        return out
    }

    /// Marks typed before their base and doubled, ํ + า, zero-width and no-break spaces, runs of
    /// spaces and newlines, Thai digits, upper-case Latin: everything the normaliser changes.
    static let pieces: [String] = ["ก", "ร", "า", "ั", "ิ", "่", "ุ", "้", "ำ", "เ", "์", "๑", "1", "a", "B", " ", "  ", "\n",
                                   "\u{00A0}", "\u{200B}", ",", "รัฐบาล", "ยา", "ยาง", "\u{0E4D}\u{0E32}", "่่", "COVID"]

    @Test(arguments: 0..<300)
    func matchesTheNaiveSearch(seed: Int) {
        var rng = SplitMix64(seed: UInt64(seed))
        let text = (0..<Int.random(in: 0...40, using: &rng)).map { _ in Self.pieces.randomElement(using: &rng)! }.joined()
        let stream = SearchText.scalars(text)
        // Needles cut from the text's own stream (so most occur), and random ones (most do not).
        var needles: [[UInt32]] = []
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            if !stream.isEmpty && Bool.random(using: &rng) {
                let lo = Int.random(in: 0..<stream.count, using: &rng)
                needles.append(Array(stream[lo..<min(stream.count, lo + Int.random(in: 1...4, using: &rng))]))
            } else {
                needles.append(SearchText.scalars((0..<Int.random(in: 0...2, using: &rng)).map { _ in Self.pieces.randomElement(using: &rng)! }.joined()))
            }
        }
        let limit = Bool.random(using: &rng) ? Int.max : Int.random(in: 1...2, using: &rng)
        let expected = needles.flatMap { Self.naive($0, text, limit: limit) }
        #expect(SearchText.occurrences(of: needles, in: text, limit: limit) == expected, "\(text.debugDescription) \(needles)")
        for n in needles {
            #expect(SearchText.occurrences(of: n, in: text, limit: limit) == Self.naive(n, text, limit: limit))
        }
    }

    @Test func spacesAtTheEdgesAndInRunsMatchOneSpace() {
        let text = "  นาย\u{00A0}\u{00A0}เศรษฐา \n ทวีสิน  "
        let found = SearchText.occurrences(of: [SearchText.scalars("นาย เศรษฐา"), SearchText.scalars("เศรษฐา ทวี")], in: text)
        #expect(found.count == 2)
        // The first needle's span starts at นาย's first byte (after the two leading spaces).
        #expect(found.first?.lowerBound == 2)
        // No space before the first scalar of the stream (a typed query is trimmed as well).
        #expect(SearchText.occurrences(of: [SearchText.space] + SearchText.scalars("นาย"), in: text).isEmpty)
        #expect(SearchText.occurrences(of: SearchText.scalars("ทวีสิน") + [SearchText.space], in: text).isEmpty)
    }
}
