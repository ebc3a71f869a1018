import KhaosanTestSupport
import KhaosanWire
import Testing

/// The 16-bytes-at-a-time validator and its scalar fallback must agree with the standard library
/// on every input, wherever a sequence falls against the 16-byte blocks.
struct UTF8ValidationTests {
    private func agree(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        let expected = String(validating: bytes, as: UTF8.self) != nil
        let (simd, scalar) = bytes.withUnsafeBytes { (UTF8Validation.isValid($0), UTF8Validation.isValidScalar($0)) }
        guard simd == expected, scalar == expected else {
            Issue.record("\(bytes.map { String($0, radix: 16) }): simd \(simd), scalar \(scalar), stdlib \(expected)", sourceLocation: sourceLocation)
            return false
        }
        return true
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var bytes: [UInt8]
        var valid: Bool
        var testDescription: String { name }
    }

    @Test(arguments: [
        Case(name: "empty", bytes: [], valid: true),
        Case(name: "NUL is UTF-8 (the bridge rejects it separately)", bytes: [0], valid: true),
        Case(name: "Thai", bytes: Array("ข่าวสาร".utf8), valid: true),
        Case(name: "largest scalar U+10FFFF", bytes: [0xF4, 0x8F, 0xBF, 0xBF], valid: true),
        Case(name: "past U+10FFFF", bytes: [0xF4, 0x90, 0x80, 0x80], valid: false),
        Case(name: "overlong 2-byte", bytes: [0xC0, 0x80], valid: false),
        Case(name: "overlong 3-byte", bytes: [0xE0, 0x80, 0x80], valid: false),
        Case(name: "overlong 4-byte", bytes: [0xF0, 0x80, 0x80, 0x80], valid: false),
        Case(name: "surrogate", bytes: [0xED, 0xA0, 0x80], valid: false),
        Case(name: "lone continuation", bytes: [0x80], valid: false),
        Case(name: "lead at the very end", bytes: Array(repeating: 0x41, count: 31) + [0xE0], valid: false),
        Case(name: "sequence cut at the end of a 16-byte block", bytes: Array(repeating: 0x41, count: 14) + [0xE0, 0xB8], valid: false),
        Case(name: "sequence across a block edge", bytes: Array(repeating: 0x41, count: 14) + [0xE0, 0xB8, 0x81], valid: true),
        Case(name: "F5 and above", bytes: [0xF5, 0x80, 0x80, 0x80], valid: false),
    ])
    func knownCases(_ c: Case) {
        #expect(c.bytes.withUnsafeBytes { UTF8Validation.isValid($0) } == c.valid)
        #expect(agree(c.bytes))
    }

    /// Every two-byte input, and every lead byte with every second byte followed by a set of third
    /// bytes, at offsets that put the sequence inside, at the end of and across a 16-byte block.
    @Test func shortSequencesExhaustively() {
        var failures = 0
        let thirds: [UInt8] = [0x00, 0x41, 0x7F, 0x80, 0x9F, 0xA0, 0xBF, 0xC0, 0xE0, 0xFF]
        for offset in [0, 14, 15] {
            let pad = [UInt8](repeating: 0x20, count: offset)
            for b0 in 0...255 {
                for b1 in 0...255 {
                    if !agree(pad + [UInt8(b0), UInt8(b1)]) { failures += 1 }
                    guard b0 >= 0xC0 else { continue }
                    for b2 in thirds where !agree(pad + [UInt8(b0), UInt8(b1), b2]) { failures += 1 }
                }
            }
            if failures > 20 { break }
        }
        #expect(failures == 0)
    }

    @Test func fourByteSequencesAcrossBlockEdges() {
        var failures = 0
        let tails: [UInt8] = [0x41, 0x80, 0x8F, 0x90, 0xBF, 0xC0]
        for offset in [13, 15] {
            let pad = [UInt8](repeating: 0x20, count: offset)
            for b0 in 0xF0...0xFF { for b1 in 0...255 { for b2 in tails { for b3 in tails {
                if !agree(pad + [UInt8(b0), UInt8(b1), b2, b3]) { failures += 1 }
            }}}}
        }
        #expect(failures == 0)
    }

    /// Thai text of every length up to a few blocks, then with one or two bytes changed.
    @Test func mutatedThaiText() {
        let text = Array("นายกรัฐมนตรีเป็นประธานการประชุม ณ ทำเนียบรัฐบาล 2024 é 😀 ".utf8)
        var rng = SplitMix64(seed: 0x6B68_616F_7361_6E)
        var failures = 0
        for length in 0...text.count {
            for start in stride(from: 0, to: text.count, by: 7) {
                var bytes = Array((text + text)[start..<(start + length)])
                if !agree(bytes) { failures += 1 }
                guard !bytes.isEmpty else { continue }
                for _ in 0..<2 {
                    bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
                    if !agree(bytes) { failures += 1 }
                }
            }
        }
        #expect(failures == 0)
    }
}
