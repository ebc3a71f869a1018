/// What one leaf (phrase) matched in one segment: doc ids ascending with the phrase's frequency
/// in the title and in the body of each.
struct LeafMatches {
    var docs: [UInt32] = []
    var title: [UInt32] = []
    var body: [UInt32] = []
    /// Upper bound of the leaf's document frequency in the segment, for idf: exact when the leaf
    /// was evaluated over the whole segment.
    var df = 0
}

/// Evaluates a query tree over one segment. Conjunctions evaluate their cheapest member first and
/// every other member only over the documents still in the running (the others' cursors skip
/// to them block by block); a phrase is checked from the rarest of the bigrams that cover it,
/// positions decoded only for documents where every covering bigram occurs, stopping at the
/// first miss.
final class SegmentEvaluator {
    let segment: Segment
    let leaves: [[UInt32]]
    /// Live (not replaced by a newer version) and passing the filter.
    private let accepted: Bitset
    private let cancelled: () -> Bool
    private(set) var matches: [LeafMatches?]
    private var work = 0

    init(segment: Segment, leaves: [[UInt32]], accepted: Bitset, cancelled: @escaping () -> Bool) {
        self.segment = segment
        self.leaves = leaves
        self.accepted = accepted
        self.cancelled = cancelled
        matches = Array(repeating: nil, count: leaves.count)
    }

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
            if q.count >= 3, let h = segment.hot.entry(q) { return h.df }
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
        if q.count >= 3, let hot = segment.hot.entry(q) { return try hotPhrase(hot, within: restrict) }
        if q.count == 1 { return try character(q[0], within: restrict) }
        var cover: [(cursor: PostingsCursor, offset: Int)] = []
        var dfs: [Int] = []
        for o in 0..<(q.count - 1) {
            guard let info = segment.info(key: TermKey.make(q[o], q[o + 1])) else { return LeafMatches() }
            dfs.append(info.df)
        }
        for o in Self.cover(dfs) {
            cover.append((segment.cursor(segment.info(key: TermKey.make(q[o], q[o + 1]))!), o))
        }
        cover.sort { $0.cursor.df < $1.cursor.df }
        var out = LeafMatches()
        out.df = restrict == nil ? 0 : dfs.min() ?? 0
        var starts: [UInt32] = [], other: [UInt32] = [], kept: [UInt32] = []
        let single = cover.count == 1 && q.count == 2
        try intersect(cover.map(\.cursor), within: restrict) { d throws(IndexError) in
            let titleLength = segment.titleLengths[Int(d)]
            if single {
                // A two-character phrase is one term: its frequency is in the postings.
                let c = cover[0].cursor
                let t = c.countPositions(below: titleLength)
                out.docs.append(d); out.title.append(UInt32(t)); out.body.append(UInt32(c.tf - t))
                return
            }
            let lead = cover[0]
            lead.cursor.positions(into: &starts)
            var w = 0
            for p in starts where Int(p) >= lead.offset { starts[w] = p - UInt32(lead.offset); w += 1 }
            starts.removeLast(starts.count - w)
            try tick(starts.count)
            for (c, off) in cover.dropFirst() {
                if starts.isEmpty { break }
                c.positions(into: &other)
                try tick(other.count)
                kept.removeAll(keepingCapacity: true)
                var j = 0
                let o = UInt32(off)
                for s in starts {
                    let want = s + o
                    while j < other.count && other[j] < want { j += 1 }
                    if j == other.count { break }
                    if other[j] == want { kept.append(s) }
                }
                swap(&starts, &kept)
            }
            guard !starts.isEmpty else { return }
            var t = 0
            for s in starts where s < titleLength { t += 1 }
            out.docs.append(d); out.title.append(UInt32(t)); out.body.append(UInt32(starts.count - t))
        }
        if restrict == nil { out.df = out.docs.count }
        return out
    }

    /// A phrase found in the hot tier: membership from its bitset, title presence from the other.
    private func hotPhrase(_ hot: HotTier.Entry, within restrict: [UInt32]?) throws(IndexError) -> LeafMatches {
        var out = LeafMatches()
        out.df = hot.df
        func add(_ d: UInt32) {
            guard accepted.contains(Int(d)), hot.docs.contains(Int(d)) else { return }
            let inTitle: UInt32 = hot.titles.contains(Int(d)) ? 1 : 0
            out.docs.append(d); out.title.append(inTitle); out.body.append(1 - inTitle)
        }
        if let restrict {
            for d in restrict { add(d) }
        } else {
            var set = hot.docs
            set.formIntersection(accepted)
            for d in set.members() {
                let inTitle: UInt32 = hot.titles.contains(Int(d)) ? 1 : 0
                out.docs.append(d); out.title.append(inTitle); out.body.append(1 - inTitle)
            }
        }
        try tick(out.docs.count / 8)
        return out
    }

    /// One character: the union of every term that starts with it (each of its occurrences starts
    /// exactly one term, since every field ends with `fieldEnd`).
    private func character(_ c: UInt32, within restrict: [UInt32]?) throws(IndexError) -> LeafMatches {
        let lo = segment.lowerBound(TermKey.make(c, 0)), hi = segment.lowerBound(TermKey.make(c &+ 1, 0))
        var title = [UInt32](repeating: 0, count: segment.docCount)
        var body = [UInt32](repeating: 0, count: segment.docCount)
        var seen = Bitset(count: segment.docCount)
        for t in lo..<hi {
            let cur = segment.cursor(segment.info(t))
            try intersect([cur], within: restrict) { d throws(IndexError) in
                let n = cur.countPositions(below: segment.titleLengths[Int(d)])
                title[Int(d)] += UInt32(n)
                body[Int(d)] += UInt32(cur.tf - n)
                seen.insert(Int(d))
                try tick()
            }
        }
        var out = LeafMatches()
        for d in seen.members() {
            out.docs.append(d); out.title.append(title[Int(d)]); out.body.append(body[Int(d)])
        }
        out.df = out.docs.count
        return out
    }

    /// Calls `body` for every accepted doc in all cursors (and in `restrict`), ascending. The
    /// first cursor has the fewest docs and leads; when `restrict` is shorter, it leads instead.
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
