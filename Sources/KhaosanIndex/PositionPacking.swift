/// Positions are stored absolute and bit-packed, `width(streamLength)` bits each, one doc's
/// positions from a byte boundary. Absolute and fixed-width rather than delta-coded, so a phrase
/// check finds "is there a position at p" by binary search in the packed values instead of
/// decoding every delta before p; at the width of a release's stream (12-14 bits) it takes about
/// the room LEB128 deltas did.
enum PositionPacking {
    /// Bits needed for any position of a stream of `length` scalars.
    @inline(__always) static func width(_ length: UInt32) -> Int {
        let largest = max(length, 2) - 1
        return max(1, 32 - largest.leadingZeroBitCount)
    }

    @inline(__always) static func bytes(count: Int, width: Int) -> Int { (count * width + 7) >> 3 }

    /// Packs every doc's positions (`tfs[i]` of them for doc `docs[i]`, ascending).
    static func pack(_ positions: [UInt32], docs: [UInt32], tfs: [UInt32], streamLength: (UInt32) -> UInt32) -> [UInt8] {
        var out: [UInt8] = []
        var at = 0
        for (i, d) in docs.enumerated() {
            let w = width(streamLength(d))
            let n = Int(tfs[i])
            let start = out.count
            out.append(contentsOf: repeatElement(0, count: bytes(count: n, width: w)))
            var bit = 0
            for k in 0..<n {
                var v = UInt64(positions[at + k])
                var b = bit
                var remaining = w
                while remaining > 0 {
                    let off = b & 7
                    let take = min(8 - off, remaining)
                    out[start + (b >> 3)] |= UInt8(truncatingIfNeeded: (v & ((1 << UInt64(take)) - 1)) << UInt64(off))
                    v >>= UInt64(take)
                    b += take
                    remaining -= take
                }
                bit += w
            }
            at += n
        }
        return out
    }

    /// Value `j` of a packed run at `base` (width `w`).
    @inline(__always) static func value(_ base: UnsafePointer<UInt8>, _ j: Int, _ w: Int) -> UInt32 {
        let bit = j * w
        let word = UnsafeRawPointer(base + (bit >> 3)).loadUnaligned(as: UInt64.self)
        return UInt32(truncatingIfNeeded: (UInt64(littleEndian: word) >> UInt64(bit & 7)) & ((1 << UInt64(w)) - 1))
    }
}
