extension IndexSnapshot {
    /// A snapshot of just these documents, in one memory segment (later copies of a release
    /// masking earlier ones, as in the index): what the query service matches a freshly applied
    /// batch against, so that standing queries (watches, saved searches) are evaluated over the
    /// batch rather than over the archive (a percolator).
    package static func batch(_ docs: [IndexDocument]) -> IndexSnapshot {
        guard !docs.isEmpty else { return make([]) }
        var b = SegmentBuilder()
        for d in docs { b.add(d) }
        return make([Segment(storage: SegmentStorage(bytes: (consume b).build(hotMinimumDocs: Int.max)))])
    }

    /// The same over a segment built already: the memory segment `SearchIndex.add` made of the
    /// batch (the percolator used to build a second copy of it; a tenth of an ingest's CPU with
    /// a thousand saved searches).
    package static func of(_ segment: Segment) -> IndexSnapshot { make([segment]) }
}
