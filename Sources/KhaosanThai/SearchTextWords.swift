// Kept apart from SearchText.swift so that the search stream (SearchText + NormalizedText) builds
// without the analyser and its lexicon resources: the query-parser fuzzer compiles it alone.

extension SearchText {
    /// Stream positions (indexes into `scalars(text)`) where a word of the dictionary segmentation
    /// starts: what tells a whole-word match (ยา the word) from a match inside a word (ยาง).
    package static func wordStarts(_ text: String, analyzer: ThaiAnalyzer = .shared) -> [UInt32] {
        wordStarts(text, tokens: analyzer.words(text))
    }

    /// The same from the analyser's words of `text`, for a caller that needs them for more.
    package static func wordStarts(_ text: String, tokens: [ThaiToken]) -> [UInt32] {
        guard !tokens.isEmpty else { return [] }
        return streamAndWordStarts(text, tokens: tokens).wordStarts
    }

    /// `scalars(text)` and `wordStarts(text, tokens:)` from one pass of the normaliser (the
    /// store prepares both for every title and body it indexes).
    package static func streamAndWordStarts(_ text: String, tokens: [ThaiToken]) -> (scalars: [UInt32], wordStarts: [UInt32]) {
        // Token starts ascending (the analyser emits them in order; sorted here if not), matched
        // against the stream's source offsets by a moving cursor, binary search when an offset
        // goes back (the normaliser reorders combining marks).
        var starts = tokens.map(\.utf8Range.lowerBound)
        if zip(starts, starts.dropFirst()).contains(where: { $0 > $1 }) { starts.sort() }
        var scalars: [UInt32] = []
        scalars.reserveCapacity(text.utf8.count / 2)
        var out: [UInt32] = []
        out.reserveCapacity(tokens.count)
        var k = 0, last = 0
        walk(text) { c, r in
            let lb = r.lowerBound
            if lb < last { k = lowerBound(starts, lb) }
            last = lb
            while k < starts.count && starts[k] < lb { k += 1 }
            if k < starts.count && starts[k] == lb { out.append(UInt32(scalars.count)) }
            scalars.append(c)
        }
        return (scalars, out)
    }

    private static func lowerBound(_ a: [Int], _ x: Int) -> Int {
        var lo = 0, hi = a.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if a[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
