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

    /// Bytes of a long text searched first: the earliest match is usually near the start, and
    /// normalising a whole 10-50 KB body for it was a fifth of a search's time.
    static let prefixBytes = 4_096
    /// A match found in the prefix counts only if it ends this far before the cut (room for the
    /// window after it, and for normalisation that looks at neighbouring characters).
    static let prefixMargin = 1_024

    /// The window around the first occurrence of any needle in `text` (nil when none occurs).
    static func make(text: String, needles: [[UInt32]]) -> (snippet: String, highlights: [Range<Int>])? {
        let u = text.utf8
        if u.count > prefixBytes + prefixMargin {
            // Cut at a character boundary at or below prefixBytes.
            var cut = u.index(u.startIndex, offsetBy: prefixBytes)
            while cut > u.startIndex && u[cut] & 0xC0 == 0x80 { cut = u.index(before: cut) }
            let head = String(text[..<cut])
            let found = occurrences(needles, in: head)
            // The earliest match anywhere is this one when it ends well before the cut.
            if let first = found.min(by: { $0.lowerBound < $1.lowerBound }), first.upperBound + prefixMargin <= head.utf8.count {
                return window(text, around: first, highlights: found)
            }
        }
        let all = occurrences(needles, in: text)
        guard let first = all.min(by: { $0.lowerBound < $1.lowerBound }) else { return nil }
        return window(text, around: first, highlights: all)
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
