/// Polynomial hashes of runs of lines (each line given as its hash), modulo the Mersenne prime
/// 2^61 - 1 with a random base: the hash of any run comes from two prefix hashes in O(1), and no
/// input can be built to collide (a power-of-two modulus, the wrapping arithmetic one gets for
/// free, has Thue-Morse collisions whatever the base). A collision would only cost a byte
/// comparison: `ReleaseParser` checks bytes before it drops anything.
struct BlockHasher {
    static let prime: UInt64 = (1 << 61) - 1
    let base: UInt64
    /// base^k for k up to the longest run.
    private let powers: [UInt64]

    init(count: Int) {
        base = UInt64.random(in: (1 << 20)..<(Self.prime - 1))
        var p = [UInt64](repeating: 1, count: count + 1)
        for k in stride(from: 1, through: count, by: 1) { p[k] = Self.mul(p[k - 1], base) }
        powers = p
    }

    /// The prefix hash after one more line.
    func appending(_ prefix: UInt64, _ lineHash: Int) -> UInt64 {
        Self.add(Self.mul(prefix, base), UInt64(bitPattern: Int64(lineHash)) % Self.prime)
    }

    /// The hash of lines `from..<to`, given the prefix hashes of the sequence they are in.
    func range(_ prefix: [UInt64], _ from: Int, _ to: Int) -> UInt64 {
        let shifted = Self.mul(prefix[from], powers[to - from])
        let whole = prefix[to]
        return whole >= shifted ? whole - shifted : whole + Self.prime - shifted
    }

    static func add(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let s = a + b  // both below 2^61: no overflow
        return s >= prime ? s - prime : s
    }

    static func mul(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (hi, lo) = a.multipliedFullWidth(by: b)
        // a * b = hi * 2^64 + lo, and 2^61 ≡ 1: fold the bits above 61 back onto the low ones.
        var r = (lo & prime) + ((lo >> 61) | (hi << 3))
        r = (r & prime) + (r >> 61)
        return r >= prime ? r - prime : r
    }
}
