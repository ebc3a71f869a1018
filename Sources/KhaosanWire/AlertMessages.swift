// Swift mirrors of alerts.proto (issue 17: saved searches and watches). Plain values; the
// conversions are generated (scripts/gen-wire.py, Generated/AlertsWire.swift).
package import KhaosanModel

package struct SavedSearch: Sendable, Hashable {
    package var name: String
    package var query: String
    package var from: CivilDate?
    package var to: CivilDate?
    package var categories: [String]
    /// nil: any language.
    package var language: Language?
    package var wholeWords: Bool
    /// The last position `saved run` reported; 0 when never run.
    package var lastRunPosition: UInt64
    package var createdAtUnixMs: Int64

    package init(name: String = "", query: String = "", from: CivilDate? = nil, to: CivilDate? = nil, categories: [String] = [],
                 language: Language? = nil, wholeWords: Bool = false, lastRunPosition: UInt64 = 0, createdAtUnixMs: Int64 = 0) {
        self.name = name
        self.query = query
        self.from = from
        self.to = to
        self.categories = categories
        self.language = language
        self.wholeWords = wholeWords
        self.lastRunPosition = lastRunPosition
        self.createdAtUnixMs = createdAtUnixMs
    }
}

package struct SaveSearchRequest: Sendable, Hashable {
    package var search: SavedSearch
    package var replace: Bool
    package init(search: SavedSearch = SavedSearch(), replace: Bool = false) {
        self.search = search
        self.replace = replace
    }
}

package struct SaveSearchResponse: Sendable, Hashable {
    package var search: SavedSearch
    package init(search: SavedSearch = SavedSearch()) { self.search = search }
}

package struct ListSavedSearchesRequest: Sendable, Hashable {
    /// Empty: all of the caller's.
    package var name: String
    package init(name: String = "") { self.name = name }
}

package struct ListSavedSearchesResponse: Sendable, Hashable {
    package var searches: [SavedSearch]
    package init(searches: [SavedSearch] = []) { self.searches = searches }
}

package struct DeleteSavedSearchRequest: Sendable, Hashable {
    package var name: String
    package init(name: String = "") { self.name = name }
}

package struct DeleteSavedSearchResponse: Sendable, Hashable {
    package init() {}
}

/// A release that matched, at its applied position.
package struct WatchEvent: Sendable, Hashable {
    package var position: UInt64
    package var id: Int64
    package var title: String
    package var published: CivilDate
    package var category: Category
    package var language: Language
    package var snippet: String
    package var sourceURL: String
    /// A new version of a release stored before.
    package var updated: Bool

    package init(position: UInt64, id: Int64, title: String, published: CivilDate, category: Category, language: Language,
                 snippet: String = "", sourceURL: String = "", updated: Bool = false) {
        self.position = position
        self.id = id
        self.title = title
        self.published = published
        self.category = category
        self.language = language
        self.snippet = snippet
        self.sourceURL = sourceURL
        self.updated = updated
    }
}

package struct RunSavedSearchRequest: Sendable, Hashable {
    package var name: String
    package var sinceLast: Bool
    /// 0: 1,000.
    package var limit: UInt32
    package init(name: String = "", sinceLast: Bool = false, limit: UInt32 = 0) {
        self.name = name
        self.sinceLast = sinceLast
        self.limit = limit
    }
}

package struct RunSavedSearchResponse: Sendable, Hashable {
    package var events: [WatchEvent]
    package var fromPosition: UInt64
    package var toPosition: UInt64
    package var more: Bool
    package init(events: [WatchEvent] = [], fromPosition: UInt64 = 0, toPosition: UInt64 = 0, more: Bool = false) {
        self.events = events
        self.fromPosition = fromPosition
        self.toPosition = toPosition
        self.more = more
    }
}

package struct WatchRequest: Sendable, Hashable {
    package var query: String
    /// A saved search's name; then query and filters are not used.
    package var saved: String
    package var from: CivilDate?
    package var to: CivilDate?
    package var categories: [String]
    package var language: Language?
    package var wholeWords: Bool
    /// Replay the matches after this position first.
    package var fromPosition: UInt64?
    /// Without `fromPosition`: every existing match first.
    package var existing: Bool

    package init(query: String = "", saved: String = "", from: CivilDate? = nil, to: CivilDate? = nil, categories: [String] = [],
                 language: Language? = nil, wholeWords: Bool = false, fromPosition: UInt64? = nil, existing: Bool = false) {
        self.query = query
        self.saved = saved
        self.from = from
        self.to = to
        self.categories = categories
        self.language = language
        self.wholeWords = wholeWords
        self.fromPosition = fromPosition
        self.existing = existing
    }
}

package struct WatchMessage: Sendable, Hashable {
    package enum Kind: Sendable, Hashable { case event, live }
    package var kind: Kind
    package var event: WatchEvent?
    package var position: UInt64
    package init(kind: Kind = .event, event: WatchEvent? = nil, position: UInt64 = 0) {
        self.kind = kind
        self.event = event
        self.position = position
    }
}
