/// Merges segments by reading their live documents back out of the postings (each position
/// holds its term's first character, so the streams come back exactly) and indexing them again
/// with `SegmentBuilder`: one code path writes every segment, so a merged segment is the segment
/// a fresh build would make, hot tier included.
enum SegmentMerger {
    /// The live documents of `segment`, in doc-id order, handed to `body` one at a time: a
    /// merge of two 40 MB files held every document's text twice over (the streams and the
    /// documents cut from them, 4 bytes a character each) on top of the builder's postings.
    static func forEachDocument(_ segment: Segment, live: Bitset, _ body: (IndexDocument) -> Void) {
        let n = segment.docCount
        var starts = [Int](repeating: 0, count: n + 1)
        for d in 0..<n { starts[d + 1] = starts[d] + (live.contains(d) ? Int(segment.streamLengths[d]) : 0) }
        var stream = [UInt32](repeating: TermKey.fieldEnd, count: starts[n])
        var pos: [UInt32] = []
        for t in 0..<segment.termCount {
            let key = segment.keys[t]
            let c = segment.cursor(segment.info(t))
            while c.doc != PostingsCursor.end {
                let d = Int(c.doc)
                if live.contains(d) {
                    c.positions(into: &pos)
                    for p in pos { stream[starts[d] + Int(p)] = TermKey.first(key) }
                }
                c.next()
            }
        }
        for d in 0..<n where live.contains(d) {
            let base = starts[d], titleLength = Int(segment.titleLengths[d]), length = Int(segment.streamLengths[d])
            let cat = segment.categories[Int(segment.categoryOf[d])]
            let bounds = segment.wordBoundaryPositions(d)
            let bodyStart = UInt32(titleLength + 1)
            body(IndexDocument(
                releaseID: segment.releaseIDs[d], days: segment.days[d], categoryName: cat.name, categorySlug: cat.slug,
                language: segment.languages[d],
                title: Array(stream[base..<(base + titleLength)]),
                body: Array(stream[(base + titleLength + 1)..<(base + length - 1)]),
                titleWords: bounds.filter { $0 <= UInt32(titleLength) },
                bodyWords: bounds.filter { $0 >= bodyStart }.map { $0 - bodyStart }))
        }
    }

    static func merge(_ parts: [(Segment, Bitset)]) -> [UInt8] {
        var b = SegmentBuilder()
        for (s, live) in parts {
            forEachDocument(s, live: live) { b.add($0) }
        }
        return (consume b).build()
    }
}
