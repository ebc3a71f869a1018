/// What one search reads: the segments as they were when it started, each with the set of its
/// documents that are still current (a release's newest version lives in the newest segment that
/// has it; older copies are masked here, not rewritten).
package struct IndexSnapshot: Sendable {
    package var parts: [SnapshotPart]
    package var liveDocs: Int
    package var averageLength: Double
    package var averageTitleLength: Double
    /// The earliest and latest publication day of a live document (days since 1970-01-01); nil
    /// when there is none. A timeline without bounds spans them.
    package var firstDay: Int32?
    package var lastDay: Int32?

    init(parts: [SnapshotPart]) {
        self.parts = parts
        liveDocs = parts.reduce(0) { $0 + $1.liveCount }
        var length = 0, title = 0
        var first = Int32.max, last = Int32.min
        for p in parts {
            for d in 0..<p.segment.docCount where p.live.contains(d) {
                length += Int(p.segment.streamLengths[d])
                title += Int(p.segment.titleLengths[d])
                let day = p.segment.days[d]
                if day < first { first = day }
                if day > last { last = day }
            }
        }
        if first <= last { firstDay = first; lastDay = last }
        averageLength = liveDocs == 0 ? 1 : Double(length) / Double(liveDocs)
        averageTitleLength = liveDocs == 0 ? 1 : Double(title) / Double(liveDocs)
    }

    /// Masks every document whose release has a copy later in `segments` (newest last; inside a
    /// segment, the later doc wins).
    static func make(_ segments: [Segment]) -> IndexSnapshot {
        var seen = Set<Int64>()
        var parts: [SnapshotPart] = []
        for s in segments.reversed() {
            var live = Bitset(count: s.docCount)
            var n = 0
            for d in stride(from: s.docCount - 1, through: 0, by: -1) where seen.insert(s.releaseIDs[d]).inserted {
                live.insert(d)
                n += 1
            }
            parts.append(SnapshotPart(segment: s, live: live, liveCount: n))
        }
        return IndexSnapshot(parts: parts.reversed())
    }
}

package struct SnapshotPart: Sendable {
    package let segment: Segment
    let live: Bitset
    let liveCount: Int

    /// Live documents that pass the filter.
    func accepted(by f: IndexFilter) -> Bitset {
        if f.fromDays == nil && f.toDays == nil && f.categories.isEmpty && f.language == nil { return live }
        let s = segment
        var catOK: [Bool]? = nil
        if !f.categories.isEmpty {
            catOK = s.categories.map { f.categories.contains($0.name) || ($0.slug.map(f.categories.contains) ?? false) }
        }
        var out = live
        for d in 0..<s.docCount where out.contains(d) {
            let day = s.days[d]
            var ok = true
            if let from = f.fromDays, day < from { ok = false }
            if let to = f.toDays, day > to { ok = false }
            if ok, let l = f.language, s.languages[d] != l { ok = false }
            if ok, let c = catOK, !c[Int(s.categoryOf[d])] { ok = false }
            if !ok { out.remove(d) }
        }
        return out
    }
}
