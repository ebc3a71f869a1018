/// Snippets built in Swift from the stored text: FTS5's snippet() works on token offsets, and
/// overlapping bigram tokens would make it cut and highlight in the middle of characters.
enum Snippet {
    static let charactersBefore = 60
    static let charactersAfter = 120
    static let ellipsis = "…"

    /// Needles as UTF-8 with ASCII letters lowercased, the way matching compares them.
    static func needles(_ phrases: [String]) -> [[UInt8]] {
        var seen = Set<[UInt8]>()
        var out: [[UInt8]] = []
        for p in phrases {
            let n = p.utf8.map(lowerASCII)
            if !n.isEmpty, seen.insert(n).inserted { out.append(n) }
        }
        return out
    }

    @inline(__always) static func lowerASCII(_ b: UInt8) -> UInt8 { (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b }

    /// The window around the first occurrence of any needle in `text`, or the start of `text`.
    static func make(text: String, needles: [[UInt8]]) -> (snippet: String, highlights: [Range<Int>]) {
        let s = text
        var contiguous = text
        return contiguous.withUTF8 { bytes in
            var first: Int? = nil
            var firstLength = 0
            for n in needles {
                if let at = find(n, in: bytes, from: 0, before: first ?? bytes.count) { first = at; firstLength = n.count }
            }
            let u = s.utf8
            let lo: String.Index
            var hi: String.Index
            if let first {
                // Character-based index moves round a non-boundary index down to its grapheme start.
                let at = u.index(u.startIndex, offsetBy: first)
                lo = s.index(at, offsetBy: -charactersBefore, limitedBy: s.startIndex) ?? s.startIndex
                hi = s.index(at, offsetBy: charactersAfter, limitedBy: s.endIndex) ?? s.endIndex
                let matchEnd = first + firstLength
                if u.distance(from: u.startIndex, to: hi) < matchEnd {
                    let e = u.index(u.startIndex, offsetBy: matchEnd)
                    hi = e == s.endIndex ? e : s.index(after: s.index(before: e))
                    if u.distance(from: u.startIndex, to: hi) < matchEnd { hi = s.index(after: hi) }
                }
            } else {
                lo = s.startIndex
                hi = s.index(lo, offsetBy: charactersBefore + charactersAfter, limitedBy: s.endIndex) ?? s.endIndex
            }
            let loByte = u.distance(from: u.startIndex, to: lo)
            let hiByte = u.distance(from: u.startIndex, to: hi)
            let prefix = lo > s.startIndex ? ellipsis : ""
            let suffix = hi < s.endIndex ? ellipsis : ""
            let shift = prefix.utf8.count - loByte
            var ranges: [Range<Int>] = []
            if first != nil {
                for n in needles {
                    var from = loByte
                    while let at = find(n, in: bytes, from: from, before: hiByte), at + n.count <= hiByte {
                        ranges.append((at + shift)..<(at + n.count + shift))
                        from = at + 1
                    }
                }
            }
            return (prefix + String(s[lo..<hi]) + suffix, merge(ranges))
        }
    }

    /// First index >= from where `needle` starts (ASCII case-insensitive) and starts before `before`.
    static func find(_ needle: [UInt8], in hay: UnsafeBufferPointer<UInt8>, from: Int, before: Int) -> Int? {
        let n = needle.count
        guard n > 0, hay.count >= n else { return nil }
        let last = min(before - 1, hay.count - n)
        guard from <= last else { return nil }
        let f0 = needle[0]
        var i = from
        while i <= last {
            if lowerASCII(hay[i]) == f0 {
                var j = 1
                while j < n, lowerASCII(hay[i + j]) == needle[j] { j += 1 }
                if j == n { return i }
            }
            i += 1
        }
        return nil
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

