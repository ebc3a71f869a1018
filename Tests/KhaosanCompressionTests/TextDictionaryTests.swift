import KhaosanTestSupport
import Testing

@testable import KhaosanCompression

/// Round trips and refusals of the zstd bridge, on texts made like releases (a few thousand
/// bytes sharing most of their phrases), so the trained dictionary has something to learn.
struct TextDictionaryTests {
    static let phrases: [[UInt8]] = [
        "นายกรัฐมนตรี", "ประชุมคณะรัฐมนตรี", "ทำเนียบรัฐบาล", "กระทรวงการคลัง", "โครงการ", "ประชาชน",
        "เศรษฐกิจ", "การท่องเที่ยว", "ให้ความสำคัญ", "พร้อมทั้ง", " ", "\n", "2567", "COVID-19", "ASEAN",
    ].map { Array($0.utf8) }

    static func text(_ rng: inout SplitMix64, length: Int) -> [UInt8] {
        var out: [UInt8] = []
        while out.count < length { out += phrases[Int(rng.next() % UInt64(phrases.count))] }
        return out
    }

    static func trained(seed: UInt64 = 5) throws -> TextDictionary {
        var rng = SplitMix64(seed: seed)
        let samples = (0..<400).map { _ in text(&rng, length: 500 + Int(rng.next() % 3_000)) }
        return try TextDictionary(bytes: try DictionaryTrainer.train(samples, capacity: 16_384))
    }

    @Test func roundTripsAndShrinks() throws {
        let d = try Self.trained()
        var rng = SplitMix64(seed: 99)
        var raw = 0, packed = 0
        for length in [0, 1, 7, 100, 2_000, 9_000, 200_000] {
            let t = Self.text(&rng, length: length)
            let frame = try t.withUnsafeBytes { try d.compress($0) }
            let back = try frame.withUnsafeBytes { try d.decompress($0) }
            #expect(back == t, "length \(length)")
            raw += t.count
            packed += frame.count
        }
        #expect(packed * 3 < raw)
    }

    @Test func refusesDamagedFrames() throws {
        let d = try Self.trained()
        var rng = SplitMix64(seed: 3)
        let frame = try Self.text(&rng, length: 3_000).withUnsafeBytes { try d.compress($0) }
        // Cut short, bytes flipped past the header, not a frame at all, a frame from another
        // dictionary: each an error, never a wrong text.
        let cut = Array(frame.prefix(frame.count / 2))
        #expect(throws: CompressionError.self) { try cut.withUnsafeBytes { try d.decompress($0) } }
        var flipped = frame
        for i in stride(from: 12, to: flipped.count, by: 5) { flipped[i] ^= 0x5A }
        #expect(throws: CompressionError.self) { try flipped.withUnsafeBytes { try d.decompress($0) } }
        #expect(throws: CompressionError.self) { try [UInt8]("plain text".utf8).withUnsafeBytes { try d.decompress($0) } }
        let other = try Self.trained(seed: 6)
        #expect(throws: CompressionError.self) { try frame.withUnsafeBytes { try other.decompress($0) } }
    }

    /// A frame header may claim any size: above the limit it is refused before any allocation.
    @Test func refusesHugeClaims() throws {
        let d = try Self.trained()
        // Frame header: magic, descriptor with an 8-byte content size field, no window byte
        // (single segment), then the size.
        var header: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD, 0xE0]
        withUnsafeBytes(of: UInt64(1 << 40).littleEndian) { header += $0 }
        let e = #expect(throws: CompressionError.self) { try header.withUnsafeBytes { try d.decompress($0) } }
        #expect(e?.reason.contains("more than") == true)
    }

    @Test func trainingNeedsEnoughSamples() {
        #expect(throws: CompressionError.self) { try DictionaryTrainer.train([[1, 2, 3]]) }
    }
}
