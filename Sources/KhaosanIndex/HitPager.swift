/// Pages through every hit of a query over one snapshot in publication order (day, then release
/// id), a page at a time, for exports without a cap. Each page is a keyset page: the hits after
/// the previous page's last one, found by evaluating the query again over the segments that can
/// still hold such hits, one segment at a time, keeping at most twice the page's size of
/// candidates. So memory is bounded by the page and by one segment's matches, never by the
/// number of hits (a search's top-k would gather every hit past 256 and sort them); and because
/// the snapshot is held for the whole export, a release changed meanwhile is neither skipped nor
/// sent twice.
///
/// Segments whose last day is before the cursor are skipped, and so are those whose first day is
/// after the page's last candidate once the page is full: a rebuilt index is in publication
/// order, so a page usually evaluates one or two segments, and the whole export costs about one
/// evaluation of the query, not one per page.
package struct HitPager: Sendable {
    package let snapshot: IndexSnapshot
    /// nil: every live document passing the filter (an export of the archive, or of a date range).
    let query: IndexQuery?
    let filter: IndexFilter
    /// Per part: the first and last day of its live documents (first > last when it has none).
    private let firstDays: [Int32]
    private let lastDays: [Int32]

    /// Where a page starts: after this hit.
    package struct Cursor: Sendable, Hashable {
        package var days: Int32
        package var releaseID: Int64
        package init(days: Int32, releaseID: Int64) {
            self.days = days
            self.releaseID = releaseID
        }
    }

    package init(snapshot: IndexSnapshot, query: IndexQuery?, filter: IndexFilter) {
        self.snapshot = snapshot
        self.query = query
        self.filter = filter
        var firsts: [Int32] = [], lasts: [Int32] = []
        for part in snapshot.parts {
            var first = Int32.max, last = Int32.min
            let days = part.segment.days
            for d in 0..<part.segment.docCount where part.live.contains(d) {
                first = min(first, days[d])
                last = max(last, days[d])
            }
            firsts.append(first)
            lasts.append(last)
        }
        firstDays = firsts
        lastDays = lasts
    }

    /// Every hit of the query passing the filter: what the pages add up to.
    package func total(cancelled: @escaping @Sendable () -> Bool) throws(IndexError) -> Int {
        guard let query else { return snapshot.parts.reduce(0) { $0 + $1.accepted(by: filter).popCount } }
        return try Searcher.search(snapshot, IndexSearchRequest(query: query, filter: filter, limit: 0),
                                   parallelism: Searcher.defaultParallelism, cancelled: cancelled).total
    }

    /// The next `limit` hits after `cursor` (from the first hit when nil), in (day, release id)
    /// order; fewer only at the end. Hits carry score 0.
    package func page(after cursor: Cursor?, limit: Int, cancelled: @escaping @Sendable () -> Bool) throws(IndexError) -> [IndexHit] {
        let limit = max(limit, 1)
        var f = filter
        if let cursor { f.fromDays = max(f.fromDays ?? .min, cursor.days) }
        var best: [IndexHit] = []
        best.reserveCapacity(2 * limit)
        // Once `best` has been cut to `limit`, its last key: nothing at or after it can enter.
        var bound: Cursor?
        func cut() {
            best.sort { ($0.days, $0.releaseID) < ($1.days, $1.releaseID) }
            if best.count >= limit {
                best.removeSubrange(limit...)
                bound = Cursor(days: best[limit - 1].days, releaseID: best[limit - 1].releaseID)
            }
        }
        for (i, part) in snapshot.parts.enumerated() {
            if firstDays[i] > lastDays[i] { continue }
            if let cursor, lastDays[i] < cursor.days { continue }
            if let bound, firstDays[i] > bound.days { continue }
            let accepted = part.accepted(by: f)
            let docs: [UInt32]
            if let query {
                // Date order: no score, so whole words are never looked at.
                let e = SegmentEvaluator(segment: part.segment, query: query, accepted: accepted, whole: .unneeded, cancelled: cancelled)
                docs = try e.evaluate(query.root, within: nil)
            } else {
                docs = accepted.members()
            }
            let seg = part.segment
            for d in docs {
                let key = Cursor(days: seg.days[Int(d)], releaseID: seg.releaseIDs[Int(d)])
                if let cursor, (key.days, key.releaseID) <= (cursor.days, cursor.releaseID) { continue }
                if let bound, (key.days, key.releaseID) >= (bound.days, bound.releaseID) { continue }
                best.append(IndexHit(releaseID: key.releaseID, score: 0, days: key.days))
                if best.count >= 2 * limit { cut() }
            }
            if cancelled() { throw IndexError.cancelled }
        }
        cut()
        return best
    }
}
