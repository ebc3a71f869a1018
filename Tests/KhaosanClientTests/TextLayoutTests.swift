import Testing
@testable import KhaosanClient

/// Width by the rule, scalar by scalar, written out independently of the implementation.
private func expectedWidth(_ s: String) -> Int {
    let zero: Set<UInt32> = [0x0E31, 0x0E34, 0x0E35, 0x0E36, 0x0E37, 0x0E38, 0x0E39, 0x0E3A,
                             0x0E47, 0x0E48, 0x0E49, 0x0E4A, 0x0E4B, 0x0E4C, 0x0E4D, 0x0E4E]
    return s.unicodeScalars.reduce(0) { $0 + (zero.contains($1.value) ? 0 : 1) }
}

@Suite struct DisplayWidthTests {
    @Test(arguments: [
        ("นายกรัฐมนตรี", 10),  // น า ย ก ร ั(0) ฐ ม น ต ร ี(0)
        ("ที่", 1),           // ท ี(0) ่(0)
        ("น้ำ", 2),           // น ้(0) ำ (SARA AM is spacing)
        ("เชียงใหม่", 7),      // เ ช ี(0) ย ง ใ ห ม ่(0)
        ("abc", 3),
        ("", 0),
        ("日本", 4),
        ("ข่าว COVID-19", 12),
        ("e\u{301}", 1),       // combining acute
        ("a\u{200B}b", 2),     // zero-width space
    ])
    func widths(_ text: String, _ width: Int) {
        #expect(displayWidth(text) == width)
    }

    @Test(arguments: ["นายกรัฐมนตรี", "สำนักเลขาธิการนายกรัฐมนตรี", "ผู้ว่าราชการจังหวัดเชียงใหม่", "ครม. อนุมัติ ๑๒ โครงการ"])
    func thaiMatchesTheRule(_ text: String) {
        #expect(displayWidth(text) == expectedWidth(text))
        #expect(displayWidth(text) < text.unicodeScalars.count)
    }
}

@Suite struct TruncationTests {
    @Test(arguments: 1...20)
    func neverSplitsAClusterAndFits(_ width: Int) {
        let text = "ผู้ว่าราชการจังหวัดเชียงใหม่แถลงข่าว"
        let out = text.truncated(toWidth: width)
        #expect(displayWidth(out) <= width)
        let body = out.hasSuffix("…") ? String(out.dropLast()) : out
        // Whole grapheme clusters of the original, in order.
        #expect(Array(text).starts(with: Array(body)))
        // No mark left without its consonant at the end, no leading vowel stranded.
        if let last = body.unicodeScalars.last {
            #expect(!(0x0E40...0x0E44).contains(last.value))
        }
        // The next cluster of the original does not start with a combining mark.
        let next = Array(text).dropFirst(body.count).first
        if let next { #expect(displayWidth(next.unicodeScalars.first!) > 0) }
    }

    @Test func shortTextUnchanged() {
        #expect("ข่าว".truncated(toWidth: 10) == "ข่าว")
        #expect("abcdef".truncated(toWidth: 4) == "abc…")
        #expect("abcdef".truncated(toWidth: 0) == "")
    }

    @Test func wideCharactersAreNotHalved() {
        let out = "日本語のテキスト".truncated(toWidth: 6)
        #expect(out == "日本…")
        #expect(displayWidth(out) == 5)
    }

    @Test func padding() {
        #expect("นายก".padded(toWidth: 6) == "นายก  ")
        #expect("ที่".padded(toWidth: 3) == "ที่  ")
        #expect("7".leftPadded(toWidth: 3) == "  7")
    }

    @Test func wrapFitsWidthAndKeepsText() {
        let text = "นายกรัฐมนตรีเป็นประธานการประชุมคณะรัฐมนตรี ณ ทำเนียบรัฐบาล เพื่อพิจารณาวาระสำคัญหลายเรื่อง"
        for width in [10, 17, 30, 76] {
            let lines = wrap(text, width: width)
            #expect(lines.allSatisfy { displayWidth($0) <= width })
            #expect(lines.joined().filter { $0 != " " } == text.filter { $0 != " " })
            // Lines do not end with a leading vowel.
            #expect(lines.allSatisfy { l in !(l.unicodeScalars.last.map { (0x0E40...0x0E44).contains($0.value) } ?? false) })
        }
    }

    @Test func wrapPrefersSpacesAndWordBreaks() {
        #expect(wrap("aaa bbb ccc", width: 7) == ["aaa bbb", "ccc"])
        // Word starts given: break at the last one that fits.
        let text = "ประชุมคณะรัฐมนตรี"
        let breaks: Set<Int> = [0, "ประชุม".utf8.count, "ประชุมคณะ".utf8.count]
        #expect(wrap(text, width: 10, breaks: breaks) == ["ประชุมคณะ", "รัฐมนตรี"])
    }
}
