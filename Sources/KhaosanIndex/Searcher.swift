import Foundation
import HeapModule
#if canImport(Glibc)
import Glibc
#endif

/// Runs a search over every segment of a snapshot in one pass over the matches: the exact total,
/// the facets and the top `offset + limit` by relevance or by date.
///
/// Relevance: per phrase, idf times BM25's saturated frequency in the document (length
/// normalised), plus `titleBoost` times idf when the phrase is in the title. The title part is
/// added, not folded into the frequency: with tf = 8·title + body, saturation let ten body
/// occurrences outweigh a title match, and a release's own title, searched for, ranked it first
/// only 96% of the time.
package enum Searcher {
    static let k1 = 1.2
    static let b = 0.75
    /// More than BM25's saturated maximum (k1 + 1), so a phrase in the title outranks any
    /// number of occurrences in a body.
    static let titleBoost = 2.5
    /// Up to this much more for a title shorter than the average (BM25F-style length
    /// normalisation of the title field): of two titles that contain the phrase, the one with
    /// fewer other words wins.
    static let titleLengthBoost = 1.0
    static let titleB = 0.75
    /// For a phrase found as whole words somewhere in the release (ยา the word, not only inside
    /// ยาง): as much as a title match, so whole-word releases come first.
    static let wholeBoost = 2.5

    /// Segments are evaluated on up to this many threads at once (the machine's cores); 1 keeps
    /// a search on its caller's thread.
    package static let defaultParallelism = min(ProcessInfo.processInfo.activeProcessorCount, 8)

    /// `wholeWordsOnDemand: false` checks every match's whole words as it is found: the reference
    /// the on-demand ranking is tested against.
    package static func search(_ snapshot: IndexSnapshot, _ request: IndexSearchRequest, parallelism: Int = 1,
                               wholeWordsOnDemand: Bool = true,
                               cancelled: @escaping @Sendable () -> Bool = { false }) throws(IndexError) -> IndexSearchResult {
        let q = request.query
        let want = max(request.offset, 0) + max(request.limit, 0)
        let relevance = request.sort == .relevance && want > 0
        // One phrase ranked by relevance: its whole-word bonus is settled only for the docs that
        // can reach the page (`rankOnDemand`). Several leaves sum their parts in leaf order, and
        // adding a bonus afterwards would change that sum's rounding: they check eagerly.
        let onDemand: Bool = if case .phrase(0) = q.root, q.leaves.count == 1, relevance, wholeWordsOnDemand { true } else { false }
        let whole: SegmentEvaluator.WholeWords = !relevance ? .unneeded : onDemand ? .onDemand : .eager
        var evaluated: [(SegmentEvaluator, [UInt32])] = []
        var total = 0
        var df = [Int](repeating: 0, count: q.leaves.count)
        // Whole-word occurrences raise a leaf's score only when every segment knows them (a
        // hot-tier answer does not), so that ranking does not depend on how a segment answered.
        var wholeKnown = [Bool](repeating: true, count: q.leaves.count)
        var allDeferred = true
        for (e, docs) in try evaluate(snapshot, request, whole: whole, parallelism: parallelism, cancelled: cancelled) {
            total += docs.count
            for (i, m) in e.matches.enumerated() {
                guard let m else { continue }
                df[i] += max(m.df, m.docs.count)
                if m.whole == nil && !m.onDemand { wholeKnown[i] = false }
                // A two-character phrase knows its whole words from the postings (and they are
                // already in its scores): nothing to settle.
                if !m.docs.isEmpty && !m.onDemand { allDeferred = false }
            }
            evaluated.append((e, docs))
        }
        let n = Double(max(snapshot.liveDocs, 1))
        let idf = df.map { log(1 + (n - Double($0) + 0.5) / (Double($0) + 0.5)) }
        let avgLength = max(snapshot.averageLength, 1)
        let avgTitle = max(snapshot.averageTitleLength, 1)

        var top = TopK(capacity: want, sort: request.sort)
        var cats: [String: IndexFacet] = [:]
        var months: [Int32: Int] = [:]
        var langs: [UInt8: Int] = [:]
        // Scores before the whole-word bonus, per segment, when it is settled on demand; their
        // own top bounds the page from below (see rankOnDemand).
        let bonus = onDemand && allDeferred && wholeKnown[0] ? idf[0] * wholeBoost : 0
        var partial: [[Double]] = []
        var lower = TopK(capacity: bonus > 0 ? want : 0, sort: .relevance)
        var periodCounts = [Int](repeating: 0, count: request.periods?.count ?? 0)
        for (e, docs) in evaluated {
            let seg = e.segment
            // A date sort needs no score (its hits carry 0, as SearchResultHit says).
            let scores = relevance ? Self.scores(e, docs, idf: idf, wholeKnown: wholeKnown, avgLength: avgLength, avgTitle: avgTitle) : []
            if bonus > 0 { partial.append(scores) }
            // Facets counted per segment ordinal in arrays, named once per segment at the end.
            var catCounts = [Int](repeating: 0, count: request.facets ? max(seg.categories.count, 1) : 0)
            var monthCounts: [Int32: Int] = [:]
            var langCounts = [Int](repeating: 0, count: request.facets ? 256 : 0)
            var lastMonthDay: Int32 = .min, lastMonth: Int32 = 0
            for (k, d) in docs.enumerated() {
                let di = Int(d)
                let score = relevance ? scores[k] : 0
                let hit = IndexHit(releaseID: seg.releaseIDs[di], score: score, days: seg.days[di])
                if bonus == 0 { top.offer(hit) } else { lower.offer(hit) }
                if request.facets {
                    catCounts[Int(seg.categoryOf[di])] += 1
                    let day = seg.days[di]
                    // Docs come in id order, in publication order in a rebuilt segment: the month
                    // of the previous doc is usually this one's.
                    if day != lastMonthDay { lastMonthDay = day; lastMonth = CivilMonth.of(days: day) }
                    monthCounts[lastMonth, default: 0] += 1
                    langCounts[Int(seg.languages[di])] += 1
                }
            }
            if let range = request.periods {
                Self.countPeriods(seg, docs, range, into: &periodCounts)
            }
            if request.facets {
                for (ordinal, n) in catCounts.enumerated() where n > 0 {
                    let c = seg.categories[ordinal]
                    let key = c.slug ?? c.name
                    cats[key, default: IndexFacet(key: key, label: c.name, count: 0)].count += n
                }
                for (m, n) in monthCounts { months[m, default: 0] += n }
                for (l, n) in langCounts.enumerated() where n > 0 { langs[UInt8(l), default: 0] += n }
            }
            if cancelled() { throw IndexError.cancelled }
        }
        if bonus > 0 {
            try rankOnDemand(evaluated, partial, bonus: bonus, floor: lower.worst?.score ?? -.infinity, into: &top, cancelled: cancelled)
        }
        let hits = top.sorted()
        let page = hits.count > request.offset ? Array(hits[max(request.offset, 0)...]) : []
        return IndexSearchResult(
            total: total, hits: page,
            categories: cats.values.sorted { ($0.count, $1.key) > ($1.count, $0.key) },
            months: months.keys.sorted().map { IndexFacet(key: CivilMonth.key($0), label: CivilMonth.key($0), count: months[$0]!) },
            languages: langs.keys.sorted().map { IndexFacet(key: String($0), label: String($0), count: langs[$0]!) },
            periodCounts: periodCounts)
    }

    /// The top of a one-phrase query whose whole-word bonus (`bonus`, the same for every doc) is
    /// settled on demand: a doc scores `partial` or `partial + bonus`. The k-th best partial score
    /// (`floor`) bounds the k-th best score from below, so only docs with `partial + bonus` at or
    /// above it can reach the page; they are settled from the highest bound down, and the walk stops when
    /// the next bound is below the k-th score found (a lower score cannot enter, whatever the
    /// tie-break). The page is the one eager checking gives, score for score.
    static func rankOnDemand(_ evaluated: [(SegmentEvaluator, [UInt32])], _ partial: [[Double]], bonus: Double,
                             floor: Double, into top: inout TopK, cancelled: () -> Bool) throws(IndexError) {
        var bounds: [PendingHit] = []
        for (s, (_, docs)) in evaluated.enumerated() {
            for k in docs.indices where partial[s][k] + bonus >= floor {
                bounds.append(PendingHit(bound: partial[s][k] + bonus, segment: s, index: k))
            }
        }
        var pending = Heap(bounds)
        var settled = 0
        while let p = pending.popMax() {
            if let worst = top.worst, p.bound < worst.score { break }
            let (e, docs) = evaluated[p.segment]
            let d = Int(docs[p.index])
            let score = partial[p.segment][p.index] + (e.hasWholeOccurrence(leaf: 0, p.index) ? bonus : 0)
            top.offer(IndexHit(releaseID: e.segment.releaseIDs[d], score: score, days: e.segment.days[d]))
            settled += 1
            if settled % 1_024 == 0, cancelled() { throw IndexError.cancelled }
        }
    }

    /// Adds `docs` of `seg` to their periods' counts (`counts[i]` is period `range.first + i`).
    /// No allocation per doc: docs come in id order, in publication order in a rebuilt segment,
    /// so the period of the previous doc is usually this one's and is not computed again.
    static func countPeriods(_ seg: Segment, _ docs: [UInt32], _ range: IndexPeriodRange, into counts: inout [Int]) {
        var lastDay: Int32 = .min, slot = -1
        let n = counts.count
        counts.withUnsafeMutableBufferPointer { c in
            seg.days.withUnsafeBufferPointer { days in
                for d in docs {
                    let day = days[Int(d)]
                    if day != lastDay {
                        lastDay = day
                        slot = Int(range.period.of(days: day)) - Int(range.first)
                    }
                    if slot >= 0 && slot < n { c[slot] += 1 }
                }
            }
        }
    }

    /// Every live document passing `filter`, per period of `range`: the denominator of a
    /// timeline's ratios (how many releases a period has at all, so a busy month does not look
    /// like attention).
    package static func periodTotals(_ snapshot: IndexSnapshot, _ range: IndexPeriodRange, filter: IndexFilter) -> [Int] {
        var counts = [Int](repeating: 0, count: range.count)
        for part in snapshot.parts {
            let accepted = part.accepted(by: filter)
            Self.countPeriods(part.segment, accepted.members(), range, into: &counts)
        }
        return counts
    }

    /// The relevance of each of `docs` (a segment's matches, ascending), summed leaf by leaf: one
    /// merge of the leaf's matches with the docs each, so a doc's score costs no per-leaf lookups
    /// (copying a leaf's match lists per doc was a third of a one-word search's time).
    static func scores(_ e: SegmentEvaluator, _ docs: [UInt32], idf: [Double], wholeKnown: [Bool],
                       avgLength: Double, avgTitle: Double) -> [Double] {
        let seg = e.segment
        var scores = [Double](repeating: 0, count: docs.count)
        for (i, leaf) in e.matches.enumerated() {
            guard let m = leaf else { continue }
            let w = idf[i]
            let whole = wholeKnown[i] ? m.whole : nil
            var j = 0
            for (k, d) in docs.enumerated() {
                while j < m.docs.count && m.docs[j] < d { j += 1 }
                if j == m.docs.count { break }
                guard m.docs[j] == d else { continue }
                let di = Int(d)
                let norm = 1 - b + b * Double(seg.streamLengths[di]) / avgLength
                let tf = Double(m.title[j] + m.body[j])
                var titlePart = 0.0
                if m.title[j] > 0 {
                    let titleNorm = 1 - titleB + titleB * Double(seg.titleLengths[di]) / avgTitle
                    titlePart = titleBoost + titleLengthBoost * (k1 + 1) / (1 + k1 * titleNorm)
                }
                scores[k] += w * (tf * (k1 + 1) / (tf + k1 * norm) + titlePart)
                if let whole, whole[j] > 0 { scores[k] += w * wholeBoost }
            }
        }
        return scores
    }
}

extension Searcher {
    /// Each segment's evaluation (its matching docs and leaf matches), in segment order. Segments
    /// are independent (immutable bytes, an evaluator each), so with `parallelism` > 1 they are
    /// spread over that many threads; the caller's thread takes a share too.
    static func evaluate(_ snapshot: IndexSnapshot, _ request: IndexSearchRequest, whole: SegmentEvaluator.WholeWords,
                         parallelism: Int,
                         cancelled: @escaping @Sendable () -> Bool) throws(IndexError) -> [(SegmentEvaluator, [UInt32])] {
        let parts = snapshot.parts
        @Sendable func one(_ i: Int) throws(IndexError) -> (SegmentEvaluator, [UInt32]) {
            let part = parts[i]
            let e = SegmentEvaluator(segment: part.segment, query: request.query, accepted: part.accepted(by: request.filter),
                                     whole: whole, cancelled: cancelled)
            return (e, try e.evaluate(request.query.root, within: nil))
        }
        let workers = min(max(parallelism, 1), parts.count)
        guard workers > 1 else { return try parts.indices.map { (i) throws(IndexError) in try one(i) } }
        let results = Results(count: parts.count)
        // Work is taken one segment at a time from a shared counter, so a big segment does not
        // leave the other thread idle.
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let i = results.claim() {
                do throws(IndexError) { results.put(i, .success(try one(i))) } catch { results.put(i, .failure(error)) }
            }
        }
        return try results.values()
    }

    /// Slots filled by the worker threads of one evaluation.
    final class Results: @unchecked Sendable {
        // @unchecked: every field is only touched under `lock`.
        private let lock = NSLock()
        private var next = 0
        private var slots: [Result<(SegmentEvaluator, [UInt32]), IndexError>?]

        init(count: Int) { slots = Array(repeating: nil, count: count) }

        func claim() -> Int? {
            lock.lock(); defer { lock.unlock() }
            guard next < slots.count else { return nil }
            next += 1
            return next - 1
        }

        func put(_ i: Int, _ r: Result<(SegmentEvaluator, [UInt32]), IndexError>) {
            lock.lock(); slots[i] = r; lock.unlock()
        }

        func values() throws(IndexError) -> [(SegmentEvaluator, [UInt32])] {
            lock.lock(); defer { lock.unlock() }
            return try slots.map { (r) throws(IndexError) in try r!.get() }
        }
    }
}
