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

    package var isEmpty: Bool { !words.contains { $0 != 0 } }

    mutating func formIntersection(_ o: Bitset) { for k in words.indices { words[k] &= o.words[k] } }

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
