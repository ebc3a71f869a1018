/// A set of words as a bitmap of their hashes (a one-hash Bloom filter): "no" is exact, "maybe"
/// needs the real set. Answers from the String's UTF-8 without copying it, which is what makes
/// it cheaper than the lookup it guards for the hundreds of words of every release.
struct WordFilter: Sendable {
    private var bits: [UInt64]
    private let mask: UInt64

    /// 2^16 bits (8 KB): a few hundred words leave well under 1% false "maybe"s.
    init<S: Sequence>(_ words: S, bits log2Bits: Int = 16) where S.Element == [UInt8] {
        bits = Array(repeating: 0, count: (1 << log2Bits) / 64)
        mask = UInt64(1 << log2Bits) - 1
        for w in words { set(FNV1a.hash(w)) }
    }

    private mutating func set(_ h: UInt64) {
        let b = h & mask
        bits[Int(b >> 6)] |= 1 << (b & 63)
    }

    func mayContain(_ word: String) -> Bool {
        let b = FNV1a.hash(word) & mask
        return bits[Int(b >> 6)] & (1 << (b & 63)) != 0
    }
}
