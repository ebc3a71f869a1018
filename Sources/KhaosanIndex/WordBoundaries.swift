/// Where words begin and end in a document's stream, for whole-word matching: bit p is set when
/// a word boundary lies between scalar p-1 and scalar p (p from 0 to the stream's length): at
/// either end, beside a space, punctuation or a field end, and where the segmentation starts a
/// word. A phrase occurrence at s of k scalars is a whole word (or whole words) when bits s and
/// s+k are both set. One bit per scalar, about a tenth of the positions' room.
enum WordBoundaries {
    /// A scalar that belongs to a word (letters, digits, Thai letters and marks); everything else
    /// separates words.
    @inline(__always) static func isWordScalar(_ c: UInt32) -> Bool {
        if c < 0x80 { return (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) }
        if c >= 0x0E00 && c <= 0x0E7F { return (c >= 0x0E01 && c <= 0x0E3A) || (c >= 0x0E40 && c <= 0x0E4E) || (c >= 0x0E50 && c <= 0x0E59) }
        guard let u = Unicode.Scalar(c) else { return false }
        return u.properties.isAlphabetic || u.properties.numericType != nil
    }

    static func bytes(streamLength: Int) -> Int { (streamLength + 1 + 7) >> 3 }

    /// The bits of one document: `stream` is its title, fieldEnd, body, fieldEnd; `starts` are
    /// word starts in that stream.
    static func bits(stream: UnsafeBufferPointer<UInt32>, starts: [UInt32]) -> [UInt8] {
        let n = stream.count
        var out = [UInt8](repeating: 0, count: bytes(streamLength: n))
        func set(_ p: Int) { out[p >> 3] |= 1 << UInt8(p & 7) }
        set(0)
        set(n)
        var prevWord = n > 0 && isWordScalar(stream[0])
        for p in 1..<max(n, 1) {
            let word = isWordScalar(stream[p])
            if !word || !prevWord { set(p) }
            prevWord = word
        }
        for s in starts where Int(s) <= n { set(Int(s)) }
        return out
    }

    @inline(__always) static func test(_ base: UnsafePointer<UInt8>, _ p: Int) -> Bool {
        base[p >> 3] & (1 << UInt8(p & 7)) != 0
    }
}
