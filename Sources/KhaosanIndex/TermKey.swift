/// A term of the index: two consecutive characters of a field's search stream, packed as
/// `first << 32 | second`. The second is 0 at the end of a field, so every character of a text
/// is the first character of exactly one term and a one-character query is the key range
/// `[c << 32, (c + 1) << 32)` of the sorted dictionary.
package enum TermKey {
    /// Ends each field of a document's stream; never part of a query (NUL is rejected at input).
    package static let fieldEnd: UInt32 = 0

    @inline(__always)
    package static func make(_ a: UInt32, _ b: UInt32) -> UInt64 { UInt64(a) << 32 | UInt64(b) }

    @inline(__always)
    package static func first(_ key: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: key >> 32) }

    /// A dense code for characters of the Thai block and ASCII, so the builder finds the term of
    /// most positions in a flat table instead of a hash map (nil: use the map).
    @inline(__always)
    static func denseCode(_ c: UInt32) -> Int? {
        if c < 0x80 { return Int(c) }
        if c >= 0x0E00 && c < 0x0E80 { return 0x80 + Int(c - 0x0E00) }
        return nil
    }
    static let denseCount = 0x100
}
