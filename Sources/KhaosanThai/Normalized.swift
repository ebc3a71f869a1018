// Per-character normalisation done on the fly while decoding, so that every analysis path
// (clusters, words, index and query tokens) sees the same characters and every character still
// knows which bytes of the ORIGINAL string it came from. Deliberately independent of any
// string-level normaliser elsewhere: the index must not change when that one does.

/// The normalised scalars of a text with, for each, the UTF-8 byte range in the original.
/// A range can be wider than the scalar (a dropped repeated mark is folded into the first one;
/// dropped zero-width chars belong to no scalar) and ranges of reordered marks are not monotonic.
struct NormalizedText {
    var scalars: [UInt32]
    var starts: [Int32]
    var ends: [Int32]

    init(_ text: String) {
        var text = text
        self = text.withUTF8 { NormalizedText(utf8: $0) }
    }

    /// `utf8` must be valid UTF-8 (as a Swift String's bytes always are).
    init(utf8 buf: UnsafeBufferPointer<UInt8>) {
        let cap = buf.count + 1
        var n = 0
        var st: [Int32] = []
        var en: [Int32] = []
        scalars = [UInt32](unsafeUninitializedCapacity: cap) { sc, scCount in
            st = [Int32](unsafeUninitializedCapacity: cap) { stb, stCount in
                en = [Int32](unsafeUninitializedCapacity: cap) { enb, enCount in
                    n = Self.fill(buf, sc.baseAddress!, stb.baseAddress!, enb.baseAddress!)
                    enCount = n
                }
                stCount = n
            }
            scCount = n
        }
        starts = st
        ends = en
    }

    static func fill(_ buf: UnsafeBufferPointer<UInt8>, _ sc: UnsafeMutablePointer<UInt32>,
                             _ st: UnsafeMutablePointer<Int32>, _ en: UnsafeMutablePointer<Int32>) -> Int {
        var n = 0
        var i = 0
        let len = buf.count
        while i < len {
            let b0 = UInt32(buf[i])
            var c: UInt32
            var w: Int
            if b0 < 0x80 {
                c = b0; w = 1
            } else if b0 < 0xE0 {
                c = ((b0 & 0x1F) << 6) | UInt32(buf[i + 1] & 0x3F); w = 2
            } else if b0 < 0xF0 {
                c = ((b0 & 0x0F) << 12) | (UInt32(buf[i + 1] & 0x3F) << 6) | UInt32(buf[i + 2] & 0x3F); w = 3
            } else {
                c = ((b0 & 0x07) << 18) | (UInt32(buf[i + 1] & 0x3F) << 12)
                    | (UInt32(buf[i + 2] & 0x3F) << 6) | UInt32(buf[i + 3] & 0x3F); w = 4
            }
            let s = Int32(i), e = Int32(i + w)
            i += w
            if c < 0x80 {
                if c >= 0x41 && c <= 0x5A { c += 0x20 } else if c >= 0x09 && c <= 0x0D { c = 0x20 }
            } else if c >= 0x0E00 && c <= 0x0E7F {
                if c >= 0x0E50 && c <= 0x0E59 {
                    c = c - 0x0E50 + 0x30
                } else if ThaiChar.isMark(c) && n > 0 {
                    let last = sc[n - 1]
                    // A doubled mark renders as one; index it once.
                    if last == c { en[n - 1] = e; continue }
                    let cc = ThaiChar.combiningClass(c)
                    if cc != 0 && ThaiChar.combiningClass(last) > cc {
                        // Canonical order (as NFC): e.g. a tone mark typed before sara u.
                        sc[n] = last; st[n] = st[n - 1]; en[n] = en[n - 1]
                        sc[n - 1] = c; st[n - 1] = s; en[n - 1] = e
                        n += 1
                        continue
                    }
                } else if c == 0x0E32 && n > 0 {
                    // NFKC and some keyboards spell ำ as ํ + า (or ํ + tone + า): recompose.
                    if sc[n - 1] == 0x0E4D {
                        sc[n - 1] = 0x0E33; en[n - 1] = e
                        continue
                    }
                    if n > 1 && sc[n - 2] == 0x0E4D && ThaiChar.isTone(sc[n - 1]) {
                        let ns = st[n - 2]
                        sc[n - 2] = sc[n - 1]; st[n - 2] = st[n - 1]; en[n - 2] = en[n - 1]
                        sc[n - 1] = 0x0E33; st[n - 1] = ns; en[n - 1] = e
                        continue
                    }
                }
            } else if ThaiChar.isIgnorable(c) {
                // Zero-width characters do not exist for search.
                continue
            } else if ThaiChar.isUnicodeSpace(c) {
                c = 0x20
            } else if let u = Unicode.Scalar(c), u.properties.changesWhenLowercased {
                let lower = u.properties.lowercaseMapping.unicodeScalars
                if lower.count == 1, let l = lower.first { c = l.value }
            }
            sc[n] = c; st[n] = s; en[n] = e
            n += 1
        }
        return n
    }

    var count: Int { scalars.count }
}

enum ThaiChar {
    /// Thai consonants ก-ฮ.
    @inline(__always) static func isConsonant(_ c: UInt32) -> Bool { c >= 0x0E01 && c <= 0x0E2E }
    /// Letters, vowels and marks of the Thai block that form words (ฯ and ๆ included; digits,
    /// baht sign and the ๏ ๚ ๛ punctuation excluded).
    @inline(__always) static func isThai(_ c: UInt32) -> Bool {
        (c >= 0x0E01 && c <= 0x0E3A) || (c >= 0x0E40 && c <= 0x0E4E)
    }
    /// Non-spacing marks: above/below vowels, tone marks and signs.
    @inline(__always) static func isMark(_ c: UInt32) -> Bool {
        c == 0x0E31 || (c >= 0x0E34 && c <= 0x0E3A) || (c >= 0x0E47 && c <= 0x0E4E)
    }
    @inline(__always) static func isTone(_ c: UInt32) -> Bool { c >= 0x0E48 && c <= 0x0E4B }
    /// Unicode canonical combining classes of the Thai marks that have one.
    @inline(__always) static func combiningClass(_ c: UInt32) -> Int {
        switch c {
        case 0x0E38, 0x0E39: return 103
        case 0x0E48...0x0E4B: return 107
        case 0x0E3A: return 9
        default: return 0
        }
    }
    @inline(__always) static func isIgnorable(_ c: UInt32) -> Bool {
        (c >= 0x200B && c <= 0x200D) || c == 0x2060 || c == 0xFEFF || c == 0x00AD
    }
    @inline(__always) static func isUnicodeSpace(_ c: UInt32) -> Bool {
        c == 0x00A0 || c == 0x0085 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028
            || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000
    }
    /// Characters of a Latin (or other non-Thai script) word or a number, after folding.
    @inline(__always) static func isWordChar(_ c: UInt32) -> Bool {
        if c < 0x80 { return (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39) }
        if c >= 0x0E00 && c <= 0x0E7F { return false }
        guard let u = Unicode.Scalar(c) else { return false }
        let p = u.properties
        return p.isAlphabetic || p.numericType == .decimal
    }
}
