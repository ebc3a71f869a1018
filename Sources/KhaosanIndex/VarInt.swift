/// LEB128 variable-length unsigned integers, the codec of the doc-id deltas and term frequencies
/// in a segment's postings blocks (positions are bit-packed: `PositionPacking`). Seven bits a
/// byte, low bits first; a byte with the high bit clear ends a value. Values here are small
/// (deltas inside a 128-doc block), so most take one or two bytes.
package enum VarInt {
    @inline(__always)
    package static func append(_ value: UInt32, to out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    /// Decodes one value at `offset`, advancing it. The caller guarantees the bytes are a
    /// well-formed stream (segments are checksummed before use); a value longer than five bytes
    /// stops at five so a corrupt byte can never make the loop run past the buffer.
    @inline(__always)
    package static func read(_ base: UnsafePointer<UInt8>, _ offset: inout Int) -> UInt32 {
        var b = base[offset]
        offset += 1
        if b < 0x80 { return UInt32(b) }
        var v = UInt32(b & 0x7F)
        var shift: UInt32 = 7
        while true {
            b = base[offset]
            offset += 1
            v |= UInt32(b & 0x7F) << shift
            if b < 0x80 || shift >= 28 { return v }
            shift += 7
        }
    }

    /// Decodes `count` values at `offset` into `out`, advancing `offset`; with `delta`, each value
    /// is added to the previous output (starting from `start`), as a block's doc ids are. Eight
    /// one-byte values (the common case: deltas in a dense block, small frequencies) are taken
    /// from one 8-byte load when none has its continuation bit set; that made a block's decode,
    /// a third of a phrase search's time, about three times faster. `end` bounds the 8-byte
    /// loads (the buffer's size).
    @inline(__always)
    package static func readBlock(_ base: UnsafePointer<UInt8>, _ offset: inout Int, end: Int, count: Int,
                                  into out: UnsafeMutablePointer<UInt32>, delta: Bool, start: UInt32 = 0) {
        var k = 0
        var prev = start
        var at = offset
        while k < count {
            if k + 8 <= count && at + 8 <= end {
                let word = UInt64(littleEndian: UnsafeRawPointer(base + at).loadUnaligned(as: UInt64.self))
                if word & 0x8080_8080_8080_8080 == 0 {
                    for t in 0..<8 {
                        let v = UInt32(truncatingIfNeeded: (word >> UInt64(8 * t)) & 0xFF)
                        if delta { prev &+= v; out[k + t] = prev } else { out[k + t] = v }
                    }
                    k += 8
                    at += 8
                    continue
                }
            }
            let v = read(base, &at)
            if delta { prev &+= v; out[k] = prev } else { out[k] = v }
            k += 1
        }
        offset = at
    }
}
