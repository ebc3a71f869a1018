/// Exact document sets for the substrings common in a segment, so that a query such as การ or
/// รัฐบาล is answered from bitsets rather than by checking millions of positions.
///
/// A substring of three characters is hot when at least `fraction` (5%) of the segment's
/// documents contain it, a longer one at `longFraction` (15%). A substring can only be common if its prefix and its suffix are, so the
/// tier is found level by level (Apriori): the hot bigrams come from the dictionary; the
/// candidates of length k+1 are the hot k-substrings extended by one character where the suffix
/// is hot too, counted in one pass over the documents' streams (rebuilt from the positions). Each
/// entry keeps a bitset of the documents that contain it and the list of those whose title does. Ranking
/// treats a hot phrase as present or absent (its tf as 1): its idf is low by definition, and
/// exact frequencies would cost the very position checks the tier avoids.
struct HotTier: Sendable {
    /// Three-character substrings found in this share of the documents are kept: they prefilter
    /// the documents of any longer phrase that contains them.
    static let defaultFraction = 0.05
    /// Longer substrings need this share: they answer a common phrase exactly, and there are many
    /// more of them. (Never below the 3-character share, so a substring can still only be hot if
    /// its prefix and suffix are.)
    static let longFraction = 0.15
    static let defaultMinimumDocs = 1_000
    static let maximumLength = 32
    static let maximumEntries = 16_384

    /// One hot substring: its documents (read from the segment, or derived) and title list.
    struct Entry {
        var df: Int
        /// The documents that contain it.
        var docs: Bitset
        /// Docs whose title contains it, ascending (few: titles are short).
        var titles: DocIDList
    }

    /// Doc ids read in place: u16 each when the segment has at most 65,536 docs (every segment
    /// this service writes), else u32. Titles' lists were 30% of the tier at u32.
    struct DocIDList {
        let base: UnsafeRawPointer
        let count: Int
        let wide: Bool

        static func wide(docCount: Int) -> Bool { docCount > 65_536 }

        @inline(__always) subscript(i: Int) -> UInt32 {
            wide ? UInt32(littleEndian: base.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))
                : UInt32(UInt16(littleEndian: base.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)))
        }
    }

    /// A substring of four or more characters whose documents are (almost) exactly those that
    /// contain both its prefix and its suffix one character shorter is stored derived: no
    /// bitset, only the few documents of that intersection that lack it (at most this share of
    /// them). Exact answers stay exact; about a third of the tier's entries are derived.
    static let derivedShare = 0.05

    /// Derived documents of the substrings looked up during one phrase's evaluation (the prefix
    /// and suffix chains of a long substring overlap).
    typealias Memo = [[UInt32]: Bitset]

    private let storage: SegmentStorage
    /// Start of the section: u32 count, then `count` directory entries of 16 bytes (hash of the
    /// scalars u64, sorted; offset of the entry from the section start u32; length u32), then the
    /// entries, 4-aligned: the scalars (u32 each), df u32, title count u32, exception count u32
    /// (`UInt32.max`: not derived); then either the docs bitset (u64 words, 8-byte aligned in the
    /// file) or the exceptions (`DocIDList`); then the title doc ids (`DocIDList`).
    private let at: Int
    let count: Int
    /// Entries stored derived (no bitset of their own).
    let derivedCount: Int
    private let words: Int
    private let docCount: Int
    private let wideTitles: Bool

    init(storage: SegmentStorage, at: Int, count: Int, docCount: Int, path: String) throws(IndexError) {
        self.storage = storage
        self.at = at
        self.count = count
        words = (docCount + 63) >> 6
        self.docCount = docCount
        wideTitles = DocIDList.wide(docCount: docCount)
        let idBytes = wideTitles ? 4 : 2
        let b = storage.base
        guard count == 0 || (at + 4 + count * 16 <= b.count && Int(b.u32(at)) == count) else {
            throw IndexError.corrupt(path, "hot tier directory overruns")
        }
        var previous: UInt64 = 0
        var derived = 0
        for i in 0..<count {
            let e = at + 4 + i * 16
            let h = b.u64(e), off = Int(b.u32(e + 8)), n = Int(b.u32(e + 12))
            guard h >= previous, n > 0, n <= Self.maximumLength, off % 4 == 0 else { throw IndexError.corrupt(path, "hot tier directory is damaged") }
            previous = h
            let entry = at + off
            guard entry + n * 4 + 12 <= b.count else { throw IndexError.corrupt(path, "hot tier entry overruns") }
            let titles = Int(b.u32(entry + n * 4 + 4)), exceptions = b.u32(entry + n * 4 + 8)
            let listsAt: Int
            if exceptions == .max {
                listsAt = Self.align8(entry + n * 4 + 12) + words * 8
            } else {
                guard n >= 4, Int(exceptions) <= docCount else { throw IndexError.corrupt(path, "hot tier derived entry is damaged") }
                derived += 1
                listsAt = entry + n * 4 + 12 + Int(exceptions) * idBytes
            }
            guard titles <= docCount, listsAt + titles * idBytes <= b.count else { throw IndexError.corrupt(path, "hot tier titles overrun") }
        }
        derivedCount = derived
    }

    static func align8(_ x: Int) -> Int { (x + 7) & ~7 }

    static let hashSeed: UInt64 = 0xCBF2_9CE4_8422_2325

    /// FNV-1a over the scalars; `hashStep` extends a substring's hash by one character, so a
    /// phrase's substrings sharing a start are hashed in one pass.
    static func hash<S: Sequence<UInt32>>(_ s: S) -> UInt64 {
        var h = hashSeed
        for c in s { h = hashStep(h, c) }
        return h
    }

    @inline(__always) static func hashStep(_ h: UInt64, _ c: UInt32) -> UInt64 {
        (h ^ UInt64(c)) &* 0x0000_0100_0000_01B3
    }

    func entry(_ phrase: [UInt32]) -> Entry? {
        var memo = Memo()
        return entry(phrase, &memo)
    }

    func entry(_ phrase: [UInt32], _ memo: inout Memo) -> Entry? {
        guard let e = locate(phrase[...], hash: Self.hash(phrase)), let docs = docs(phrase, e, &memo) else { return nil }
        let b = storage.base
        let n = phrase.count
        let titles = Int(b.u32(e + n * 4 + 4)), exceptions = b.u32(e + n * 4 + 8)
        let idBytes = wideTitles ? 4 : 2
        let titlesAt = exceptions == .max ? Self.align8(e + n * 4 + 12) + words * 8 : e + n * 4 + 12 + Int(exceptions) * idBytes
        storage.touch(titlesAt, titles * idBytes)
        return Entry(df: Int(b.u32(e + n * 4)), docs: docs,
                     titles: DocIDList(base: b.baseAddress! + titlesAt, count: titles, wide: wideTitles))
    }

    /// The document frequency of `phrase` when it is hot, without building its document set
    /// (what a conjunction orders its members by).
    func df(_ phrase: [UInt32]) -> Int? {
        guard let e = locate(phrase[...], hash: Self.hash(phrase)) else { return nil }
        return Int(storage.base.u32(e + phrase.count * 4))
    }

    /// Whether `phrase` (whose hash is `hash`) has an entry: a directory lookup only, no
    /// document set (the prefilter extends a substring while this holds, and builds the set of
    /// the longest only: building every shorter one's was a tenth of a phrase query's time).
    func contains(_ phrase: ArraySlice<UInt32>, hash: UInt64) -> Bool {
        locate(phrase, hash: hash) != nil
    }

    /// The offset of `phrase`'s entry, or nil.
    private func locate(_ phrase: ArraySlice<UInt32>, hash h: UInt64) -> Int? {
        guard count > 0 else { return nil }
        let b = storage.base
        storage.touch(at, 4 + count * 16)
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if b.u64(at + 4 + mid * 16) < h { lo = mid + 1 } else { hi = mid }
        }
        var i = lo
        while i < count, b.u64(at + 4 + i * 16) == h {
            let e = at + 4 + i * 16
            let entry = at + Int(b.u32(e + 8)), n = Int(b.u32(e + 12))
            storage.touch(entry, n * 4)
            if n == phrase.count && (0..<n).allSatisfy({ b.u32(entry + $0 * 4) == phrase[phrase.startIndex + $0] }) { return entry }
            i += 1
        }
        return nil
    }

    /// The documents of the entry at `e`: its bitset, or its prefix's and suffix's intersected
    /// without its exceptions. Nil if a derived entry's prefix or suffix is missing (a damaged
    /// tier): then the phrase is evaluated from the postings like any other.
    private func docs(_ phrase: [UInt32], _ e: Int, _ memo: inout Memo) -> Bitset? {
        if let known = memo[phrase] { return known }
        let b = storage.base
        let n = phrase.count
        let exceptions = b.u32(e + n * 4 + 8)
        var set: Bitset
        if exceptions == .max {
            let bits = Self.align8(e + n * 4 + 12)
            storage.touch(e, bits + words * 8 - e)
            set = Bitset(count: docCount, words: (0..<words).map { b.u64(bits + $0 * 8) })
        } else {
            let prefix = Array(phrase.dropLast()), suffix = Array(phrase.dropFirst())
            guard let pe = locate(prefix[...], hash: Self.hash(prefix)), let se = locate(suffix[...], hash: Self.hash(suffix)),
                  let p = docs(prefix, pe, &memo), let q = docs(suffix, se, &memo) else { return nil }
            set = p
            set.formIntersection(q)
            storage.touch(e, n * 4 + 12 + Int(exceptions) * (wideTitles ? 4 : 2))
            let list = DocIDList(base: b.baseAddress! + e + n * 4 + 12, count: Int(exceptions), wide: wideTitles)
            for k in 0..<list.count where Int(list[k]) < docCount { set.remove(Int(list[k])) }
        }
        memo[phrase] = set
        return set
    }

    /// No hot substring starts at this position (`build`'s ids).
    private static let none = UInt16.max

    /// The first position at or after `p` and before `limit` whose id is not `none` (`limit`
    /// when there is none), passing eight dead positions a step. Past the first levels most
    /// positions are dead, and every level's two passes would otherwise visit each of them one
    /// at a time.
    @inline(__always)
    private static func pastDead(_ ids: UnsafeBufferPointer<UInt16>, _ p: Int, _ limit: Int) -> Int {
        let raw = UnsafeRawPointer(ids.baseAddress!)
        var p = p
        while p + 8 <= limit {
            let w0 = raw.loadUnaligned(fromByteOffset: p * 2, as: UInt64.self)
            let w1 = raw.loadUnaligned(fromByteOffset: p * 2 + 8, as: UInt64.self)
            guard w0 & w1 == .max else { break }
            p += 8
        }
        while p < limit && ids[p] == none { p += 1 }
        return p
    }

    /// Finds the hot substrings of `segment` and returns them in the section's format.
    static func build(_ segment: Segment, fraction: Double, minimumDocs: Int, sectionStart: Int) -> (count: Int, bytes: [UInt8]) {
        let n = segment.docCount
        guard n >= minimumDocs else { return (0, []) }
        let shortThreshold = max(2, Int((Double(n) * fraction).rounded(.up)))
        let longThreshold = max(shortThreshold, Int((Double(n) * max(fraction, longFraction)).rounded(.up)))
        let threshold = shortThreshold

        // The streams, rebuilt from the positions: each position holds the term's first character
        // as a 16-bit code (0: a field's end; `scalars` maps back), and the id of the hot
        // substring starting there (`none`: none), 4 bytes a position where scalars and 32-bit
        // ids took 8, 150 MB of a 4,096-document flush. Keys are sorted by first character, so
        // codes are assigned in one pass. Ids fit: a level past the bigrams has at most
        // `maximumEntries`, and the hot bigrams kept as seeds are capped below `none` (those past
        // the cap only have no longer entries; every entry stays exact).
        var starts = [Int](repeating: 0, count: n + 1)
        for d in 0..<n { starts[d + 1] = starts[d] + Int(segment.streamLengths[d]) }
        var stream = [UInt16](repeating: 0, count: starts[n])
        var ids = [UInt16](repeating: none, count: starts[n])
        var scalars: [UInt32] = [TermKey.fieldEnd]
        var level: [[UInt32]] = []
        var pos: [UInt32] = []
        for t in 0..<segment.termCount {
            let key = segment.keys[t]
            if TermKey.first(key) != scalars[scalars.count - 1] {
                // More distinct characters than codes (hostile input): no tier; the segment is
                // complete without one.
                guard scalars.count < Int(UInt16.max) else { return (0, []) }
                scalars.append(TermKey.first(key))
            }
            let code = UInt16(scalars.count - 1)
            let info = segment.info(t)
            let hotBigram = info.df >= threshold && UInt32(truncatingIfNeeded: key) != TermKey.fieldEnd && level.count < Int(none)
            let id = UInt16(truncatingIfNeeded: level.count)
            if hotBigram { level.append([TermKey.first(key), UInt32(truncatingIfNeeded: key)]) }
            let c = segment.cursor(info)
            while c.doc != PostingsCursor.end {
                let base = starts[Int(c.doc)]
                c.positions(into: &pos)
                for p in pos {
                    stream[base + Int(p)] = code
                    if hotBigram { ids[base + Int(p)] = id }
                }
                c.next()
            }
        }

        var found: [Found] = []
        // The current level's document sets, kept whether stored or not (the next level's
        // redundancy test needs them); none for the bigrams.
        var levelDocs: [Bitset] = []
        var levelIndex: [[UInt32]: Int] = [:]
        var k = 2
        let total = starts[n]
        while !level.isEmpty && k < maximumLength && found.count < maximumEntries {
            // Pass 1: document frequency of each candidate of length k+1 (a hot k-substring
            // whose next k-substring is hot too, extended by the character after it).
            var candidate = UInt64Map(capacity: max(1_024, level.count * 8))
            var df: [Int32] = []
            var lastDoc: [Int32] = []
            ids.withUnsafeBufferPointer { ids in
                stream.withUnsafeBufferPointer { stream in
                    for d in 0..<n {
                        let hi = starts[d + 1]
                        var p = starts[d]
                        while p + k < hi {
                            p = Self.pastDead(ids, p, hi - k)
                            guard p + k < hi else { break }
                            let a = ids[p]
                            if a != none && ids[p + 1] != none {
                                let idx = Int(candidate.getOrInsert(UInt64(a) << 32 | UInt64(stream[p + k])))
                                if idx == df.count { df.append(0); lastDoc.append(-1) }
                                if lastDoc[idx] != Int32(d) { lastDoc[idx] = Int32(d); df[idx] += 1 }
                            }
                            p += 1
                        }
                    }
                }
            }
            // The hot ones get ids of the next level, most common first (the cap on entries keeps
            // the ones that save the most work).
            var hot: [(UInt64, Int32)] = []
            let levelThreshold = k + 1 == 3 ? shortThreshold : longThreshold
            candidate.forEach { key, idx in if Int(df[Int(idx)]) >= levelThreshold { hot.append((key, idx)) } }
            hot.sort { (df[Int($0.1)], $1.0) > (df[Int($1.1)], $0.0) }
            var nextID = [Int32](repeating: -1, count: df.count)
            var next: [[UInt32]] = []
            for (key, idx) in hot.prefix(maximumEntries - found.count) {
                nextID[Int(idx)] = Int32(next.count)
                next.append(level[Int(key >> 32)] + [scalars[Int(UInt32(truncatingIfNeeded: key))]])
            }
            // Pass 2: the next level's ids at each position, and the entries' documents.
            var docs = [Bitset](repeating: Bitset(count: n), count: next.count)
            var titles = [[UInt32]](repeating: [], count: next.count)
            var alive = 0
            ids.withUnsafeMutableBufferPointer { ids in
                stream.withUnsafeBufferPointer { stream in
                    for d in 0..<n {
                        let hi = starts[d + 1]
                        let title = starts[d] + Int(segment.titleLengths[d])
                        var p = starts[d]
                        while p < hi {
                            // Dead positions stay dead (`none`), so a run of them needs no write.
                            p = Self.pastDead(UnsafeBufferPointer(ids), p, hi)
                            guard p < hi else { break }
                            var id: Int32 = -1
                            // ids[p + 1] is read here before this loop overwrites it at p + 1.
                            if p + k < hi, ids[p] != none, ids[p + 1] != none,
                               let idx = candidate.get(UInt64(ids[p]) << 32 | UInt64(stream[p + k])) {
                                id = nextID[Int(idx)]
                                if id >= 0 {
                                    alive += 1
                                    docs[Int(id)].insert(d)
                                    if p < title && titles[Int(id)].last != UInt32(d) { titles[Int(id)].append(UInt32(d)) }
                                }
                            }
                            ids[p] = id >= 0 ? UInt16(id) : none
                            p += 1
                        }
                    }
                }
            }
            _ = total
            for (i, s) in next.enumerated() {
                let df = docs[i].popCount
                var exceptions: [UInt32]? = nil
                if s.count >= 4, let p = levelIndex[Array(s.dropLast())], let q = levelIndex[Array(s.dropFirst())] {
                    // Docs holding prefix and suffix but not the whole: few means derivable.
                    var both = levelDocs[p]
                    both.formIntersection(levelDocs[q])
                    let extra = both.popCount - df
                    if Double(extra) <= derivedShare * Double(both.popCount) && extra * 4 < both.words.count * 8 {
                        var without = both
                        for d in docs[i].members() { without.remove(Int(d)) }
                        exceptions = without.members()
                    }
                }
                found.append(Found(scalars: s, df: df, docs: docs[i], titles: titles[i], exceptions: exceptions))
            }
            levelDocs = docs
            levelIndex = Dictionary(uniqueKeysWithValues: next.enumerated().map { ($0.element, $0.offset) })
            level = next
            k += 1
            if alive == 0 { break }
        }
        return (found.count, layout(found, docCount: n, sectionStart: sectionStart))
    }

    /// The section's bytes (see `at`); `sectionStart` is its offset in the segment, for alignment.
    /// A hot substring found by `build`: `exceptions` set when it is stored derived.
    struct Found {
        var scalars: [UInt32]
        var df: Int
        var docs: Bitset
        var titles: [UInt32]
        var exceptions: [UInt32]?
    }

    static func layout(_ found: [Found], docCount: Int, sectionStart: Int) -> [UInt8] {
        let wide = DocIDList.wide(docCount: docCount)
        func ids(_ list: [UInt32], _ w: inout ByteWriter) { for t in list { if wide { w.u32(t) } else { w.u16(UInt16(t)) } } }
        let order = found.indices.sorted { hash(found[$0].scalars) < hash(found[$1].scalars) }
        var entries = ByteWriter()
        var directory = ByteWriter()
        let entriesAt = 4 + found.count * 16
        for i in order {
            let f = found[i]
            let off = entriesAt + entries.bytes.count
            directory.u64(hash(f.scalars)); directory.u32(UInt32(off)); directory.u32(UInt32(f.scalars.count))
            for c in f.scalars { entries.u32(c) }
            entries.u32(UInt32(f.df))
            entries.u32(UInt32(f.titles.count))
            if let exceptions = f.exceptions {
                entries.u32(UInt32(exceptions.count))
                ids(exceptions, &entries)
            } else {
                entries.u32(.max)
                while (sectionStart + entriesAt + entries.bytes.count) % 8 != 0 { entries.u8(0) }
                for w in f.docs.words { entries.u64(w) }
            }
            ids(f.titles, &entries)
            // Entries start 4-aligned (the directory's check; the scalars are u32).
            while entries.bytes.count % 4 != 0 { entries.u8(0) }
        }
        var out = ByteWriter()
        out.u32(UInt32(found.count))
        out.append(directory.bytes)
        out.append(entries.bytes)
        return out.bytes
    }
}
