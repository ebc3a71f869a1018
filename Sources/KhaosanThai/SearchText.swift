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
        occurrences(of: [needle], in: text, limit: limit)
    }

    /// The same for several needles over one normalisation of `text`: each needle's ranges (at
    /// most `limit` each, ascending), needle after needle.
    ///
    /// The stream is built in buffers in one pass rather than through `walk`'s closure: appending
    /// to two arrays a scalar at a time was half of a snippet's cost (a profile of the search
    /// benchmark's pages, session 10).
    package static func occurrences(of needles: [[UInt32]], in text: String, limit: Int = .max) -> [Range<Int>] {
        guard needles.contains(where: { !$0.isEmpty }) else { return [] }
        let norm = NormalizedText(text)
        let cap = max(norm.count, 1)
        var out: [Range<Int>] = []
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: cap) { stream in
            withUnsafeTemporaryAllocation(of: Int32.self, capacity: cap) { los in
                withUnsafeTemporaryAllocation(of: Int32.self, capacity: cap) { his in
                    // `walk`'s stream: runs of spaces (and dropped scalars) as one space, taking
                    // the range of the run's first, none before the first or after the last scalar.
                    var m = 0
                    var pending = -1
                    norm.scalars.withUnsafeBufferPointer { sc in
                        norm.starts.withUnsafeBufferPointer { st in
                            norm.ends.withUnsafeBufferPointer { en in
                                for i in 0..<sc.count {
                                    let c = sc[i]
                                    if c == space || c == 0 {
                                        if m > 0 && pending < 0 { pending = i }
                                        continue
                                    }
                                    if pending >= 0 {
                                        stream[m] = space; los[m] = st[pending]; his[m] = en[pending]; m += 1
                                        pending = -1
                                    }
                                    stream[m] = c; los[m] = st[i]; his[m] = en[i]; m += 1
                                }
                            }
                        }
                    }
                    for needle in needles where !needle.isEmpty {
                        let n = needle.count
                        guard m >= n else { continue }
                        var found = 0
                        var i = 0
                        let first = needle[0]
                        while i + n <= m && found < limit {
                            if stream[i] == first {
                                var j = 1
                                while j < n && stream[i + j] == needle[j] { j += 1 }
                                if j == n {
                                    // Reordered marks' ranges are not monotonic: the span is their hull.
                                    var lo = los[i], hi = his[i]
                                    for k in i..<(i + n) { lo = min(lo, los[k]); hi = max(hi, his[k]) }
                                    out.append(Int(lo)..<Int(hi))
                                    found += 1
                                    i += n
                                    continue
                                }
                            }
                            i += 1
                        }
                    }
                }
            }
        }
        return out
    }
}
