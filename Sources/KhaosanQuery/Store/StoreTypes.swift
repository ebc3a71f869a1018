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
    /// One hit per near-duplicate group, the best-ranked; its others in `alsoPublishedAs`.
    /// Covers the first `SearchQuery.maxLimit` hits.
    package var collapse: Bool

    package init(
        text: String, from: CivilDate? = nil, to: CivilDate? = nil, categories: [String] = [],
        language: Language? = nil, sort: Sort = .relevance, limit: Int = 10, offset: Int = 0, facets: Bool = false,
        deadline: ContinuousClock.Instant? = nil, wholeWords: Bool = false, collapse: Bool = false
    ) {
        self.collapse = collapse
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
    /// With `SearchQuery.collapse`: the other releases of its near-duplicate group.
    package var alsoPublishedAs: [Int64] = []
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

/// One run of a word diff (WordDiff): equal text, or text only the old or only the new has.
package struct WordEdit: Sendable, Hashable {
    package enum Kind: Sendable, Hashable { case equal, delete, insert }
    package var kind: Kind
    package var text: String

    package init(kind: Kind, text: String) {
        self.kind = kind
        self.text = text
    }
}

/// What changed between two stored versions of a release.
package struct VersionDiff: Sendable, Hashable {
    package var id: Int64
    package var old: StoredVersion
    package var new: StoredVersion
    /// How many versions the release has.
    package var versions: Int
    /// The title, every paragraph of either version, then published, category and source_url when they differ.
    package var fields: [FieldDiff]
}

/// One field of a VersionDiff.
package struct FieldDiff: Sendable, Hashable {
    /// "title", "paragraph", "published", "category", "source_url".
    package var name: String
    /// A paragraph's number (from 1) in the old and the new version; nil where it is absent.
    package var oldNumber: Int?
    package var newNumber: Int?
    package var edits: [WordEdit]

    package init(name: String, oldNumber: Int? = 1, newNumber: Int? = 1, edits: [WordEdit]) {
        self.name = name
        self.oldNumber = oldNumber
        self.newNumber = newNumber
        self.edits = edits
    }
}

/// A release or a version the caller named does not exist (NOT_FOUND).
package struct VersionNotFound: Error, Sendable, Hashable, CustomStringConvertible {
    package var message: String
    package init(_ message: String) { self.message = message }
    package var description: String { message }
}

package struct SimilarRelease: Sendable, Hashable {
    package var id: Int64
    package var title: String
    package var published: CivilDate
    package var category: Category
    /// MinHash estimate of the Jaccard similarity of the word 3-shingle sets.
    package var estimated: Double
    /// Exact Jaccard similarity, for the verified top hits.
    package var exact: Double?
    package var sameGroup: Bool
}

package struct SimilarReleases: Sendable, Hashable {
    /// The group of the release asked about (its own id when alone).
    package var group: Int64
    package var hits: [SimilarRelease]
    /// Releases sharing an LSH band with it.
    package var candidates: Int
}
