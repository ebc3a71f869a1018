/// A parsed query as the index evaluates it. Leaves are phrases: search scalars that must occur
/// consecutively in the title or the body (`KhaosanThai.SearchText` makes both sides). Each leaf
/// carries its index in `IndexQuery.leaves`, so results can say which leaf matched.
package indirect enum QueryNode: Sendable, Hashable {
    case phrase(Int)
    case and([QueryNode])
    case or([QueryNode])
    /// Only as a member of `and`: documents matching the rest and not this.
    case not(QueryNode)
}

package struct IndexQuery: Sendable, Hashable {
    package var root: QueryNode
    package var leaves: [[UInt32]]
    /// Per leaf: only whole-word occurrences count (`=ยา` finds ยา the word, not ยาง). Empty:
    /// none is restricted.
    package var wholeWords: [Bool]

    package init(root: QueryNode, leaves: [[UInt32]], wholeWords: [Bool] = []) {
        self.root = root
        self.leaves = leaves
        self.wholeWords = wholeWords
    }

    package func isWholeWord(_ leaf: Int) -> Bool { leaf < wholeWords.count && wholeWords[leaf] }

    /// One phrase.
    package init(phrase: [UInt32]) {
        self.init(root: .phrase(0), leaves: [phrase])
    }
}

/// Filters applied while the matches are enumerated.
package struct IndexFilter: Sendable, Hashable {
    package var fromDays: Int32?
    package var toDays: Int32?
    /// Category names or slugs; a document matches when its name or slug is listed.
    package var categories: Set<String>
    package var language: UInt8?

    package init(fromDays: Int32? = nil, toDays: Int32? = nil, categories: Set<String> = [], language: UInt8? = nil) {
        self.fromDays = fromDays
        self.toDays = toDays
        self.categories = categories
        self.language = language
    }
}

package enum IndexSort: Sendable, Hashable { case relevance, newest, oldest }

package struct IndexSearchRequest: Sendable, Hashable {
    package var query: IndexQuery
    package var filter: IndexFilter
    package var sort: IndexSort
    package var offset: Int
    package var limit: Int
    package var facets: Bool
    /// When set, matches are also counted per period of the range (a timeline): a facet by
    /// date, in `IndexSearchResult.periodCounts`.
    package var periods: IndexPeriodRange?

    package init(query: IndexQuery, filter: IndexFilter = IndexFilter(), sort: IndexSort = .relevance,
                 offset: Int = 0, limit: Int = 10, facets: Bool = false, periods: IndexPeriodRange? = nil) {
        self.periods = periods
        self.query = query
        self.filter = filter
        self.sort = sort
        self.offset = offset
        self.limit = limit
        self.facets = facets
    }
}

package struct IndexHit: Sendable, Hashable {
    package var releaseID: Int64
    package var score: Double
    package var days: Int32
}

package struct IndexFacet: Sendable, Hashable {
    package var key: String
    package var label: String
    package var count: Int
}

package struct IndexSearchResult: Sendable, Hashable {
    package var total: Int
    package var hits: [IndexHit]
    /// By category (key: slug, else name), sorted by count descending then key; empty without facets.
    package var categories: [IndexFacet]
    /// By month, key `YYYY-MM`, ascending.
    package var months: [IndexFacet]
    /// By language ordinal, as decimal strings.
    package var languages: [IndexFacet]
    /// Matches per period of the request's range, in order (0 for a period without any);
    /// empty when the request asked for none. Matches outside the range are not counted.
    package var periodCounts: [Int] = []
}
