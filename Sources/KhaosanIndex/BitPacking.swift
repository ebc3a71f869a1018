/// Fixed-width unsigned values packed low bits first into a byte stream: the codec of positions
/// (PositionPacking) and of the doc-id deltas and frequency codes of a postings block. A value is
/// read with one unaligned 64-bit load, so readers need seven readable bytes past the last value
/// (segments pad their sections).
enum BitPacking {
    /// Bits needed for `v` (at least 1).
    @inline(__always) static func width(_ v: UInt32) -> Int { max(1, 32 - v.leadingZeroBitCount) }

    @inline(__always) static func read(_ base: UnsafePointer<UInt8>, _ bit: Int, _ w: Int) -> UInt32 {
        let word = UnsafeRawPointer(base + (bit >> 3)).loadUnaligned(as: UInt64.self)
        return UInt32(truncatingIfNeeded: (UInt64(littleEndian: word) >> UInt64(bit & 7)) & ((1 << UInt64(w)) - 1))
    }

    /// Decodes `count` values of width `w` from `base` into `out`; with `delta`, each is added to
    /// the previous output, starting from `start` (a block's doc ids).
    @inline(__always)
    static func unpack(_ base: UnsafePointer<UInt8>, count: Int, width w: Int, into out: UnsafeMutablePointer<UInt32>,
                       delta: Bool, start: UInt32 = 0) {
        var prev = start
        var bit = 0
        let mask = (UInt64(1) << UInt64(w)) &- 1
        for k in 0..<count {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + (bit >> 3)).loadUnaligned(as: UInt64.self))
            let v = UInt32(truncatingIfNeeded: (word >> UInt64(bit & 7)) & mask)
            if delta { prev &+= v; out[k] = prev } else { out[k] = v }
            bit &+= w
        }
    }

    /// Bytes `count` values of width `w` take.
    @inline(__always) static func bytes(count: Int, width w: Int) -> Int { (count * w + 7) >> 3 }
}

/// Appends fixed-width values to a bit stream (BitPacking's layout).
struct BitWriter {
    private(set) var bytes: [UInt8] = []
    private var accumulator: UInt64 = 0
    private var pending = 0

    mutating func append(_ value: UInt32, width w: Int) {
        guard w > 0 else { return }
        accumulator |= (UInt64(value) & ((1 << UInt64(w)) - 1)) << UInt64(pending)
        pending += w
        while pending >= 8 {
            bytes.append(UInt8(truncatingIfNeeded: accumulator))
            accumulator >>= 8
            pending -= 8
        }
    }

    mutating func appendZeros(_ n: Int) {
        var left = n
        while left > 0 {
            let k = min(left, 32)
            append(0, width: k)
            left -= k
        }
    }

    /// The bytes, the last one padded with zero bits.
    mutating func finish() -> [UInt8] {
        if pending > 0 { bytes.append(UInt8(truncatingIfNeeded: accumulator)); accumulator = 0; pending = 0 }
        return bytes
    }
}
