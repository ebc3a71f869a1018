import KhaosanThai

/// Near-duplicate signatures (issue 16, "what repeats"): the set of word 3-shingles of a
/// release (its title's and body's analyser tokens, as indexed: normalised text), summarised
/// by 64 minimum hashes, of which the low 16 bits are kept (b-bit MinHash: two different
/// minima agree by chance once in 65,536, and the signature is 128 bytes, 7 MB for the corpus). The share of positions where two signatures agree estimates the
/// Jaccard similarity of the two shingle sets (standard error 0.06 at 0.7). Banded for LSH: 16
/// bands of 4 values; two releases become candidates when one band agrees whole, which a pair
/// at Jaccard 0.65 does with probability 1 - (1 - 0.65^4)^16 = 0.96 (0.997 at 0.75, 0.12 at 0.3).
enum MinHash {
    static let size = 64
    static let bands = 16
    static let rows = 4
    /// Words per shingle: single words make any two releases on the same subject look alike
    /// (ministries, titles, dates); three keep word order.
    static let shingleWords = 3
    /// Fewer shingles than this: no signature (a photo caption's title alone is not grouped).
    static let minimumShingles = 5
    /// Grouped at an exact Jaccard of 0.65 or more: two texts of the same length sharing about
    /// 79% of their shingles (J = f / (2 - f)).
    static let groupThreshold = 0.65
    /// Candidates whose signatures estimate this much or more are checked exactly: two
    /// standard errors below the threshold, so a pair at 0.65 is missed by the estimate once
    /// in 40 or so (and by the bands once in 25).
    static let verifyFrom = 0.53
    /// At most this many of them, closest first (each costs reading and analysing a text).
    static let verifiedCandidates = 4

    /// One hash function per lane: fmix32 of the shingle hash xor a seed (a bijection of 32
    /// bits each), four SIMD16 vectors at a time.
    static let seeds: [SIMD16<UInt32>] = {
        var state: UInt64 = 0x6B68_616F_7361_6E31 // "khaosan1"
        func next() -> UInt32 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return UInt32(truncatingIfNeeded: z ^ (z >> 31))
        }
        return (0..<4).map { _ in var v = SIMD16<UInt32>(); for i in 0..<16 { v[i] = next() }; return v }
    }()

    /// The distinct shingle hashes of a text given as its tokens (title's, then body's), sorted.
    static func shingles(_ tokens: [ThaiToken]) -> [UInt32] { shingles(words: tokens.map { FNV1a.hash($0.text) }) }

    static func shingles(words: [UInt64]) -> [UInt32] {
        guard !words.isEmpty else { return [] }
        var out: [UInt32] = []
        if words.count < shingleWords {
            out.append(combine(words[...]))
        } else {
            out.reserveCapacity(words.count)
            for i in 0...(words.count - shingleWords) { out.append(combine(words[i..<(i + shingleWords)])) }
        }
        out.sort()
        var unique = 0
        for i in out.indices where i == 0 || out[i] != out[i - 1] { out[unique] = out[i]; unique += 1 }
        out.removeLast(out.count - unique)
        return out
    }

    static func shingles(title: [ThaiToken], body: [ThaiToken]) -> [UInt32] {
        var words: [UInt64] = []
        words.reserveCapacity(title.count + body.count)
        for t in title { words.append(FNV1a.hash(t.text)) }
        for t in body { words.append(FNV1a.hash(t.text)) }
        return shingles(words: words)
    }

    /// 64 minimum hashes, or empty when the text has too few shingles to compare.
    static func signature(_ shingles: [UInt32]) -> [UInt32] {
        guard shingles.count >= minimumShingles else { return [] }
        let s0 = seeds[0], s1 = seeds[1], s2 = seeds[2], s3 = seeds[3]
        var m0 = SIMD16<UInt32>(repeating: .max), m1 = m0, m2 = m0, m3 = m0
        @inline(__always) func mix(_ h: SIMD16<UInt32>) -> SIMD16<UInt32> {
            var h = h
            h ^= h &>> 16
            h &*= 0x85EB_CA6B
            h ^= h &>> 13
            h &*= 0xC2B2_AE35
            h ^= h &>> 16
            return h
        }
        for s in shingles {
            let x = SIMD16<UInt32>(repeating: s)
            m0 = pointwiseMin(m0, mix(x ^ s0))
            m1 = pointwiseMin(m1, mix(x ^ s1))
            m2 = pointwiseMin(m2, mix(x ^ s2))
            m3 = pointwiseMin(m3, mix(x ^ s3))
        }
        var out = [UInt32](repeating: 0, count: size)
        for i in 0..<16 {
            out[i] = m0[i] & 0xFFFF; out[16 + i] = m1[i] & 0xFFFF; out[32 + i] = m2[i] & 0xFFFF; out[48 + i] = m3[i] & 0xFFFF
        }
        return out
    }

    /// The share of the 64 positions where the two signatures agree (0 if either is empty).
    static func estimate(_ a: [UInt32], _ b: [UInt32]) -> Double {
        guard a.count == size, b.count == size else { return 0 }
        var same = 0
        for i in 0..<size where a[i] == b[i] { same += 1 }
        return Double(same) / Double(size)
    }

    /// |A ∩ B| / |A ∪ B| of two sorted, distinct shingle lists.
    static func jaccard(_ a: [UInt32], _ b: [UInt32]) -> Double {
        if a.isEmpty && b.isEmpty { return 1 }
        var i = 0, j = 0, both = 0
        while i < a.count && j < b.count {
            if a[i] == b[j] { both += 1; i += 1; j += 1 } else if a[i] < b[j] { i += 1 } else { j += 1 }
        }
        return Double(both) / Double(a.count + b.count - both)
    }

    /// One key per band, never 0: the band's number in the high half, a hash of its four values in the low.
    static func bandKeys(_ signature: [UInt32]) -> [UInt64] {
        guard signature.count == size else { return [] }
        return (0..<bands).map { b in
            var h: UInt64 = 0xCBF2_9CE4_8422_2325
            for r in 0..<rows { h = (h ^ UInt64(signature[b * rows + r])) &* 0x0000_0100_0000_01B3 }
            h ^= h >> 29
            return UInt64(b + 1) << 32 | (h & 0xFFFF_FFFF)
        }
    }

    static func combine(_ words: ArraySlice<UInt64>) -> UInt32 {
        var h: UInt64 = 0
        for w in words { h = (h &* 0x9E37_79B9_7F4A_7C15) ^ w; h = (h ^ (h >> 31)) &* 0xBF58_476D_1CE4_E5B9 }
        return UInt32(truncatingIfNeeded: h ^ (h >> 32))
    }

    /// Two bytes per value, little-endian.
    static func encode(_ signature: [UInt32]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(signature.count * 2)
        for v in signature { out.append(UInt8(v & 0xFF)); out.append(UInt8((v >> 8) & 0xFF)) }
        return out
    }

    /// nil when the blob is not a whole number of values of a signature's length (or empty).
    static func decode(_ bytes: [UInt8]) -> [UInt32]? {
        if bytes.isEmpty { return [] }
        guard bytes.count == size * 2 else { return nil }
        return (0..<size).map { i in UInt32(bytes[2 * i]) | UInt32(bytes[2 * i + 1]) << 8 }
    }
}
