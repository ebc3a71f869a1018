// Swift mirrors of query.proto. Plain values; their conversions are generated (Generated/QueryWire.swift),
// following the conventions in scripts/gen-wire.py; StatsResponse's is in Mappings/.
package import KhaosanModel

package struct SearchRequest: Sendable, Hashable {
    package enum Sort: Sendable, Hashable { case relevance, newest, oldest }
    /// Free text: words, "exact phrases", AND / OR / NOT, parentheses.
    package var query: String
    /// Inclusive bounds on the publication day (proto: has_from / from_days).
    package var from: CivilDate?
    package var to: CivilDate?
    /// Category names or slugs; any of them matches.
    package var categories: [String]
    /// nil: any language (LANGUAGE_UNSPECIFIED).
    package var language: Language?
    package var sort: Sort
    /// 0: the server's default.
    package var limit: UInt32
    package var offset: UInt32
    package var facets: Bool
    /// Every term matches whole words only.
    package var wholeWords: Bool
    /// One hit per near-duplicate group (the others in `SearchHit.alsoPublishedAs`).
    package var collapse: Bool

    package init(
        query: String = "", from: CivilDate? = nil, to: CivilDate? = nil, categories: [String] = [],
        language: Language? = nil, sort: Sort = .relevance, limit: UInt32 = 0, offset: UInt32 = 0, facets: Bool = false,
        wholeWords: Bool = false, collapse: Bool = false
    ) {
        self.wholeWords = wholeWords
        self.collapse = collapse
        self.query = query
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

/// UTF-8 byte offsets into a snippet.
package struct Highlight: Sendable, Hashable {
    package var start: UInt32
    package var end: UInt32
    package init(start: UInt32, end: UInt32) {
        self.start = start
        self.end = end
    }
}

package struct SearchHit: Sendable, Hashable {
    package var id: Int64
    package var title: String
    package var published: CivilDate
    package var category: Category
    package var language: Language
    package var score: Double
    /// Original text around the match, no inserted spaces.
    package var snippet: String
    package var highlights: [Highlight]
    package var sourceURL: String
    /// With a collapsing search: the other releases of this hit's near-duplicate group.
    package var alsoPublishedAs: [Int64]

    package init(
        id: Int64, title: String, published: CivilDate, category: Category, language: Language,
        score: Double = 0, snippet: String = "", highlights: [Highlight] = [], sourceURL: String = "",
        alsoPublishedAs: [Int64] = []
    ) {
        self.alsoPublishedAs = alsoPublishedAs
        self.id = id
        self.title = title
        self.published = published
        self.category = category
        self.language = language
        self.score = score
        self.snippet = snippet
        self.highlights = highlights
        self.sourceURL = sourceURL
    }
}

package struct FacetCount: Sendable, Hashable {
    /// Category slug or name; month as YYYY-MM.
    package var key: String
    package var label: String
    package var count: UInt64
    package init(key: String, label: String = "", count: UInt64) {
        self.key = key
        self.label = label
        self.count = count
    }
}

package struct SearchResponse: Sendable, Hashable {
    package var hits: [SearchHit]
    package var total: UInt64
    package var categoryFacets: [FacetCount]
    package var monthFacets: [FacetCount]
    package var tookMicros: UInt64
    /// Only when `total` is 0: nearby queries that match (key: query, label: corrected term).
    package var suggestions: [FacetCount]
    package init(hits: [SearchHit] = [], total: UInt64 = 0, categoryFacets: [FacetCount] = [], monthFacets: [FacetCount] = [],
                 tookMicros: UInt64 = 0, suggestions: [FacetCount] = []) {
        self.hits = hits
        self.total = total
        self.categoryFacets = categoryFacets
        self.monthFacets = monthFacets
        self.tookMicros = tookMicros
        self.suggestions = suggestions
    }
}

package struct GetRequest: Sendable, Hashable {
    package var id: Int64
    package var includeVersions: Bool
    package init(id: Int64 = 0, includeVersions: Bool = false) {
        self.id = id
        self.includeVersions = includeVersions
    }
}

package struct ReleaseVersion: Sendable, Hashable {
    package var version: UInt32
    package var contentHash: String
    package var storedAtUnixMs: Int64
    /// Required on the wire: a version without its release is `.invalidValue`.
    package var release: Release
    package init(version: UInt32, contentHash: String, storedAtUnixMs: Int64, release: Release) {
        self.version = version
        self.contentHash = contentHash
        self.storedAtUnixMs = storedAtUnixMs
        self.release = release
    }
}

package struct GetResponse: Sendable, Hashable {
    /// The current version; nil when absent.
    package var release: Release?
    package var version: UInt32
    /// Oldest first, when asked for.
    package var versions: [ReleaseVersion]
    package init(release: Release? = nil, version: UInt32 = 0, versions: [ReleaseVersion] = []) {
        self.release = release
        self.version = version
        self.versions = versions
    }
}

package struct LatestRequest: Sendable, Hashable {
    package var limit: UInt32
    package init(limit: UInt32 = 0) { self.limit = limit }
}

package struct LatestResponse: Sendable, Hashable {
    package var hits: [SearchHit]
    package init(hits: [SearchHit] = []) { self.hits = hits }
}

package struct StatsRequest: Sendable, Hashable {
    package init() {}
}

package struct StatsResponse: Sendable, Hashable {
    package var version: String
    package var releases: UInt64
    package var versions: UInt64
    package var databaseBytes: UInt64
    package var textBytes: UInt64
    /// Earliest / latest publication day. The wire has no presence flag for these: they are
    /// sent as days (nil as 0) and decode as nil when `releases` is 0.
    package var first: CivilDate?
    package var last: CivilDate?
    package var categories: [FacetCount]
    package var languages: [FacetCount]
    package var appliedSequence: UInt64
    package var protobufCVersion: String

    package init(
        version: String = "", releases: UInt64 = 0, versions: UInt64 = 0, databaseBytes: UInt64 = 0, textBytes: UInt64 = 0,
        first: CivilDate? = nil, last: CivilDate? = nil, categories: [FacetCount] = [], languages: [FacetCount] = [],
        appliedSequence: UInt64 = 0, protobufCVersion: String = ""
    ) {
        self.version = version
        self.releases = releases
        self.versions = versions
        self.databaseBytes = databaseBytes
        self.textBytes = textBytes
        self.first = first
        self.last = last
        self.categories = categories
        self.languages = languages
        self.appliedSequence = appliedSequence
        self.protobufCVersion = protobufCVersion
    }
}

package struct BatchItem: Sendable, Hashable {
    /// Journal position in the sending ingester.
    package var sequence: UInt64
    /// Required on the wire.
    package var release: Release
    package init(sequence: UInt64, release: Release) {
        self.sequence = sequence
        self.release = release
    }
}

package struct ApplyBatchRequest: Sendable, Hashable {
    /// The ingester's journal id; positions are per source.
    package var source: String
    package var items: [BatchItem]
    package init(source: String = "", items: [BatchItem] = []) {
        self.source = source
        self.items = items
    }
}

package struct ApplyBatchResponse: Sendable, Hashable {
    package var appliedSequence: UInt64
    package var inserted: UInt32
    package var updated: UInt32
    package var duplicates: UInt32
    package init(appliedSequence: UInt64 = 0, inserted: UInt32 = 0, updated: UInt32 = 0, duplicates: UInt32 = 0) {
        self.appliedSequence = appliedSequence
        self.inserted = inserted
        self.updated = updated
        self.duplicates = duplicates
    }
}

package struct AppliedPositionRequest: Sendable, Hashable {
    package var source: String
    package init(source: String = "") { self.source = source }
}

package struct AppliedPositionResponse: Sendable, Hashable {
    package var appliedSequence: UInt64
    package init(appliedSequence: UInt64 = 0) { self.appliedSequence = appliedSequence }
}

package struct IntegrityCheckRequest: Sendable, Hashable {
    package init() {}
}

package struct IntegrityCheckResponse: Sendable, Hashable {
    package var ok: Bool
    package var detail: String
    package init(ok: Bool = false, detail: String = "") {
        self.ok = ok
        self.detail = detail
    }
}

package struct BackupRequest: Sendable, Hashable {
    /// Absolute path of the file to write (must not exist).
    package var path: String
    package init(path: String = "") { self.path = path }
}

package struct BackupResponse: Sendable, Hashable {
    package var bytes: UInt64
    package var releases: UInt64
    package init(bytes: UInt64 = 0, releases: UInt64 = 0) {
        self.bytes = bytes
        self.releases = releases
    }
}
