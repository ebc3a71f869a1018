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
}
