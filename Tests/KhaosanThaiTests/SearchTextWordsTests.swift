import KhaosanTestSupport
import Testing
@testable import KhaosanThai

/// `streamAndWordStarts` (one normaliser pass, a cursor over the token starts) against what it
/// replaced: `scalars(text)` and a Set of token starts checked at every stream position.
@Suite struct SearchTextWordsTests {
    static func naiveWordStarts(_ text: String, _ tokens: [ThaiToken]) -> [UInt32] {
        let starts = Set(tokens.map(\.utf8Range.lowerBound))
        var out: [UInt32] = []
        var j: UInt32 = 0
        SearchText.walk(text) { _, r in
            if starts.contains(r.lowerBound) { out.append(j) }
            j += 1
        }
        return out
    }

    /// Thai consonants, vowels and tone marks in any order (marks before their base included,
    /// which the normaliser reorders), Latin, digits, Thai digits, spaces and punctuation.
    static let pieces: [String] = ["ก", "ข", "ร", "า", "ั", "ิ", "่", "้", "ำ", "เ", "ไ", "์", "ๆ", "ฯ", "๑", "1", "a", "B",
                                   " ", "  ", ",", ".", "\n", "รัฐบาล", "นายก", "ประชุม", "COVID-19", "ยา", "ยาง", "\u{0E4D}\u{0E32}"]

    @Test(arguments: 0..<300)
    func matchesTheNaiveWalk(seed: Int) {
        var rng = SplitMix64(seed: UInt64(seed))
        let n = Int.random(in: 0...40, using: &rng)
        let text = (0..<n).map { _ in Self.pieces.randomElement(using: &rng)! }.joined()
        let tokens = ThaiAnalyzer.shared.words(text)
        let got = SearchText.streamAndWordStarts(text, tokens: tokens)
        #expect(got.scalars == SearchText.scalars(text), "\(text.debugDescription)")
        #expect(got.wordStarts == Self.naiveWordStarts(text, tokens), "\(text.debugDescription)")
        // Tokens in any order give the same starts.
        #expect(SearchText.streamAndWordStarts(text, tokens: tokens.reversed()).wordStarts == got.wordStarts)
    }

    @Test func realTextWordStartsAreWordBeginnings() {
        let text = "นายกรัฐมนตรีประชุมคณะรัฐมนตรี COVID-19 วันนี้"
        let tokens = ThaiAnalyzer.shared.words(text)
        let got = SearchText.streamAndWordStarts(text, tokens: tokens)
        #expect(!got.wordStarts.isEmpty)
        #expect(got.wordStarts == Self.naiveWordStarts(text, tokens))
        #expect(got.wordStarts.first == 0)
    }
}
