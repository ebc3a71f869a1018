/// Positions are stored absolute and bit-packed, `width(streamLength)` bits each, one term's
/// positions as one bit stream (doc after doc, no padding between them). Absolute and fixed-width
/// rather than delta-coded, so a phrase check finds "is there a position at p" by binary search in
/// the packed values instead of decoding every delta before p; at the width of a release's
/// stream (12-14 bits) it takes about the room LEB128 deltas did. Starting each doc's run at a
/// byte boundary cost half a byte per doc and term: 6% of the positions (19 MB of the corpus).
enum PositionPacking {
    /// Bits needed for any position of a stream of `length` scalars.
    @inline(__always) static func width(_ length: UInt32) -> Int {
        let largest = max(length, 2) - 1
        return max(1, 32 - largest.leadingZeroBitCount)
    }

    /// Packs every doc's positions (`tfs[i]` of them for doc `docs[i]`, ascending).
    static func pack(_ positions: [UInt32], docs: [UInt32], tfs: [UInt32], streamLength: (UInt32) -> UInt32) -> [UInt8] {
        var bits = BitWriter()
        var at = 0
        for (i, d) in docs.enumerated() {
            let w = width(streamLength(d))
            for k in 0..<Int(tfs[i]) { bits.append(positions[at + k], width: w) }
            at += Int(tfs[i])
        }
        return bits.finish()
    }

    /// Value `j` of a packed run of width `w` starting `bit` bits after `base`. Reads eight
    /// bytes: the section is followed by eight zero bytes.
    @inline(__always) static func value(_ base: UnsafePointer<UInt8>, _ bit: Int, _ j: Int, _ w: Int) -> UInt32 {
        BitPacking.read(base, bit &+ j &* w, w)
    }
}
