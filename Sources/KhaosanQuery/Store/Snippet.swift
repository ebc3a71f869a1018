#if canImport(Glibc)
import Glibc
#endif
import KhaosanThai

/// Snippets cut from the stored original text around the first occurrence of a query phrase,
/// found on the same normalised stream the index matches (`SearchText`), so Thai digits, case
/// and runs of spaces match as they do in search, and highlights land on the original characters.
enum Snippet {
    static let charactersBefore = 60
    static let charactersAfter = 120
    static let ellipsis = "…"
    /// Highlights looked for in one text, at most.
    static let maxOccurrences = 64

    /// Compact bytes decoded before and after an anchor found in a stored text: room for the
    /// snippet's characters (one byte each for Thai and ASCII) with a margin; a snippet that
    /// would reach past the window is cut from the whole text instead.
    static let windowBefore = 384
    static let windowAfter = 768

    /// The window around the first occurrence of any needle in `text` (nil when none occurs).
    static func make(text: String, needles: [[UInt32]]) -> (snippet: String, highlights: [Range<Int>])? {
        let all = occurrences(needles, in: text)
        guard let first = all.min(by: { $0.lowerBound < $1.lowerBound }) else { return nil }
        return window(text, around: first, highlights: all)
    }

    /// The same for a text in its stored CompactText form, decoding as little of it as it can.
    ///
    /// Decoding a whole body to a String and normalising it to find a match was most of the time
    /// a search spent on its page (a third of all it did, in a profile of the benchmark's
    /// queries). So each needle's longest run of Thai letters and marks (one byte each in
    /// CompactText, left as they are by normalisation), or else of ASCII letters (compared
    /// without case), is first looked for byte for byte in the compact text; only a window
    /// around the earliest such anchor is decoded, normalised and searched. When a needle has
    /// no such run, or the window holds no match (a mark typed out of order, a Latin word in
    /// another script's case), the whole text is decoded and searched, so the answer is the
    /// one a search of the whole text gives.
    static func make(compact: [UInt8], needles: [[UInt32]]) -> (snippet: String, highlights: [Range<Int>])? {
        if compact.count > windowBefore + windowAfter, let found = anchored(compact, needles) { return found }
        return make(text: CompactText.decode(compact), needles: needles)
    }

    private static func anchored(_ compact: [UInt8], _ needles: [[UInt32]]) -> (snippet: String, highlights: [Range<Int>])? {
        var at: Int? = nil
        let found: Bool = compact.withUnsafeBytes { hay in
            for n in needles {
                let offset: Int?
                if let run = longestThaiRun(n), run.count >= 2 {
                    offset = find(run.map { UInt8($0 - 0x0E00 + 0x80) }, in: hay)
                } else if let run = longestASCIILetterRun(n), run.count >= 2 {
                    offset = findIgnoringASCIICase(run, in: hay)
                } else {
                    return false
                }
                if let offset { at = min(at ?? offset, offset) }
            }
            return true
        }
        guard found, let at else { return nil }
        // Cut where a character surely starts: at an ASCII byte (never part of an escaped
        // scalar, whose bytes are all >= 0x80; a Thai character's byte could be mistaken for one).
        guard let lo = cut(compact, from: max(0, at - windowBefore), step: -1),
              let hi = cut(compact, from: min(compact.count, at + windowAfter), step: 1) else { return nil }
        let text = compact[lo..<hi].withUnsafeBytes { CompactText.decode($0) }
        let all = occurrences(needles, in: text)
        guard let first = all.min(by: { $0.lowerBound < $1.lowerBound }) else { return nil }
        let (snippet, bytes) = cutWindow(text, around: first, highlights: all, textBefore: lo > 0, textAfter: hi < compact.count)
        // Reaching an edge of the window that is not the text's: the whole text decides.
        if (lo > 0 && bytes.lowerBound == 0) || (hi < compact.count && bytes.upperBound == text.utf8.count) { return nil }
        return snippet
    }

    /// The nearest position from `from` in the direction `step` where a character surely starts
    /// (0, the end, or an ASCII byte), looking at most 512 bytes; nil if there is none.
    static func cut(_ compact: [UInt8], from: Int, step: Int) -> Int? {
        var p = from
        for _ in 0..<512 {
            if p <= 0 { return 0 }
            if p >= compact.count { return compact.count }
            if compact[p] < 0x80 { return p }
            p += step
        }
        return nil
    }

    /// The longest run of ASCII letters in a needle, lower-cased as the needle is.
    static func longestASCIILetterRun(_ n: [UInt32]) -> [UInt8]? {
        var best: ArraySlice<UInt32> = []
        var start = 0
        for i in 0...n.count {
            if i == n.count || !(0x61...0x7A).contains(n[i]) {
                if i - start > best.count { best = n[start..<i] }
                start = i + 1
            }
        }
        return best.isEmpty ? nil : best.map { UInt8($0) }
    }

    /// First offset of the lower-case ASCII `needle` in `hay`, ignoring ASCII case.
    static func findIgnoringASCIICase(_ needle: [UInt8], in hay: UnsafeRawBufferPointer) -> Int? {
        let n = needle.count
        guard n > 0, hay.count >= n else { return nil }
        @inline(__always) func lower(_ b: UInt8) -> UInt8 { b &- 0x41 < 26 ? b | 0x20 : b }
        let first = needle[0]
        var i = 0
        while i + n <= hay.count {
            if lower(hay[i]) == first {
                var j = 1
                while j < n && lower(hay[i + j]) == needle[j] { j += 1 }
                if j == n { return i }
            }
            i += 1
        }
        return nil
    }

    /// First offset of `needle` in `hay`: memchr for its last byte (a Thai letter's last UTF-8
    /// byte varies more than its lead byte 0xE0), then memcmp. (Swift's Glibc has no memmem.)
    static func find(_ needle: [UInt8], in hay: UnsafeRawBufferPointer) -> Int? {
        let n = needle.count
        guard n > 0, hay.count >= n, let base = hay.baseAddress else { return nil }
        return needle.withUnsafeBytes { nb -> Int? in
            let last = Int32(needle[n - 1])
            var from = n - 1
            while from < hay.count {
                guard let p = memchr(base + from, last, hay.count - from) else { return nil }
                let end = UnsafeRawPointer(p) - base
                if memcmp(base + end - (n - 1), nb.baseAddress!, n) == 0 { return end - (n - 1) }
                from = end + 1
            }
            return nil
        }
    }

    /// The longest run of Thai letters and marks in a needle (digits excluded: ๑ and 1 match).
    static func longestThaiRun(_ n: [UInt32]) -> [UInt32]? {
        var best: ArraySlice<UInt32> = []
        var start = 0
        for i in 0...n.count {
            if i == n.count || !SearchText.isThai(n[i]) {
                if i - start > best.count { best = n[start..<i] }
                start = i + 1
            }
        }
        return best.isEmpty ? nil : Array(best)
    }

    static func occurrences(_ needles: [[UInt32]], in text: String) -> [Range<Int>] {
        SearchText.occurrences(of: needles, in: text, limit: maxOccurrences)
    }

    /// The start of `text` with no highlight.
    static func opening(_ text: String) -> (snippet: String, highlights: [Range<Int>]) {
        let s = text
        let hi = s.index(s.startIndex, offsetBy: charactersBefore + charactersAfter, limitedBy: s.endIndex) ?? s.endIndex
        return (String(s[..<hi]) + (hi < s.endIndex ? ellipsis : ""), [])
    }

    /// The snippet around `first` (UTF-8 offsets in `s`): `charactersBefore` scalars before it
    /// and `charactersAfter` from its start, widened so that no combining mark is cut from its
    /// base (scalars rather than grapheme clusters: finding cluster boundaries was a tenth of a
    /// page's time). `textBefore` / `textAfter`: `s` is a window of a longer text.
    static func window(_ s: String, around first: Range<Int>, highlights: [Range<Int>]) -> (snippet: String, highlights: [Range<Int>]) {
        cutWindow(s, around: first, highlights: highlights, textBefore: false, textAfter: false).snippet
    }

    /// `window`, with the UTF-8 range of `s` the snippet took.
    static func cutWindow(_ s: String, around first: Range<Int>, highlights: [Range<Int>],
                          textBefore: Bool, textAfter: Bool) -> (snippet: (snippet: String, highlights: [Range<Int>]), bytes: Range<Int>) {
        let u = s.utf8
        let scalars = s.unicodeScalars
        let at = u.index(u.startIndex, offsetBy: first.lowerBound)
        var lo = scalars.index(at, offsetBy: -charactersBefore, limitedBy: scalars.startIndex) ?? scalars.startIndex
        while lo > scalars.startIndex && isMark(scalars[lo]) { lo = scalars.index(before: lo) }
        let end = u.index(u.startIndex, offsetBy: first.upperBound)
        var hi = scalars.index(at, offsetBy: charactersAfter, limitedBy: scalars.endIndex) ?? scalars.endIndex
        if hi < end { hi = end }
        while hi < scalars.endIndex && isMark(scalars[hi]) { hi = scalars.index(after: hi) }
        let loByte = u.distance(from: u.startIndex, to: lo)
        let hiByte = u.distance(from: u.startIndex, to: hi)
        let prefix = lo > s.startIndex || textBefore ? ellipsis : ""
        let suffix = hi < s.endIndex || textAfter ? ellipsis : ""
        let shift = prefix.utf8.count - loByte
        let inside = highlights.filter { $0.lowerBound >= loByte && $0.upperBound <= hiByte }
            .map { ($0.lowerBound + shift)..<($0.upperBound + shift) }
        return ((prefix + String(s[lo..<hi]) + suffix, merge(inside)), loByte..<hiByte)
    }

    /// A scalar that joins the one before it (Thai vowel signs and tone marks above and below,
    /// sara am, and any other combining mark: Unicode's grapheme Extend and SpacingMark): a
    /// snippet does not start or end between the two.
    static func isMark(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        if v < 0x300 { return false }
        if (0x0E00...0x0E7F).contains(v) { return v == 0x0E31 || v == 0x0E33 || (0x0E34...0x0E3A).contains(v) || (0x0E47...0x0E4E).contains(v) }
        switch c.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return v == 0x200D || (0xFE00...0xFE0F).contains(v)
        }
    }

    static func merge(_ ranges: [Range<Int>]) -> [Range<Int>] {
        let sorted = ranges.sorted { $0.lowerBound < $1.lowerBound }
        var out: [Range<Int>] = []
        for r in sorted {
            if let l = out.last, r.lowerBound < l.upperBound {
                out[out.count - 1] = l.lowerBound..<max(l.upperBound, r.upperBound)
            } else {
                out.append(r)
            }
        }
        return out
    }
}
