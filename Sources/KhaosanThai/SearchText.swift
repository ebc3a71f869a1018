/// The character stream that search matches on, the same for indexed texts and for queries:
/// the analyser's per-character normalisation (NFC-style mark order, ํ + า as ำ, zero-width
/// characters dropped, Latin lower-cased, Thai digits as 0-9), every run of spaces (newlines and
/// no-break spaces included) as one space, no space at either end. A phrase matches a text when
/// its stream occurs in the text's stream: exactly `grep -F` on normalised text, wherever the
/// phrase starts or ends inside a word, punctuation included.
package enum SearchText {
    package static let space: UInt32 = 0x20

    /// A letter, vowel or mark of the Thai block (digits and punctuation excluded).
    package static func isThai(_ c: UInt32) -> Bool { ThaiChar.isThai(c) }

    package static func scalars(_ text: String) -> [UInt32] {
        var out: [UInt32] = []
        walk(text) { c, _ in out.append(c) }
        return out
    }

    /// The stream with, for each scalar, the original UTF-8 range it stands for (`khaosan tokenize`).
    package static func stream(_ text: String) -> [(scalar: UInt32, utf8Range: Range<Int>)] {
        var out: [(scalar: UInt32, utf8Range: Range<Int>)] = []
        walk(text) { out.append(($0, $1)) }
        return out
    }

    /// Each scalar of the stream with the original UTF-8 range it stands for.
    static func walk(_ text: String, _ emit: (UInt32, Range<Int>) -> Void) {
        let norm = NormalizedText(text)
        var pendingSpace: Range<Int>? = nil
        var started = false
        for i in 0..<norm.count {
            let c = norm.scalars[i]
            let r = Int(norm.starts[i])..<Int(norm.ends[i])
            if c == space || c == 0 {
                if started && pendingSpace == nil { pendingSpace = r }
                continue
            }
            if let sp = pendingSpace { emit(space, sp); pendingSpace = nil }
            started = true
            emit(c, r)
        }
    }

    /// UTF-8 ranges of `text` where `needle` (a search stream) occurs, at most `limit`, ascending.
    package static func occurrences(of needle: [UInt32], in text: String, limit: Int = .max) -> [Range<Int>] {
        guard !needle.isEmpty else { return [] }
        var stream: [UInt32] = []
        var ranges: [Range<Int>] = []
        walk(text) { c, r in stream.append(c); ranges.append(r) }
        var out: [Range<Int>] = []
        let n = needle.count
        guard stream.count >= n else { return [] }
        var i = 0
        while i + n <= stream.count && out.count < limit {
            if stream[i] == needle[0] {
                var j = 1
                while j < n && stream[i + j] == needle[j] { j += 1 }
                if j == n {
                    var lo = ranges[i].lowerBound, hi = ranges[i].upperBound
                    for k in i..<(i + n) { lo = min(lo, ranges[k].lowerBound); hi = max(hi, ranges[k].upperBound) }
                    out.append(lo..<hi)
                    i += n
                    continue
                }
            }
            i += 1
        }
        return out
    }
}
