import Foundation
import KhaosanTestSupport
import Testing
@testable import KhaosanModel

@Suite struct TextNormalizerTests {
    @Test(arguments: [
        ("  hello   world  ", "hello world"),
        ("a\u{00A0}b\u{2003}c\u{3000}d\te", "a b c d e"),
        ("ข่าว\u{200B}ทำเนียบ", "ข่าวทำเนียบ"),
        ("\u{FEFF}BOM first", "BOM first"),
        ("soft\u{00AD}hyphen", "softhyphen"),
        ("zw\u{200C}nj\u{200D}zwj\u{2060}wj", "zwnjzwjwj"),
        ("น\u{0E4D}\u{0E32}", "น\u{0E33}"),  // ํ + า -> ำ
        ("น\u{0E49}\u{0E4D}\u{0E32}", "น\u{0E49}\u{0E33}"),  // ํ ้ า -> ้ ำ
        ("น\u{0E4D}\u{0E49}\u{0E32}", "น\u{0E49}\u{0E33}"),  // ํ ้ า typed the other way
        ("ก\u{0E48}\u{0E48}", "ก\u{0E48}"),  // repeated tone mark
        ("ก\u{0E34}\u{0E34}น", "ก\u{0E34}น"),  // repeated vowel mark
        ("ก\u{0E48}\u{0E38}", "ก\u{0E38}\u{0E48}"),  // canonical order: sara u (103) before mai ek (107)
        ("e\u{0301}", "\u{00E9}"),  // NFC composes
        ("น้ำ", "น้ำ"),  // ำ is kept: NFKC would split it
        ("line\rbreak", "line break"),
        ("ctrl\u{0007}char", "ctrlchar"),
    ])
    func normalizeLine(input: String, expected: String) {
        let out = TextNormalizer.normalizeLine(input)
        #expect(Array(out.unicodeScalars) == Array(expected.unicodeScalars), "\(input.debugDescription) -> \(out.debugDescription)")
    }

    @Test func normalizeKeepsLinesAndTrimsBlankEnds() {
        let out = TextNormalizer.normalize("\n\n  first\u{00A0} line \r\n\r\nsecond\u{200B}\n\n  \n")
        #expect(out == "first line\n\nsecond")
    }

    @Test func saraAmSurvivesAndIsNotNFKC() {
        let s = "น้ำ ทำ"
        let out = TextNormalizer.normalizeLine(s)
        #expect(out.unicodeScalars.contains("\u{0E33}"))
        #expect(!out.unicodeScalars.contains("\u{0E4D}"))
    }

    /// Random strings over an alphabet chosen to hit every rule: Thai consonants, vowels, marks
    /// in any order, ํ and า, spaces of every kind, zero-width characters, Latin with combining
    /// marks, other scripts.
    static let alphabet: [Unicode.Scalar] = [
        "ก", "ข", "น", "ม", "อ", "า", "ำ", "เ", "แ", "\u{0E31}", "\u{0E34}", "\u{0E35}", "\u{0E38}", "\u{0E39}",
        "\u{0E3A}", "\u{0E47}", "\u{0E48}", "\u{0E49}", "\u{0E4A}", "\u{0E4B}", "\u{0E4C}", "\u{0E4D}", "๑",
        " ", "\t", "\u{00A0}", "\u{2003}", "\u{200B}", "\u{FEFF}", "\u{00AD}", "\n", "\r",
        "a", "Z", "e", "\u{0301}", "\u{0308}", "\u{0323}", "é", "Å", "\u{212B}", "ﬁ", "한", "\u{1161}",
        "“", "–", "😀", "\u{FE0F}", "\u{0007}",
    ]

    static func randomStrings(count: Int, seed: UInt64) -> [String] {
        var rng = SplitMix64(seed: seed)
        return (0..<count).map { _ in
            let n = Int(rng.next() % 24)
            var s = String.UnicodeScalarView()
            for _ in 0..<n { s.append(alphabet[Int(rng.next() % UInt64(alphabet.count))]) }
            return String(s)
        }
    }

    @Test func idempotentAndNFC() {
        for s in Self.randomStrings(count: 5000, seed: 42) {
            let once = TextNormalizer.normalizeLine(s)
            let twice = TextNormalizer.normalizeLine(once)
            #expect(Array(once.utf8) == Array(twice.utf8), "not idempotent for \(s.debugDescription)")
            #expect(Array(once.utf8) == Array(once.precomposedStringWithCanonicalMapping.utf8), "not NFC for \(s.debugDescription)")
            #expect(!once.unicodeScalars.contains { [0x200B, 0xFEFF, 0x00AD, 0x00A0, 0x09, 0x0A, 0x0D].contains($0.value) })
            #expect(!once.hasPrefix(" ") && !once.hasSuffix(" ") && !once.contains("  "))
            let scalars = Array(once.unicodeScalars)
            #expect(!zip(scalars, scalars.dropFirst()).contains { $0.value == 0x0E4D && $1.value == 0x0E32 })

            let multi = TextNormalizer.normalize(s)
            #expect(Array(TextNormalizer.normalize(multi).utf8) == Array(multi.utf8), "normalize not idempotent for \(s.debugDescription)")
        }
    }

    @Test func canonicallyEquivalentInputsGiveTheSameBytes() {
        // Thai marks in either order are canonically equivalent; the output must be one form.
        let a = TextNormalizer.normalizeLine("ก\u{0E48}\u{0E38}")
        let b = TextNormalizer.normalizeLine("ก\u{0E38}\u{0E48}")
        #expect(Array(a.utf8) == Array(b.utf8))
    }
}
