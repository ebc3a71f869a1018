/// Walks one term's postings in a segment, block by block: `advance(to:)` skips whole blocks by
/// their skip entries (last doc) without decoding them, decodes the 128 doc ids and frequencies of
/// the block it lands in, and positions are decoded only when asked for, for the current doc.
final class PostingsCursor {
    static let end = UInt32.max

    private let segment: Segment
    private let base: UnsafePointer<UInt8>
    private let lengths: [UInt32]
    private let skipAt: Int
    private let blocksAt: Int
    private let positionsAt: Int
    let blocks: Int
    let df: Int

    private var block = -1
    // The decoded block, in buffers this cursor owns (not arrays: an array in a class pays a
    // uniqueness and an exclusivity check on every element written in the decode loop).
    private let docs = UnsafeMutablePointer<UInt32>.allocate(capacity: SegmentFormat.blockSize)
    private let tfs = UnsafeMutablePointer<UInt32>.allocate(capacity: SegmentFormat.blockSize)
    private let wholeFlags = UnsafeMutablePointer<UInt8>.allocate(capacity: SegmentFormat.blockSize)
    private var n = 0
    private var i = 0
    /// Where the current block's packed frequency codes start, their width, and whether they
    /// have been decoded into `tfs` and `wholeFlags` yet.
    private var codesAt = 0
    private var codeWidth = 0
    private var codesDecoded = false
    /// Positions read state inside the current block: the doc index and byte offset reached.
    private var posDoc = 0
    private var posBit = 0
    private(set) var doc: UInt32 = 0

    init(segment: Segment, info: TermInfo) {
        self.segment = segment
        base = segment.storage.base.baseAddress!.assumingMemoryBound(to: UInt8.self)
        skipAt = info.postings
        blocksAt = info.postings + info.blocks * SegmentFormat.skipEntrySize
        positionsAt = info.positions
        blocks = info.blocks
        df = info.df
        lengths = segment.streamLengths
        if blocks == 0 { doc = Self.end } else { load(0) }
    }

    deinit {
        docs.deallocate()
        tfs.deallocate()
        wholeFlags.deallocate()
    }

    @inline(__always) private func skipLast(_ b: Int) -> UInt32 {
        segment.storage.base.u32(skipAt + b * SegmentFormat.skipEntrySize)
    }

    private func load(_ b: Int) {
        block = b
        let e = skipAt + b * SegmentFormat.skipEntrySize
        let s = segment.storage.base
        let at = blocksAt + Int(s.u32(e + 4))
        n = Int(s.u16(e + 12))
        let docWidth = Int(base[at])
        codeWidth = Int(base[at + 1])
        BitPacking.unpack(base + at + 2, count: n, width: docWidth, into: docs, delta: true, start: b == 0 ? 0 : skipLast(b - 1))
        codesAt = at + 2 + BitPacking.bytes(count: n, width: docWidth)
        codesDecoded = false
        i = 0
        posDoc = 0
        posBit = Int(s.u32(e + 8))
        doc = docs[0]
    }

    /// Decodes the block's frequency codes the first time one is asked for. Many blocks an
    /// intersection lands in are looked at only for their doc ids (the doc it wants is not in
    /// them), so the codes stay packed until a doc of the block is a candidate: over the search
    /// benchmark's 88 queries (callgrind, session 9) block loading went from 205 M to 163 M
    /// instructions, the whole search from 1,219 M to 1,182 M.
    @inline(__always) private func decodeCodes() {
        if !codesDecoded { unpackCodes() }
    }

    /// Out of line: inlined into `run()`, the unpacking loop pushed the position reader out of
    /// `keep`'s loop (not inlined any more, `keep` and the reader took 445 M instructions
    /// where `keep` alone had taken 326 M).
    @inline(never) private func unpackCodes() {
        codesDecoded = true
        BitPacking.unpack(base + codesAt, count: n, width: codeWidth, into: tfs, delta: false)
        for k in 0..<n {
            let v = tfs[k]
            tfs[k] = v >> 2
            wholeFlags[k] = UInt8(v & 3)
        }
    }

    /// The next doc, or `end`.
    @discardableResult
    func next() -> UInt32 {
        if doc == Self.end { return doc }
        i += 1
        if i < n { doc = docs[i]; return doc }
        if block + 1 < blocks { load(block + 1) } else { doc = Self.end }
        return doc
    }

    /// The first doc >= target (the current one if it already is), or `end`.
    @discardableResult
    func advance(to target: UInt32) -> UInt32 {
        if doc >= target { return doc }
        if skipLast(block) < target {
            // Gallop over the skip entries, then binary search the last stretch.
            var lo = block + 1
            guard lo < blocks else { doc = Self.end; return doc }
            var step = 1
            var hi = lo
            while hi < blocks && skipLast(hi) < target { lo = hi + 1; hi += step; step <<= 1 }
            hi = min(hi, blocks - 1)
            while lo < hi {
                let mid = (lo + hi) >> 1
                if skipLast(mid) < target { lo = mid + 1 } else { hi = mid }
            }
            guard lo < blocks, skipLast(lo) >= target else { doc = Self.end; return doc }
            load(lo)
        }
        while docs[i] < target { i += 1 }
        doc = docs[i]
        return doc
    }

    /// Read in place while the block's codes are still packed: a phrase orders its bigrams by
    /// their frequency in the doc, and the bigrams it then needs no positions from are never
    /// unpacked (unpacking for the ordering cost what the ordering saved, 32 M instructions).
    var tf: Int {
        if codesDecoded { return Int(tfs[i]) }
        return Int(BitPacking.read(base + codesAt, i * codeWidth, codeWidth) >> 2)
    }
    /// Whether the current doc has this bigram as a whole two-character word.
    var isWholeWord: Bool { decodeCodes(); return wholeFlags[i] & 2 != 0 }
    /// Whether the current doc has this bigram in its title.
    var isInTitle: Bool { decodeCodes(); return wholeFlags[i] & 1 != 0 }

    /// Moves the positions read state to the current doc: past the runs of the docs before it
    /// in the block (a run's size follows from its count and the doc's stream length).
    @inline(__always) private func run() -> PositionRun {
        decodeCodes()
        if posDoc < i {
            for k in posDoc..<i { posBit += PositionPacking.runBits(count: Int(tfs[k]), universe: lengths[Int(docs[k])]) }
            posDoc = i
        }
        return PositionRun(base + positionsAt, bit: posBit, count: Int(tfs[i]), universe: lengths[Int(docs[i])])
    }

    /// The current doc's positions, ascending, into `out` (replacing its contents).
    func positions(into out: inout [UInt32]) {
        out.removeAll(keepingCapacity: true)
        var r = run()
        while let v = r.next() { out.append(v) }
    }

    /// The current doc's positions at or above `offset`, minus `offset`, into `out` (room for `tf`
    /// values); returns how many. A phrase's candidate starts, from its bigram at `offset`.
    func starts(minus offset: UInt32, into out: UnsafeMutablePointer<UInt32>) -> Int {
        var r = run()
        var n = 0
        while let v = r.next() {
            if v >= offset { out[n] = v - offset; n += 1 }
        }
        return n
    }

    /// Keeps, of the `count` ascending starts in `starts`, those where this term occurs at
    /// start + `offset` in the current doc, compacting in place; returns how many are left.
    /// Both lists ascend: one merge-like walk of the doc's positions.
    func keep(_ starts: UnsafeMutablePointer<UInt32>, _ count: Int, plus offset: UInt32) -> Int {
        var r = run()
        var kept = 0
        var v: UInt32 = 0
        var have = false
        for k in 0..<count {
            let want = starts[k] &+ offset
            if !have || v < want {
                guard let next = r.first(atLeast: want) else { return kept }
                v = next
                have = true
            }
            if v == want { starts[kept] = starts[k]; kept += 1 }
        }
        return kept
    }
}
