/// A term's entry in a segment's dictionary.
struct TermInfo {
    var df: Int
    var blocks: Int
    /// Absolute offsets into the segment's bytes.
    var postings: Int
    var positions: Int
    /// Byte lengths of the two ranges (what a search marks as read, `SegmentStorage.touch`).
    var postingsLength: Int
    var positionsLength: Int
}

/// An immutable segment opened for reading: per-doc columns and the term keys loaded into arrays
/// (small: 24 bytes a doc, 8 a term), postings and positions read in place from the storage.
package final class Segment: Sendable {
    let storage: SegmentStorage
    package let docCount: Int
    let termCount: Int
    package let releaseIDs: [Int64]
    package let days: [Int32]
    let titleLengths: [UInt32]
    let streamLengths: [UInt32]
    let categoryOf: [UInt16]
    package let languages: [UInt8]
    /// (name, slug) per category ordinal.
    package let categories: [(name: String, slug: String?)]
    let keys: [UInt64]
    let dictionaryOffset: Int
    let hot: HotTier

    /// Opens bytes that this process built (trusted).
    convenience init(storage: SegmentStorage) {
        // swiftlint:disable:next force_try
        try! self.init(storage: storage, path: "<memory>")
    }

    /// Opens a segment, checking the header and that every section lies inside the bytes.
    init(storage: SegmentStorage, path: String) throws(IndexError) {
        self.storage = storage
        let b = storage.base
        guard b.count >= SegmentFormat.headerSize, Array(b[0..<8]) == SegmentFormat.magic else {
            throw IndexError.corrupt(path, "not a segment (bad magic)")
        }
        docCount = Int(b.u32(8))
        termCount = Int(b.u32(12))
        let categoryCount = Int(b.u32(16))
        let hotCount = Int(b.u32(20))
        let off = (0..<8).map { Int(b.u64(24 + $0 * 8)) }
        let (docsAt, catsAt, dictAt, postAt, posAt, wordsAt, hotAt, total) = (off[0], off[1], off[2], off[3], off[4], off[5], off[6], off[7])
        guard total == b.count, docsAt == SegmentFormat.headerSize, docsAt <= catsAt, catsAt <= dictAt,
              dictAt <= postAt, postAt <= posAt, posAt <= wordsAt, wordsAt <= hotAt, hotAt <= total,
              catsAt - docsAt == docCount * SegmentFormat.docEntrySize,
              postAt - dictAt == termCount * SegmentFormat.termEntrySize
        else { throw IndexError.corrupt(path, "section table does not fit the file") }
        var ids = [Int64](), ds = [Int32](), tl = [UInt32](), sl = [UInt32](), co = [UInt16](), la = [UInt8]()
        ids.reserveCapacity(docCount); ds.reserveCapacity(docCount); tl.reserveCapacity(docCount)
        sl.reserveCapacity(docCount); co.reserveCapacity(docCount); la.reserveCapacity(docCount)
        for i in 0..<docCount {
            let at = docsAt + i * SegmentFormat.docEntrySize
            ids.append(Int64(bitPattern: b.u64(at)))
            ds.append(Int32(bitPattern: b.u32(at + 8)))
            tl.append(b.u32(at + 12))
            sl.append(b.u32(at + 16))
            co.append(b.u16(at + 20))
            la.append(b[at + 22])
        }
        var cats: [(String, String?)] = []
        var at = catsAt
        for _ in 0..<categoryCount {
            guard at + 4 <= dictAt else { throw IndexError.corrupt(path, "category table overruns") }
            let n = Int(b.u32(at))
            guard at + 4 + n <= dictAt else { throw IndexError.corrupt(path, "category table overruns") }
            let s = String(decoding: b[(at + 4)..<(at + 4 + n)], as: UTF8.self)
            let parts = s.split(separator: "\u{0}", maxSplits: 1, omittingEmptySubsequences: false)
            let slug = parts.count > 1 && !parts[1].isEmpty ? String(parts[1]) : nil
            cats.append((String(parts[0]), slug))
            at += 4 + n
        }
        guard co.allSatisfy({ Int($0) < max(categoryCount, 1) }) || docCount == 0 else {
            throw IndexError.corrupt(path, "a document names a category the table does not have")
        }
        var ks = [UInt64]()
        ks.reserveCapacity(termCount)
        for t in 0..<termCount {
            let e = dictAt + t * SegmentFormat.termEntrySize
            ks.append(b.u64(e))
            let postOff = postAt + Int(b.u64(e + 16)), postLen = Int(b.u32(e + 24))
            let posOff = posAt + Int(b.u64(e + 32)), posLen = Int(b.u64(e + 40))
            guard postOff + postLen <= posAt, posOff + posLen + 8 <= wordsAt, Int(b.u32(e + 8)) <= docCount else {
                throw IndexError.corrupt(path, "term \(t) points outside its section")
            }
            if t > 0 && ks[t - 1] >= ks[t] { throw IndexError.corrupt(path, "dictionary is not sorted") }
        }
        releaseIDs = ids; days = ds; titleLengths = tl; streamLengths = sl; categoryOf = co; languages = la
        var wo = [Int](repeating: 0, count: docCount + 1)
        for d in 0..<docCount { wo[d + 1] = wo[d] + WordBoundaries.bytes(streamLength: Int(sl[d])) }
        guard wordsAt + wo[docCount] <= hotAt else { throw IndexError.corrupt(path, "word boundaries overrun") }
        wordOffsets = wo.map { wordsAt + $0 }
        categories = cats
        keys = ks
        dictionaryOffset = dictAt
        postingsBase = postAt
        positionsBase = posAt
        hot = try HotTier(storage: storage, at: hotAt, count: hotCount, docCount: docCount, path: path)
    }

    let postingsBase: Int
    let positionsBase: Int
    /// Absolute offset of each doc's word-boundary bits.
    let wordOffsets: [Int]

    /// Whether an occurrence at `start` of `length` scalars in doc `d` is whole words.
    @inline(__always) func isWhole(_ d: Int, _ start: UInt32, _ length: Int) -> Bool {
        let first = Int(start) >> 3, last = (Int(start) + length) >> 3
        storage.touch(wordOffsets[d] + first, last - first + 1)
        let base = storage.base.baseAddress!.assumingMemoryBound(to: UInt8.self) + wordOffsets[d]
        return WordBoundaries.test(base, Int(start)) && WordBoundaries.test(base, Int(start) + length)
    }

    /// Word starts of doc `d` as stream positions (every set boundary bit but the last).
    func wordBoundaryPositions(_ d: Int) -> [UInt32] {
        storage.touch(wordOffsets[d], WordBoundaries.bytes(streamLength: Int(streamLengths[d])))
        let base = storage.base.baseAddress!.assumingMemoryBound(to: UInt8.self) + wordOffsets[d]
        return (0..<Int(streamLengths[d])).filter { WordBoundaries.test(base, $0) }.map(UInt32.init)
    }

    /// Binary search of the dictionary.
    func termIndex(_ key: UInt64) -> Int? {
        var lo = 0, hi = keys.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if keys[mid] < key { lo = mid + 1 } else { hi = mid }
        }
        return lo < keys.count && keys[lo] == key ? lo : nil
    }

    /// The first index whose key is >= key.
    func lowerBound(_ key: UInt64) -> Int {
        var lo = 0, hi = keys.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if keys[mid] < key { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    func info(_ t: Int) -> TermInfo {
        let b = storage.base
        let e = dictionaryOffset + t * SegmentFormat.termEntrySize
        storage.touch(e, SegmentFormat.termEntrySize)
        return TermInfo(df: Int(b.u32(e + 8)), blocks: Int(b.u32(e + 12)),
                        postings: postingsBase + Int(b.u64(e + 16)),
                        positions: positionsBase + Int(b.u64(e + 32)),
                        postingsLength: Int(b.u32(e + 24)), positionsLength: Int(b.u64(e + 40)) + 8)
    }

    func info(key: UInt64) -> TermInfo? { termIndex(key).map(info) }

    func cursor(_ info: TermInfo) -> PostingsCursor {
        storage.touch(info.postings, info.postingsLength)
        storage.touch(info.positions, info.positionsLength)
        return PostingsCursor(segment: self, info: info)
    }

}
