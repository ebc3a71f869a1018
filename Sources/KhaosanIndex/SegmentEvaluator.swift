/// What one leaf (phrase) matched in one segment: doc ids ascending with the phrase's frequency
/// in the title and in the body of each.
struct LeafMatches {
    var docs: [UInt32] = []
    var title: [UInt32] = []
    var body: [UInt32] = []
    /// Whole-word occurrences (title and body) per doc; nil when not known (a hot-tier answer).
    var whole: [UInt32]? = []
    /// Upper bound of the leaf's document frequency in the segment, for idf: exact when the leaf
    /// was evaluated over the whole segment.
    var df = 0
    /// With `SegmentEvaluator.WholeWords.onDemand`: every doc's occurrence starts (doc `docs[j]`'s
    /// end at `startsEnd[j]`), so whole words are looked up later, only for the docs that may
    /// reach the page (`whole` is then nil).
    var onDemand = false
    var starts: [UInt32] = []
    var startsEnd: [UInt32] = []
}

/// Evaluates a query tree over one segment. Conjunctions evaluate their cheapest member first and
/// every other member only over the documents still in the running (the others' cursors skip
/// to them block by block); a phrase is checked from the rarest of the bigrams that cover it,
/// positions decoded only for documents where every covering bigram occurs, stopping at the
/// first miss.
final class SegmentEvaluator {
    /// How a leaf finds its whole-word occurrences for ranking (a whole-words-only leaf always
    /// checks them, as they decide its documents).
    enum WholeWords {
        /// Every matching doc's occurrences checked as they are found.
        case eager
        /// The starts kept; checked by `hasWholeOccurrence` for the docs the ranking asks about.
        /// Checking every doc was most of a phrase's own loop (the word-boundary bits of each
        /// matching doc are a cache miss, often a page fault).
        case onDemand
        /// Not checked (date order, counts: no score is computed).
        case unneeded
    }

    let segment: Segment
    let leaves: [[UInt32]]
    let wholeWords: (Int) -> Bool
    /// Live (not replaced by a newer version) and passing the filter.
    private let accepted: Bitset
    private let cancelled: @Sendable () -> Bool
    private let whole: WholeWords
    private(set) var matches: [LeafMatches?]
    private var work = 0
    private var scratchCapacity = 256
    private var scratchBuffer = UnsafeMutablePointer<UInt32>.allocate(capacity: 256)

    init(segment: Segment, query: IndexQuery, accepted: Bitset, whole: WholeWords = .eager,
         cancelled: @escaping @Sendable () -> Bool) {
        self.segment = segment
        self.whole = whole
        self.leaves = query.leaves
        self.wholeWords = query.isWholeWord
        self.accepted = accepted
        self.cancelled = cancelled
        matches = Array(repeating: nil, count: leaves.count)
    }

    deinit { scratchBuffer.deallocate() }

    /// Counts work done and checks for cancellation now and then (deadline, client gone).
    @inline(__always) private func tick(_ n: Int = 1) throws(IndexError) {
        work &+= n
        if work >= 4_096 {
            work = 0
            if cancelled() { throw IndexError.cancelled }
        }
    }

    func evaluate(_ node: QueryNode, within restrict: [UInt32]?) throws(IndexError) -> [UInt32] {
        switch node {
        case .phrase(let i):
            let m = try phrase(i, within: restrict)
            if let old = matches[i], restrict != nil {
                // The same leaf met again in another branch: keep the wider result.
                if old.docs.count >= m.docs.count { return m.docs }
            }
            matches[i] = m
            return m.docs
        case .or(let items):
            var out: [UInt32] = []
            for item in items {
                let r = try evaluate(item, within: restrict)
                out = Self.union(out, r)
            }
            return out
        case .and(let items):
            let positives = items.filter { if case .not = $0 { false } else { true } }
                .sorted { cost($0) < cost($1) }
            let negatives = items.compactMap { if case .not(let n) = $0 { n } else { nil } }
            guard !positives.isEmpty else { return [] }
            var current = restrict
            for p in positives {
                let r = try evaluate(p, within: current)
                current = r
                if r.isEmpty { return [] }
            }
            var result = current ?? []
            for n in negatives {
                let r = try evaluate(n, within: result)
                result = Self.difference(result, r)
                if result.isEmpty { break }
            }
            return result
        case .not(let inner):
            // A lone NOT has nothing to subtract from; the parser never produces one.
            _ = inner
            return []
        }
    }

    /// Estimated documents a node can match: what conjunctions sort their members by.
    func cost(_ node: QueryNode) -> Int {
        switch node {
        case .phrase(let i):
            let q = leaves[i]
            if q.count >= 3, let df = segment.hot.df(q) { return df }
            if q.count == 1 {
                let lo = segment.lowerBound(TermKey.make(q[0], 0)), hi = segment.lowerBound(TermKey.make(q[0] &+ 1, 0))
                return (lo..<hi).reduce(0) { $0 + segment.info($1).df }
            }
            var m = Int.max
            for o in 0..<(q.count - 1) { m = min(m, segment.info(key: TermKey.make(q[o], q[o + 1]))?.df ?? 0) }
            return m == .max ? 0 : m
        case .and(let items): return items.map(cost).min() ?? 0
        case .or(let items): return items.reduce(0) { $0 + cost($1) }
        case .not: return Int.max
        }
    }

    // MARK: - Leaves

    private func phrase(_ i: Int, within restrict: [UInt32]?) throws(IndexError) -> LeafMatches {
        let q = leaves[i]
        if q.isEmpty { return LeafMatches() }
        let wholeOnly = wholeWords(i)
        if q.count >= 3, !wholeOnly, let hot = segment.hot.entry(q) { return try hotPhrase(hot, within: restrict) }
        if q.count == 1 { return try character(q[0], within: restrict, wholeOnly: wholeOnly) }
        var dfs: [Int] = []
        for o in 0..<(q.count - 1) {
            guard let info = segment.info(key: TermKey.make(q[o], q[o + 1])) else { return LeafMatches() }
            dfs.append(info.df)
        }
        var cover: [(cursor: PostingsCursor, offset: UInt32)] = []
        for o in Self.cover(dfs) {
            cover.append((segment.cursor(segment.info(key: TermKey.make(q[o], q[o + 1]))!), UInt32(o)))
        }
        cover.sort { $0.cursor.df < $1.cursor.df }
        var out = LeafMatches()
        out.df = restrict == nil ? 0 : dfs.min() ?? 0
        // A two-character phrase has its whole-word flag in the postings: always known.
        if !(cover.count == 1 && q.count == 2) { deferWholeWords(&out, wholeOnly: wholeOnly) }
        // Hot substrings of the phrase narrow the documents before any position is read (after
        // the dictionary: a bigram missing from it ends the phrase sooner, and the tier's pages
        // are colder than the dictionary's; prefiltering first was 5% slower).
        var within = restrict
        if q.count >= 4, let pre = prefilter(q) {
            var set = pre
            if let r = restrict {
                var narrowed: [UInt32] = []
                for d in r where set.contains(Int(d)) { narrowed.append(d) }
                within = narrowed
            } else {
                set.formIntersection(accepted)
                within = set.members()
            }
            if within!.isEmpty { return out }
        }
        let single = cover.count == 1 && q.count == 2
        let lead = cover[0].cursor
        let cursors = cover.map(\.cursor), offsets = cover.map(\.offset)
        // Per doc, the covering bigrams in order of their frequency in that doc: the fewest
        // positions give the starts, and each check walks another run only up to the last start
        // still standing. The rarest bigram overall (fewest docs) still leads the intersection.
        let m = cover.count
        let order = UnsafeMutablePointer<Int>.allocate(capacity: m), tfs = UnsafeMutablePointer<Int>.allocate(capacity: m)
        defer { order.deallocate(); tfs.deallocate() }
        try intersect(cursors, within: within) { d throws(IndexError) in
            let titleLength = segment.titleLengths[Int(d)]
            if single && !wholeOnly {
                // A two-character phrase is one term: tf, and whether it is in the title and a
                // whole word somewhere, all from the postings; no position is read.
                // Ranking needs the title only as present or not: a title occurrence counts as one.
                let t = lead.isInTitle ? 1 : 0
                out.docs.append(d); out.title.append(UInt32(t)); out.body.append(UInt32(lead.tf - t))
                out.whole?.append(lead.isWholeWord ? 1 : 0)
                return
            }
            // Otherwise the starts the covering bigrams agree on are the occurrences.
            for k in 0..<m {
                let tf = cursors[k].tf
                var j = k
                while j > 0 && tfs[order[j - 1]] > tf { order[j] = order[j - 1]; j -= 1 }
                order[j] = k; tfs[k] = tf
            }
            let first = order[0]
            let starts = scratch(tfs[first])
            var n = cursors[first].starts(minus: offsets[first], into: starts)
            try tick(n)
            var k = 1
            while n > 0 && k < m {
                n = cursors[order[k]].keep(starts, n, plus: offsets[order[k]])
                k += 1
            }
            guard n > 0 else { return }
            try record(d, starts, n, length: q.count, titleLength: titleLength, wholeOnly: wholeOnly, into: &out)
        }
        if restrict == nil { out.df = out.docs.count }
        return out
    }

    /// Leaves whole words to later (or to nobody) unless the leaf is restricted to them.
    private func deferWholeWords(_ out: inout LeafMatches, wholeOnly: Bool) {
        guard !wholeOnly, whole != .eager else { return }
        out.whole = nil
        out.onDemand = whole == .onDemand
    }

    /// Whether doc `matches[leaf].docs[j]` has an occurrence of the leaf as whole words, from the
    /// starts kept by `.onDemand`.
    func hasWholeOccurrence(leaf: Int, _ j: Int) -> Bool {
        guard let m = matches[leaf], m.onDemand else { return false }
        let d = Int(m.docs[j]), length = leaves[leaf].count
        for k in (j == 0 ? 0 : Int(m.startsEnd[j - 1]))..<Int(m.startsEnd[j]) where segment.isWhole(d, m.starts[k], length) {
            return true
        }
        return false
    }

    /// Adds doc `d` with its `n` occurrences (starts), counting whole-word ones; with `wholeOnly`
    /// only those count, and a doc without any is left out.
    @inline(__always)
    private func record(_ d: UInt32, _ starts: UnsafeMutablePointer<UInt32>, _ n: Int, length: Int, titleLength: UInt32,
                        wholeOnly: Bool, into out: inout LeafMatches) throws(IndexError) {
        if out.whole == nil {
            // Whole words deferred (see deferWholeWords): only the title count now.
            var t = 0
            for j in 0..<n where starts[j] < titleLength { t += 1 }
            out.docs.append(d); out.title.append(UInt32(t)); out.body.append(UInt32(n - t))
            if out.onDemand {
                out.starts.append(contentsOf: UnsafeBufferPointer(start: starts, count: n))
                out.startsEnd.append(UInt32(out.starts.count))
            }
            return
        }
        var t = 0, whole = 0, wholeTitle = 0
        for j in 0..<n {
            let s = starts[j]
            // Ranking needs only whether one occurrence is whole words; the restriction counts them.
            let w = (wholeOnly || whole == 0) && segment.isWhole(Int(d), s, length)
            if w { whole += 1 }
            if s < titleLength { t += 1; if w { wholeTitle += 1 } }
        }
        if wholeOnly {
            guard whole > 0 else { return }
            out.docs.append(d); out.title.append(UInt32(wholeTitle)); out.body.append(UInt32(whole - wholeTitle))
        } else {
            out.docs.append(d); out.title.append(UInt32(t)); out.body.append(UInt32(n - t))
        }
        out.whole?.append(UInt32(whole))
    }

    /// The documents that contain every hot substring of `q` (the longest at each start), or
    /// nil when none is hot. A superset of the phrase's documents, often a small one.
    private func prefilter(_ q: [UInt32]) -> Bitset? {
        guard segment.hot.count > 0 else { return nil }
        var result: Bitset? = nil
        var memo = HotTier.Memo()
        let limit = min(q.count, HotTier.maximumLength)
        // Every start is tried: a piece starting inside the previous one but reaching past its end
        // is not implied by it (for ข้าว, ้าว after ข้า), and skipping such starts left the
        // position checks with ten times the documents that match. A piece that ends within the
        // previous one adds nothing (its documents contain the previous one's).
        var coveredTo = 0
        for start in 0..<max(0, limit - 2) {
            var h = HotTier.hash(q[start..<(start + 2)])
            var end = start + 2
            // A substring is hot only if its prefix is: extend while the tier has it (a directory
            // lookup each; the document set is built for the longest only).
            while end < limit {
                let next = HotTier.hashStep(h, q[end])
                guard segment.hot.contains(q[start...end], hash: next) else { break }
                h = next
                end += 1
            }
            guard end >= start + 3, end > coveredTo else { continue }
            // nil only for a damaged derived entry: a shorter piece stands in for it.
            var piece: HotTier.Entry? = nil
            var pieceEnd = end
            while pieceEnd >= start + 3, piece == nil {
                piece = segment.hot.entry(Array(q[start..<pieceEnd]), &memo)
                if piece == nil { pieceEnd -= 1 }
            }
            guard let piece, pieceEnd > coveredTo else { continue }
            coveredTo = pieceEnd
            if result == nil { result = piece.docs; result!.formIntersection(accepted) } else { result!.formIntersection(piece.docs) }
            // Nothing left: the pieces further on need not be read (a page of the file each).
            if result!.isEmpty { return result }
        }
        return result
    }

    /// Scratch room for `n` positions, owned by the evaluator.
    private func scratch(_ n: Int) -> UnsafeMutablePointer<UInt32> {
        if n > scratchCapacity {
            scratchBuffer.deallocate()
            scratchCapacity = max(n, scratchCapacity * 2)
            scratchBuffer = .allocate(capacity: scratchCapacity)
        }
        return scratchBuffer
    }

    /// A phrase found in the hot tier: membership from its bitset, title presence from the other.
    private func hotPhrase(_ hot: HotTier.Entry, within restrict: [UInt32]?) throws(IndexError) -> LeafMatches {
        var out = LeafMatches()
        out.df = hot.df
        out.whole = nil
        var t = 0
        let titles = hot.titles
        func add(_ d: UInt32) {
            while t < titles.count && titles[t] < d { t += 1 }
            let inTitle: UInt32 = t < titles.count && titles[t] == d ? 1 : 0
            out.docs.append(d); out.title.append(inTitle); out.body.append(1 - inTitle)
        }
        if let restrict {
            for d in restrict where accepted.contains(Int(d)) && hot.docs.contains(Int(d)) { add(d) }
        } else {
            var docs = hot.docs
            docs.formIntersection(accepted)
            for d in docs.members() { add(d) }
        }
        try tick(out.docs.count / 8)
        return out
    }

    /// One character: the union of every term that starts with it (each of its occurrences starts
    /// exactly one term, since every field ends with `fieldEnd`).
    private func character(_ c: UInt32, within restrict: [UInt32]?, wholeOnly: Bool) throws(IndexError) -> LeafMatches {
        let lo = segment.lowerBound(TermKey.make(c, 0)), hi = segment.lowerBound(TermKey.make(c &+ 1, 0))
        // Every occurrence of c starts one of these terms: gather each doc's starts from all of them.
        var starts: [UInt32: [UInt32]] = [:]
        for t in lo..<hi {
            let cur = segment.cursor(segment.info(t))
            try intersect([cur], within: restrict) { d throws(IndexError) in
                let buf = scratch(cur.tf)
                let n = cur.starts(minus: 0, into: buf)
                starts[d, default: []].append(contentsOf: UnsafeBufferPointer(start: buf, count: n))
                try tick(n)
            }
        }
        var out = LeafMatches()
        deferWholeWords(&out, wholeOnly: wholeOnly)
        for d in starts.keys.sorted() {
            var s = starts[d]!
            s.sort()
            try s.withUnsafeMutableBufferPointer { b throws(IndexError) in
                try record(d, b.baseAddress!, b.count, length: 1, titleLength: segment.titleLengths[Int(d)], wholeOnly: wholeOnly, into: &out)
            }
        }
        out.df = out.docs.count
        return out
    }

    /// Calls `body` for every accepted doc in all cursors (and in `restrict`), ascending. The
    /// first cursor has the fewest docs and leads; when `restrict` is shorter, it leads instead.
    @inline(__always)
    private func intersect(_ cursors: [PostingsCursor], within restrict: [UInt32]?,
                           _ body: (UInt32) throws(IndexError) -> Void) throws(IndexError) {
        guard let lead = cursors.first else { return }
        if let r = restrict, r.count <= lead.df {
            next: for d in r {
                guard accepted.contains(Int(d)) else { continue }
                for c in cursors where c.advance(to: d) != d {
                    if c.doc == PostingsCursor.end { return }
                    continue next
                }
                try tick()
                try body(d)
            }
            return
        }
        var ri = 0
        var d = lead.doc
        while d != PostingsCursor.end {
            try tick()
            if !accepted.contains(Int(d)) { d = lead.next(); continue }
            if let r = restrict {
                while ri < r.count && r[ri] < d { ri += 1 }
                if ri == r.count { return }
                if r[ri] != d { d = lead.advance(to: r[ri]); continue }
            }
            var agreed = true
            for c in cursors.dropFirst() {
                let x = c.advance(to: d)
                if x != d { agreed = false; d = lead.advance(to: x); break }
            }
            if agreed {
                try body(d)
                d = lead.next()
            }
        }
    }

    /// Offsets of bigrams that together cover every character of a phrase of `dfs.count + 1`
    /// characters, choosing the rarer of the two bigrams that can cover each character, plus the
    /// rarest bigram overall (it leads the intersection).
    static func cover(_ dfs: [Int]) -> [Int] {
        let k = dfs.count + 1
        var chosen = Set<Int>()
        if let rarest = dfs.indices.min(by: { dfs[$0] < dfs[$1] }) { chosen.insert(rarest) }
        var c = 0
        while c < k {
            if chosen.contains(c) || (c > 0 && chosen.contains(c - 1)) { c += 1; continue }
            // Character c is covered by bigram c-1 or c.
            let left = c - 1 >= 0 ? c - 1 : nil
            let right = c <= k - 2 ? c : nil
            let pick: Int
            switch (left, right) {
            case let (l?, r?): pick = dfs[l] <= dfs[r] ? l : r
            case let (l?, nil): pick = l
            case let (nil, r?): pick = r
            default: return chosen.sorted()
            }
            chosen.insert(pick)
            c += 1
        }
        return chosen.sorted()
    }

    static func union(_ a: [UInt32], _ b: [UInt32]) -> [UInt32] {
        if a.isEmpty { return b }
        if b.isEmpty { return a }
        var out: [UInt32] = []
        out.reserveCapacity(a.count + b.count)
        var i = 0, j = 0
        while i < a.count && j < b.count {
            if a[i] < b[j] { out.append(a[i]); i += 1 } else if b[j] < a[i] { out.append(b[j]); j += 1 } else { out.append(a[i]); i += 1; j += 1 }
        }
        out.append(contentsOf: a[i...]); out.append(contentsOf: b[j...])
        return out
    }

    static func difference(_ a: [UInt32], _ b: [UInt32]) -> [UInt32] {
        if b.isEmpty { return a }
        var out: [UInt32] = []
        var j = 0
        for x in a {
            while j < b.count && b[j] < x { j += 1 }
            if j < b.count && b[j] == x { continue }
            out.append(x)
        }
        return out
    }
}
