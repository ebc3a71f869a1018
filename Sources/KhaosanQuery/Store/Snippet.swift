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

    /// Bytes normalised on each side of an anchor found in the raw text.
    static let windowBytes = 2_048

    /// The window around the first occurrence of any needle in `text` (nil when none occurs).
    ///
    /// Normalising a whole body to find a match was a fifth of a search's time, and most of a
    /// query's time when its few hits are long releases. So each needle's longest run of Thai
    /// letters and marks (characters normalisation leaves as they are) is first looked for byte
    /// for byte in the raw UTF-8 (memmem); only a window around the earliest such anchor is
    /// normalised and searched. When a needle has no such run, or the window holds no match (a
    /// mark typed out of order, a Latin word in other case), the whole text is searched.
    static func make(text: String, needles: [[UInt32]]) -> (snippet: String, highlights: [Range<Int>])? {
        if let found = anchored(text, needles) { return found }
        let all = occurrences(needles, in: text)
        guard let first = all.min(by: { $0.lowerBound < $1.lowerBound }) else { return nil }
        return window(text, around: first, highlights: all)
    }

    private static func anchored(_ text: String, _ needles: [[UInt32]]) -> (snippet: String, highlights: [Range<Int>])? {
        let u = text.utf8
        guard u.count > 2 * windowBytes else { return nil }
        var anchors: [[UInt8]] = []
        for n in needles {
            guard let run = longestThaiRun(n), run.count >= 2 else { return nil }
            anchors.append(Array(String(String.UnicodeScalarView(run.compactMap(Unicode.Scalar.init))).utf8))
        }
        var copy = text
        let at: Int? = copy.withUTF8 { hay in
            var best: Int? = nil
            for a in anchors {
                if let off = find(a, in: UnsafeRawBufferPointer(hay)) { best = min(best ?? off, off) }
            }
            return best
        }
        guard let at else { return nil }
        // A window on character boundaries around the anchor.
        var lo = u.index(u.startIndex, offsetBy: max(0, at - windowBytes))
        while lo > u.startIndex && u[lo] & 0xC0 == 0x80 { lo = u.index(before: lo) }
        var hi = u.index(u.startIndex, offsetBy: min(u.count, at + windowBytes))
        while hi < u.endIndex && u[hi] & 0xC0 == 0x80 { hi = u.index(after: hi) }
        let shift = u.distance(from: u.startIndex, to: lo)
        let found = occurrences(needles, in: String(text[lo..<hi])).map { ($0.lowerBound + shift)..<($0.upperBound + shift) }
        guard let first = found.min(by: { $0.lowerBound < $1.lowerBound }) else { return nil }
        return window(text, around: first, highlights: found)
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
        var all: [Range<Int>] = []
        for n in needles { all += SearchText.occurrences(of: n, in: text, limit: maxOccurrences) }
        return all
    }

    /// The start of `text` with no highlight.
    static func opening(_ text: String) -> (snippet: String, highlights: [Range<Int>]) {
        let s = text
        let hi = s.index(s.startIndex, offsetBy: charactersBefore + charactersAfter, limitedBy: s.endIndex) ?? s.endIndex
        return (String(s[..<hi]) + (hi < s.endIndex ? ellipsis : ""), [])
    }

    static func window(_ s: String, around first: Range<Int>, highlights: [Range<Int>]) -> (snippet: String, highlights: [Range<Int>]) {
        let u = s.utf8
        // Character-based moves round a non-boundary index down to its grapheme start.
        let at = u.index(u.startIndex, offsetBy: first.lowerBound)
        let lo = s.index(at, offsetBy: -charactersBefore, limitedBy: s.startIndex) ?? s.startIndex
        var hi = s.index(at, offsetBy: charactersAfter, limitedBy: s.endIndex) ?? s.endIndex
        if u.distance(from: u.startIndex, to: hi) < first.upperBound {
            hi = u.index(u.startIndex, offsetBy: first.upperBound)
            if hi < s.endIndex, u.distance(from: u.startIndex, to: hi) < first.upperBound { hi = s.index(after: hi) }
        }
        let loByte = u.distance(from: u.startIndex, to: lo)
        let hiByte = u.distance(from: u.startIndex, to: hi)
        let prefix = lo > s.startIndex ? ellipsis : ""
        let suffix = hi < s.endIndex ? ellipsis : ""
        let shift = prefix.utf8.count - loByte
        let inside = highlights.filter { $0.lowerBound >= loByte && $0.upperBound <= hiByte }
            .map { ($0.lowerBound + shift)..<($0.upperBound + shift) }
        return (prefix + String(s[lo..<hi]) + suffix, merge(inside))
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
