/// Builds one segment from documents in the order they are added (that order is the doc-id
/// order: the rebuild adds releases in publication order, so a date sort is a scan in id order;
/// batches add them in journal order). Postings stay in memory until `build()`, about 1.3 bytes a
/// position, so callers cut large inputs into several segments (`estimatedBytes`).
package struct SegmentBuilder {
    struct DocMeta {
        var releaseID: Int64
        var days: Int32
        var titleLength: UInt32
        var streamLength: UInt32
        var category: UInt16
        var language: UInt8
    }

    private(set) var docs: [DocMeta] = []
    private var categoryIndex: [String: UInt16] = [:]
    private(set) var categories: [String] = []

    private var keys: [UInt64] = []
    private var termDocs: [[UInt32]] = []
    private var termTFs: [[UInt32]] = []
    /// Absolute positions per term, in doc order; bit-packed per doc at `build()`.
    private var termPositions: [[UInt32]] = []
    private var lastDoc: [UInt32] = []
    /// Terms whose two characters have dense codes, by `code(a) << 8 | code(b)`; -1 = none yet.
    private var dense = [Int32](repeating: -1, count: TermKey.denseCount * TermKey.denseCount)
    private var sparse: [UInt64: Int32] = [:]
    private var positionBytes = 0
    private var scratch: [UInt32] = []
    private var wordBits: [UInt8] = []

    package init() {}

    package var count: Int { docs.count }
    /// Postings held so far, to cut segments at a size.
    package var estimatedBytes: Int { positionBytes * 7 / 4 + docs.count * 64 + keys.count * 64 }

    package mutating func add(_ d: IndexDocument) {
        let doc = UInt32(docs.count)
        let catKey = d.categoryName + "\u{0}" + (d.categorySlug ?? "")
        let cat: UInt16
        if let c = categoryIndex[catKey] {
            cat = c
        } else {
            cat = UInt16(truncatingIfNeeded: categories.count)
            categories.append(catKey)
            categoryIndex[catKey] = cat
        }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: d.title)
        scratch.append(TermKey.fieldEnd)
        scratch.append(contentsOf: d.body)
        scratch.append(TermKey.fieldEnd)
        docs.append(DocMeta(releaseID: d.releaseID, days: d.days, titleLength: UInt32(d.title.count),
                            streamLength: UInt32(scratch.count), category: cat, language: d.language))
        let s = scratch
        var starts = d.titleWords
        starts.reserveCapacity(d.titleWords.count + d.bodyWords.count)
        for w in d.bodyWords { starts.append(w + UInt32(d.title.count + 1)) }
        let bits = s.withUnsafeBufferPointer { s in WordBoundaries.bits(stream: s, starts: starts) }
        wordBits.append(contentsOf: bits)
        bits.withUnsafeBufferPointer { bits in s.withUnsafeBufferPointer { s in
            for p in 0..<(s.count - 1) where s[p] != TermKey.fieldEnd {
                let t = Int(term(s[p], s[p + 1]))
                let pos = UInt32(p)
                // termTFs holds tf * 4, plus 2 once the bigram occurs as a whole two-character word,
                // plus 1 once it occurs in the title.
                let flags: UInt32 = (WordBoundaries.test(bits.baseAddress!, p) && WordBoundaries.test(bits.baseAddress!, p + 2) ? 2 : 0)
                    | (p < d.title.count ? 1 : 0)
                if termDocs[t].isEmpty || lastDoc[t] != doc {
                    termDocs[t].append(doc)
                    termTFs[t].append(4 | flags)
                    lastDoc[t] = doc
                } else {
                    termTFs[t][termTFs[t].count - 1] += 4
                    termTFs[t][termTFs[t].count - 1] |= flags
                }
                termPositions[t].append(pos)
                positionBytes += 1
            }
        } }
    }

    @inline(__always)
    private mutating func term(_ a: UInt32, _ b: UInt32) -> Int32 {
        if let ca = TermKey.denseCode(a), let cb = TermKey.denseCode(b) {
            let slot = ca << 8 | cb
            let t = dense[slot]
            if t >= 0 { return t }
            let n = newTerm(TermKey.make(a, b))
            dense[slot] = n
            return n
        }
        let key = TermKey.make(a, b)
        if let t = sparse[key] { return t }
        let n = newTerm(key)
        sparse[key] = n
        return n
    }

    private mutating func newTerm(_ key: UInt64) -> Int32 {
        keys.append(key)
        termDocs.append([])
        termTFs.append([])
        termPositions.append([])
        lastDoc.append(0)
        return Int32(keys.count - 1)
    }

    /// The segment's bytes (SegmentFormat), with the hot tier for substrings found in at least
    /// `hotFraction` of its documents when it has at least `hotMinimumDocs` documents.
    ///
    /// Consuming: each term's postings are freed once they are packed, and the packed sections
    /// once they are laid out, so the hot tier's build (which rebuilds every stream) does not
    /// run on top of them. A flush of 4,096 documents held all three at once, 150-230 MB over
    /// the query service's resident size (BENCHMARKS.md "Session 13"). Callers hand over their
    /// builder (`(consume b).build()`); one still used afterwards gets a copy and frees nothing.
    package consuming func build(hotFraction: Double = HotTier.defaultFraction, hotMinimumDocs: Int = HotTier.defaultMinimumDocs) -> [UInt8] {
        let order = keys.indices.sorted { keys[$0] < keys[$1] }
        var dict = ByteWriter()
        var postings = ByteWriter()
        var positions = ByteWriter()
        for t in order {
            let tdocs = termDocs[t], coded = termTFs[t], tfs = coded.map { $0 >> 2 }
            let pos = PositionPacking.pack(termPositions[t], docs: tdocs, tfs: tfs) { self.docs[Int($0)].streamLength }
            termPositions[t] = []
            termDocs[t] = []
            termTFs[t] = []
            let postOff = postings.bytes.count
            let posOff = positions.bytes.count
            let blocks = (tdocs.count + SegmentFormat.blockSize - 1) / SegmentFormat.blockSize
            var skip = ByteWriter()
            var blockBytes = ByteWriter()
            var prev: UInt32 = 0
            var posBit = 0
            var totalTF: UInt64 = 0
            do {
                for b in 0..<blocks {
                    let lo = b * SegmentFormat.blockSize, hi = min(lo + SegmentFormat.blockSize, tdocs.count)
                    var maxTF: UInt32 = 0
                    skip.u32(tdocs[hi - 1])
                    skip.u32(UInt32(blockBytes.bytes.count))
                    skip.u32(UInt32(posBit))
                    skip.u16(UInt16(hi - lo))
                    // Doc-id deltas then frequency codes, each at the width of the block's largest.
                    var deltas: [UInt32] = []
                    for i in lo..<hi { deltas.append(tdocs[i] - prev); prev = tdocs[i] }
                    let docWidth = BitPacking.width(deltas.max() ?? 0)
                    let codeWidth = BitPacking.width(coded[lo..<hi].max() ?? 0)
                    blockBytes.u8(UInt8(docWidth))
                    blockBytes.u8(UInt8(codeWidth))
                    var bits = BitWriter()
                    for d in deltas { bits.append(d, width: docWidth) }
                    blockBytes.append(bits.finish())
                    bits = BitWriter()
                    for i in lo..<hi {
                        bits.append(coded[i], width: codeWidth)
                        maxTF = max(maxTF, tfs[i])
                        totalTF += UInt64(tfs[i])
                        posBit += PositionPacking.runBits(count: Int(tfs[i]), universe: docs[Int(tdocs[i])].streamLength)
                    }
                    blockBytes.append(bits.finish())
                    skip.u16(UInt16(min(maxTF, UInt32(UInt16.max))))
                }
            }
            postings.append(skip.bytes)
            postings.append(blockBytes.bytes)
            positions.append(pos)
            dict.u64(keys[t])
            dict.u32(UInt32(tdocs.count))
            dict.u32(UInt32(blocks))
            dict.u64(UInt64(postOff))
            dict.u32(UInt32(postings.bytes.count - postOff))
            dict.u32(UInt32(min(totalTF, UInt64(UInt32.max))))
            dict.u64(UInt64(posOff))
            dict.u64(UInt64(pos.count))
        }
        var docBytes = ByteWriter()
        for d in docs {
            docBytes.i64(d.releaseID)
            docBytes.i32(d.days)
            docBytes.u32(d.titleLength)
            docBytes.u32(d.streamLength)
            docBytes.u16(d.category)
            docBytes.u8(d.language)
            docBytes.u8(0)
        }
        var cats = ByteWriter()
        for c in categories {
            let u = Array(c.utf8)
            cats.u32(UInt32(u.count))
            cats.append(u)
        }
        termPositions = []
        termDocs = []
        termTFs = []
        var sections = [docBytes.bytes, cats.bytes, dict.bytes, postings.bytes, positions.bytes]
        dict = ByteWriter()
        postings = ByteWriter()
        positions = ByteWriter()
        return SegmentFormat.assemble(docCount: docs.count, termCount: keys.count, categoryCount: categories.count,
                                      sections: &sections, words: wordBits,
                                      hot: { segment, at in HotTier.build(segment, fraction: hotFraction, minimumDocs: hotMinimumDocs, sectionStart: at) })
    }
}

extension SegmentFormat {
    /// Lays the sections out behind a header. The hot tier is computed from the segment itself
    /// (it needs postings and positions to find common substrings), so it is appended last.
    /// `sections` (docs, categories, dictionary, postings, positions) are emptied as they are
    /// copied, and the laid-out bytes are held once while the hot tier is built.
    static func assemble(docCount: Int, termCount: Int, categoryCount: Int, sections: inout [[UInt8]], words: [UInt8],
                         hot: (Segment, Int) -> (count: Int, bytes: [UInt8])) -> [UInt8] {
        precondition(sections.count == 5, "docs, categories, dictionary, postings, positions")
        var w = ByteWriter()
        w.bytes.reserveCapacity(headerSize + sections.reduce(0) { $0 + $1.count } + 8 + words.count + 8)
        w.append(magic)
        w.u32(UInt32(docCount)); w.u32(UInt32(termCount)); w.u32(UInt32(categoryCount)); w.u32(0)
        let offsetsAt = w.bytes.count
        for _ in 0..<8 { w.u64(0) }
        var offsets: [UInt64] = []
        for i in sections.indices {
            offsets.append(UInt64(w.bytes.count))
            w.append(sections[i])
            sections[i] = []
        }
        // Packed positions are read with 64-bit loads: room for the last one's over-read.
        for _ in 0..<8 { w.u8(0) }
        offsets.append(UInt64(w.bytes.count))
        w.append(words)
        // The hot tier's bitsets are read in place as 64-bit words: start it 8-aligned.
        while w.bytes.count % 8 != 0 { w.u8(0) }
        offsets.append(UInt64(w.bytes.count))
        for (i, o) in offsets.enumerated() { w.patch64(offsetsAt + i * 8, o) }
        w.patch64(offsetsAt + 7 * 8, UInt64(w.bytes.count))
        // A segment without its hot tier is complete and searchable: build the tier from it. The
        // storage is the one copy of the plain bytes while the tier is built.
        let plainCount = w.bytes.count
        let storage = SegmentStorage(bytes: w.bytes)
        w = ByteWriter()
        let (hotCount, hotBytes) = hot(Segment(storage: storage), plainCount)
        w.bytes = [UInt8](unsafeUninitializedCapacity: plainCount + hotBytes.count) { out, n in
            UnsafeMutableRawBufferPointer(out).copyMemory(from: storage.base)
            n = plainCount
        }
        guard hotCount > 0 else { return w.bytes }
        w.append(hotBytes)
        w.patch32(20, UInt32(hotCount))
        w.patch64(offsetsAt + 7 * 8, UInt64(w.bytes.count))
        return w.bytes
    }
}
