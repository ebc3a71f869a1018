/// "Did you mean": for a phrase with no match, the spellings one edit away (a character
/// deleted, inserted, replaced, or two neighbours swapped) that do match, most matches first.
/// Only variants whose every bigram is in some segment's dictionary are counted, so the search
/// stays small: a replacement or insertion at i must pair with both neighbours.
package enum Suggester {
    /// Variants counted at the most, and phrases longer than this are not corrected.
    static let maximumCandidates = 3_000
    static let timeBudget: Duration = .milliseconds(300)
    static let maximumLength = 32

    package static func suggest(_ snapshot: IndexSnapshot, phrase q: [UInt32], limit: Int = 3,
                                cancelled: @escaping @Sendable () -> Bool = { false }) throws(IndexError) -> [(phrase: [UInt32], total: Int)] {
        guard !q.isEmpty, q.count <= maximumLength else { return [] }
        let segments = snapshot.parts.map(\.segment)
        func exists(_ a: UInt32, _ b: UInt32) -> Bool { segments.contains { $0.termIndex(TermKey.make(a, b)) != nil } }
        /// Characters that follow `a` in some segment.
        func successors(_ a: UInt32) -> Set<UInt32> {
            var out = Set<UInt32>()
            for s in segments {
                var t = s.lowerBound(TermKey.make(a, 0))
                while t < s.keys.count, TermKey.first(s.keys[t]) == a {
                    let b = UInt32(truncatingIfNeeded: s.keys[t])
                    if b != TermKey.fieldEnd { out.insert(b) }
                    t += 1
                }
            }
            return out
        }
        /// Characters that precede `b` in some segment.
        func predecessors(_ b: UInt32) -> Set<UInt32> {
            var out = Set<UInt32>()
            for s in segments { for k in s.keys where UInt32(truncatingIfNeeded: k) == b { out.insert(TermKey.first(k)) } }
            return out
        }
        func plausible(_ v: [UInt32]) -> Bool {
            v.count >= 1 && (v.count == 1 || zip(v, v.dropFirst()).allSatisfy { exists($0, $1) })
        }
        var seen = Set<[UInt32]>([q])
        var candidates: [[UInt32]] = []
        func offer(_ v: [UInt32]) {
            // A space at either end is not something a user types into a phrase.
            guard candidates.count < maximumCandidates, v.first != 0x20, v.last != 0x20,
                  seen.insert(v).inserted, plausible(v) else { return }
            candidates.append(v)
        }
        // Replacements, insertions and swaps first; dropping a character inside the phrase next;
        // dropping the first or last only as a last resort (a shorter prefix or suffix of almost
        // any phrase matches something, which says nothing about the spelling).
        for i in 0..<q.count {
            let pool = i > 0 ? successors(q[i - 1]) : (i + 1 < q.count ? predecessors(q[1]) : [])
            for c in pool.sorted() where c != q[i] && (i + 1 == q.count || exists(c, q[i + 1])) {
                var v = q; v[i] = c; offer(v)
            }
        }
        for i in 0...q.count {
            // Insert before i: after q[i-1], before q[i].
            let pool = i > 0 ? successors(q[i - 1]) : predecessors(q[0])
            for c in pool.sorted() where i == q.count || exists(c, q[i]) {
                var v = q; v.insert(c, at: i); offer(v)
            }
        }
        for i in 0..<(q.count - 1) { var t = q; t.swapAt(i, i + 1); offer(t) }
        for i in 0..<q.count {
            // Inside the phrase; at an edge only a doubled character (the commonest slip).
            let doubled = (i > 0 && q[i - 1] == q[i]) || (i + 1 < q.count && q[i + 1] == q[i])
            if (i > 0 && i < q.count - 1) || doubled { var d = q; d.remove(at: i); offer(d) }
        }
        let lastResort: [[UInt32]] = q.count > 1 ? [Array(q.dropFirst()), Array(q.dropLast())] : []
        var found: [(phrase: [UInt32], total: Int)] = []
        let budget = ContinuousClock.now + timeBudget
        func count(_ vs: [[UInt32]]) throws(IndexError) {
            for v in vs {
                if cancelled() { throw IndexError.cancelled }
                // Spelling help is worth a fraction of a second, not more.
                if ContinuousClock.now > budget { return }
                let r = try Searcher.search(snapshot, IndexSearchRequest(query: IndexQuery(phrase: v), limit: 0), cancelled: cancelled)
                if r.total > 0 { found.append((v, r.total)) }
            }
        }
        try count(candidates)
        if found.isEmpty { try count(lastResort.filter { !seen.contains($0) && plausible($0) }) }
        return Array(found.sorted { $0.total != $1.total ? $0.total > $1.total : $0.phrase.lexicographicallyPrecedes($1.phrase) }.prefix(limit))
    }
}
