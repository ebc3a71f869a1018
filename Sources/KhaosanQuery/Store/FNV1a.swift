/// FNV-1a, 64 bits: the near-duplicate shingles' word hashes (stored in signatures, so it must
/// never change) and the place filter's bitmap.
enum FNV1a {
    static func hash<C: Sequence>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }

    /// Over the String's contiguous UTF-8 (no copy for a native String): its UTF8View's
    /// iterator was 4% of a release's preparation.
    static func hash(_ s: String) -> UInt64 {
        var s = s
        return s.withUTF8 { hash($0) }
    }
}
