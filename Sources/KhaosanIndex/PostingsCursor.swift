/// Walks one term's postings in a segment, block by block: `advance(to:)` skips whole blocks by
/// their skip entries (last doc) without decoding them, decodes the 128 doc ids and frequencies of
/// the block it lands in, and positions are decoded only when asked for, for the current doc.
final class PostingsCursor {
    static let end = UInt32.max

    private let segment: Segment
    private let base: UnsafePointer<UInt8>
    private let skipAt: Int
    private let blocksAt: Int
    private let positionsAt: Int
    let blocks: Int
    let df: Int

    private var block = -1
    private var docs = [UInt32](repeating: 0, count: SegmentFormat.blockSize)
    private var tfs = [UInt32](repeating: 0, count: SegmentFormat.blockSize)
    private var n = 0
    private var i = 0
    /// Positions read state inside the current block: the doc index and byte offset reached.
    private var posDoc = 0
    private var posByte = 0
    private(set) var doc: UInt32 = 0

    init(segment: Segment, info: TermInfo) {
        self.segment = segment
        base = segment.storage.base.baseAddress!.assumingMemoryBound(to: UInt8.self)
        skipAt = info.postings
        blocksAt = info.postings + info.blocks * SegmentFormat.skipEntrySize
        positionsAt = info.positions
        blocks = info.blocks
        df = info.df
        if blocks == 0 { doc = Self.end } else { load(0) }
    }

    @inline(__always) private func skipLast(_ b: Int) -> UInt32 {
        segment.storage.base.u32(skipAt + b * SegmentFormat.skipEntrySize)
    }

    private func load(_ b: Int) {
        block = b
        let e = skipAt + b * SegmentFormat.skipEntrySize
        let s = segment.storage.base
        var at = blocksAt + Int(s.u32(e + 4))
        n = Int(s.u16(e + 12))
        var prev: UInt32 = b == 0 ? 0 : skipLast(b - 1)
        for k in 0..<n {
            prev &+= VarInt.read(base, &at)
            docs[k] = prev
        }
        for k in 0..<n { tfs[k] = VarInt.read(base, &at) }
        i = 0
        posDoc = 0
        posByte = positionsAt + Int(s.u32(e + 8))
        doc = docs[0]
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

    var tf: Int { Int(tfs[i]) }

    /// The current doc's positions, ascending, into `out` (replacing its contents).
    func positions(into out: inout [UInt32]) {
        out.removeAll(keepingCapacity: true)
        if posDoc < i {
            var skip = 0
            for k in posDoc..<i { skip += Int(tfs[k]) }
            VarInt.skip(base, &posByte, count: skip)
            posDoc = i
        }
        var at = posByte
        var p: UInt32 = 0
        for _ in 0..<tfs[i] {
            p &+= VarInt.read(base, &at)
            out.append(p)
        }
    }

    /// How many of the current doc's positions are below `limit` (title occurrences: positions are
    /// ascending, so this decodes only up to the first body position).
    func countPositions(below limit: UInt32) -> Int {
        if posDoc < i {
            var skip = 0
            for k in posDoc..<i { skip += Int(tfs[k]) }
            VarInt.skip(base, &posByte, count: skip)
            posDoc = i
        }
        var at = posByte
        var p: UInt32 = 0
        var c = 0
        for _ in 0..<tfs[i] {
            p &+= VarInt.read(base, &at)
            if p >= limit { break }
            c += 1
        }
        return c
    }
}
