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
        var starts = Set<Int>()
        starts.reserveCapacity(tokens.count)
        for t in tokens { starts.insert(t.utf8Range.lowerBound) }
        var out: [UInt32] = []
        out.reserveCapacity(tokens.count)
        var j: UInt32 = 0
        walk(text) { _, r in
            if starts.contains(r.lowerBound) { out.append(j) }
            j += 1
        }
        return out
    }

}
