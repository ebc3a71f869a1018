package import KhaosanModel

/// A search request as the query service receives it.
package struct SearchQuery: Sendable, Hashable {
    package enum Sort: String, Sendable, Hashable { case relevance, newest, oldest }

    /// The largest page: 1,000 hits (the CLI's `--limit` accepts as much).
    package static let maxLimit = 1_000
    /// The deepest page start.
    package static let maxOffset = 100_000

    package var text: String
    package var from: CivilDate?
    package var to: CivilDate?
    /// Category names or slugs; a release matches when its name or its slug is listed.
    package var categories: [String]
    package var language: Language?
    package var sort: Sort
    /// Clamped to 1...maxLimit.
    package var limit: Int
    package var offset: Int
    package var facets: Bool
    /// When the caller stops waiting; the search stops there (and at `ReleaseStore.searchTimeLimit`).
    package var deadline: ContinuousClock.Instant?
    /// Every term matches whole words only (as if each were written `=term`).
    package var wholeWords: Bool

    package init(
        text: String, from: CivilDate? = nil, to: CivilDate? = nil, categories: [String] = [],
        language: Language? = nil, sort: Sort = .relevance, limit: Int = 10, offset: Int = 0, facets: Bool = false,
        deadline: ContinuousClock.Instant? = nil, wholeWords: Bool = false
    ) {
        self.deadline = deadline
        self.wholeWords = wholeWords
        self.text = text
        self.from = from
        self.to = to
        self.categories = categories
        self.language = language
        self.sort = sort
        self.limit = limit
        self.offset = offset
        self.facets = facets
    }
}

package struct SearchResultHit: Sendable, Hashable {
    package var id: Int64
    package var title: String
    package var published: CivilDate
    package var category: Category
    package var language: Language
    /// Higher is better (BM25); 0 when the sort is by date.
    package var score: Double
    /// Exact characters of the stored body around the first match (the title when only the title
    /// matches), with "…" where cut.
    package var snippet: String
    /// UTF-8 byte ranges into `snippet`, sorted, non-overlapping.
    package var highlights: [Range<Int>]
    package var sourceURL: String
}

package struct SearchResults: Sendable, Hashable {
    package var hits: [SearchResultHit]
    /// Number of releases matching text and filters (all pages).
    package var total: Int
    /// Only filled when the query asked for facets; sorted by count descending, then key.
    package var categoryFacets: [StoreFacet]
    /// Only filled when the query asked for facets; sorted by month ascending.
    package var monthFacets: [StoreFacet]
    package var tookMicros: Int64
    /// Only when nothing matched: nearby queries that match (key: the query, label: the
    /// corrected term, count: its total).
    package var suggestions: [StoreFacet] = []
}

package struct QuerySyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    package var message: String
    /// 0-based character offset into the query text.
    package var position: Int

    package init(message: String, position: Int) {
        self.message = message
        self.position = position
    }

    package var description: String { "query syntax error at character \(position): \(message)" }
}

package struct ApplyOutcome: Sendable, Hashable {
    package var inserted = 0
    /// Known id with a new content hash: stored as a new version.
    package var updated = 0
    /// Known id with the same content hash: nothing written.
    package var duplicates = 0
    /// Sequence at or below the stored position for the source: already applied.
    package var skipped = 0
    /// The position stored for the source after this batch.
    package var appliedSequence: UInt64 = 0

    package init() {}
}

package struct StoredVersion: Sendable, Hashable {
    package var version: Int
    package var contentHash: String
    /// Unix time in milliseconds.
    package var storedAt: Int64
    package var release: Release
}

package struct StoredRelease: Sendable, Hashable {
    package var release: Release
    /// 1 for the first stored content, +1 for each change.
    package var version: Int
    package var storedAt: Int64
    /// All versions, oldest first, the current one last; empty unless asked for.
    package var versions: [StoredVersion]
}

package struct ArchiveStats: Sendable, Hashable {
    package var releases: Int
    /// Current versions plus superseded ones.
    package var versions: Int
    /// Database file, its WAL and the search index's files, on disk.
    package var databaseBytes: UInt64
    /// UTF-8 bytes of the current titles and bodies.
    package var textBytes: UInt64
    package var firstPublished: CivilDate?
    package var lastPublished: CivilDate?
    package var categories: [StoreFacet]
    package var languages: [StoreFacet]
}
