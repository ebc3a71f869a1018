/// Exact document sets for the substrings common in a segment, so that a query such as การ or
/// รัฐบาล is answered from bitsets rather than by checking millions of positions.
///
/// A substring of three or more characters is hot when at least `fraction` of the segment's
/// documents contain it. A substring can only be common if its prefix and its suffix are, so the
/// tier is found level by level (Apriori): the hot bigrams come from the dictionary; the
/// candidates of length k+1 are the hot k-substrings extended by one character where the suffix
/// is hot too, counted in one pass over the documents' streams (rebuilt from the positions). Each
/// entry keeps two bitsets: the documents that contain it and those whose title does. Ranking
/// treats a hot phrase as present or absent (its tf as 1): its idf is low by definition, and
/// exact frequencies would cost the very position checks the tier avoids.
struct HotTier: Sendable {
    static let defaultFraction = 0.15
    static let defaultMinimumDocs = 1_000
    static let maximumLength = 32
    static let maximumEntries = 8_192

    struct Entry: Sendable {
        var df: Int
        var docs: Bitset
        var titles: Bitset
    }

    private let entries: [[UInt32]: Entry]
    var count: Int { entries.count }

    init(storage: SegmentStorage, at: Int, count: Int, docCount: Int, path: String) throws(IndexError) {
        var map: [[UInt32]: Entry] = [:]
        let b = storage.base
        var p = at
        let words = (docCount + 63) >> 6
        for _ in 0..<count {
            guard p + 4 <= b.count else { throw IndexError.corrupt(path, "hot tier overruns") }
            let n = Int(b.u32(p)); p += 4
            guard n > 0, n <= Self.maximumLength, p + n * 4 + 4 + words * 16 <= b.count else {
                throw IndexError.corrupt(path, "hot tier entry overruns")
            }
            var s: [UInt32] = []
            for k in 0..<n { s.append(b.u32(p + k * 4)) }
            p += n * 4
            let df = Int(b.u32(p)); p += 4
            var d: [UInt64] = [], t: [UInt64] = []
            d.reserveCapacity(words); t.reserveCapacity(words)
            for k in 0..<words { d.append(b.u64(p + k * 8)) }
            p += words * 8
            for k in 0..<words { t.append(b.u64(p + k * 8)) }
            p += words * 8
            map[s] = Entry(df: df, docs: Bitset(count: docCount, words: d), titles: Bitset(count: docCount, words: t))
        }
        entries = map
    }

    func entry(_ phrase: [UInt32]) -> Entry? { entries.isEmpty ? nil : entries[phrase] }

    /// Finds the hot substrings of `segment` and returns them in the section's format.
    static func build(_ segment: Segment, fraction: Double, minimumDocs: Int) -> (count: Int, bytes: [UInt8]) {
        let n = segment.docCount
        guard n >= minimumDocs else { return (0, []) }
        let threshold = max(2, Int((Double(n) * fraction).rounded(.up)))

        // The streams, rebuilt from the positions: each position holds the term's first character.
        var starts = [Int](repeating: 0, count: n + 1)
        for d in 0..<n { starts[d + 1] = starts[d] + Int(segment.streamLengths[d]) }
        var stream = [UInt32](repeating: TermKey.fieldEnd, count: starts[n])
        var ids = [Int32](repeating: -1, count: starts[n])
        var level: [[UInt32]] = []
        var pos: [UInt32] = []
        for t in 0..<segment.termCount {
            let key = segment.keys[t]
            let info = segment.info(t)
            let hotBigram = info.df >= threshold && UInt32(truncatingIfNeeded: key) != TermKey.fieldEnd
            let id = Int32(level.count)
            if hotBigram { level.append([TermKey.first(key), UInt32(truncatingIfNeeded: key)]) }
            let c = segment.cursor(info)
            while c.doc != PostingsCursor.end {
                let base = starts[Int(c.doc)]
                c.positions(into: &pos)
                for p in pos {
                    stream[base + Int(p)] = TermKey.first(key)
                    if hotBigram { ids[base + Int(p)] = id }
                }
                c.next()
            }
        }

        var out = ByteWriter()
        var emitted = 0
        var k = 2
        while !level.isEmpty && k < maximumLength && emitted < maximumEntries {
            // Pass 1: document frequency of each candidate of length k+1.
            var candidate: [UInt64: Int32] = [:]
            var df: [Int] = []
            var lastDoc: [Int32] = []
            for d in 0..<n {
                let lo = starts[d], hi = starts[d + 1]
                var p = lo
                while p + k < hi {
                    let a = ids[p]
                    if a >= 0 && ids[p + 1] >= 0 {
                        let c = stream[p + k]
                        let key = UInt64(UInt32(a)) << 32 | UInt64(c)
                        let idx: Int32
                        if let e = candidate[key] { idx = e } else {
                            idx = Int32(df.count); candidate[key] = idx; df.append(0); lastDoc.append(-1)
                        }
                        if lastDoc[Int(idx)] != Int32(d) { lastDoc[Int(idx)] = Int32(d); df[Int(idx)] += 1 }
                    }
                    p += 1
                }
            }
            // The hot ones get ids of the next level.
            var nextID: [Int32] = Array(repeating: -1, count: df.count)
            var next: [[UInt32]] = []
            for (key, idx) in candidate where df[Int(idx)] >= threshold {
                nextID[Int(idx)] = Int32(next.count)
                next.append(level[Int(key >> 32)] + [UInt32(truncatingIfNeeded: key)])
                if next.count + emitted >= maximumEntries { break }
            }
            // Pass 2: the next level's ids at each position, and the entries' bitsets.
            var docs = [Bitset](repeating: Bitset(count: n), count: next.count)
            var titles = docs
            for d in 0..<n {
                let lo = starts[d], hi = starts[d + 1]
                let title = lo + Int(segment.titleLengths[d])
                var p = lo
                while p < hi {
                    var id: Int32 = -1
                    if p + k < hi, ids[p] >= 0, ids[p + 1] >= 0,
                       let idx = candidate[UInt64(UInt32(ids[p])) << 32 | UInt64(stream[p + k])] {
                        id = nextID[Int(idx)]
                        if id >= 0 {
                            docs[Int(id)].insert(d)
                            if p < title { titles[Int(id)].insert(d) }
                        }
                    }
                    // ids[p + 1] is read above before it is overwritten at the next step.
                    ids[p] = id
                    p += 1
                }
            }
            for (i, s) in next.enumerated() {
                out.u32(UInt32(s.count))
                for c in s { out.u32(c) }
                out.u32(UInt32(docs[i].popCount))
                for w in docs[i].words { out.u64(w) }
                for w in titles[i].words { out.u64(w) }
            }
            emitted += next.count
            level = next
            k += 1
        }
        return (emitted, out.bytes)
    }
}
