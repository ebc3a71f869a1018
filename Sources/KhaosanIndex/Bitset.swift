/// A fixed-size set of doc ids of one segment, 64 to a word.
package struct Bitset: Sendable, Hashable {
    package private(set) var words: [UInt64]
    package let count: Int

    package init(count: Int) {
        self.count = count
        words = [UInt64](repeating: 0, count: (count + 63) >> 6)
    }

    init(count: Int, words: [UInt64]) {
        self.count = count
        self.words = words
    }

    @inline(__always) package func contains(_ i: Int) -> Bool { words[i >> 6] & (1 << UInt64(i & 63)) != 0 }
    @inline(__always) package mutating func insert(_ i: Int) { words[i >> 6] |= 1 << UInt64(i & 63) }

    package var popCount: Int { words.reduce(0) { $0 + $1.nonzeroBitCount } }

    mutating func formIntersection(_ o: Bitset) { for k in words.indices { words[k] &= o.words[k] } }
    mutating func formIntersection(_ o: BitsetView) { for k in words.indices { words[k] &= UInt64(littleEndian: o.words[k]) } }

    /// The members, ascending.
    func members() -> [UInt32] {
        var out: [UInt32] = []
        out.reserveCapacity(popCount)
        for (k, w0) in words.enumerated() {
            var w = w0
            while w != 0 {
                out.append(UInt32(k << 6 + w.trailingZeroBitCount))
                w &= w - 1
            }
        }
        return out
    }
}

extension Bitset {
    @inline(__always) mutating func remove(_ i: Int) { words[i >> 6] &= ~(1 << UInt64(i & 63)) }
}

/// A bitset read in place (a hot-tier entry in a segment's bytes).
struct BitsetView {
    let words: UnsafePointer<UInt64>
    let wordCount: Int

    @inline(__always) func contains(_ i: Int) -> Bool {
        UInt64(littleEndian: words[i >> 6]) & (1 << UInt64(i & 63)) != 0
    }

    /// This set intersected with `other` (same doc count).
    func intersection(_ other: Bitset) -> Bitset {
        var w = [UInt64](repeating: 0, count: wordCount)
        for k in 0..<wordCount { w[k] = UInt64(littleEndian: words[k]) & other.words[k] }
        return Bitset(count: other.count, words: w)
    }
}
