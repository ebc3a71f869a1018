import Synchronization

/// Recent query results (ids and scores of the first `depth` matches, the total and the facets),
/// so that the next page of a query, or a popular query, does not evaluate the FTS5 expression
/// again: with bigram tokens that evaluation is the whole cost of a search. Every apply bumps the
/// generation, which retires all entries.
final class ResultCache: Sendable {
    struct Entry: Sendable {
        var ranked: [(Int64, Double)]
        var total: Int
        var categoryFacets: [FacetCount]
        var monthFacets: [FacetCount]
        var generation: UInt64
    }

    static let depth = 1000
    static let capacity = 256

    private struct State {
        var generation: UInt64 = 0
        var entries: [SearchQuery: Entry] = [:]
    }

    private let state = Mutex(State())

    /// The query with paging removed: the cache key.
    static func key(_ q: SearchQuery) -> SearchQuery {
        var k = q
        k.limit = 0
        k.offset = 0
        return k
    }

    var generation: UInt64 { state.withLock { $0.generation } }

    func get(_ key: SearchQuery) -> Entry? {
        state.withLock { s in
            guard let e = s.entries[key], e.generation == s.generation else { return nil }
            return e
        }
    }

    func put(_ key: SearchQuery, _ entry: Entry) {
        state.withLock { s in
            guard entry.generation == s.generation else { return }
            // Evicts an arbitrary entry (hash order): bounded (<= capacity x depth ids) and cheap.
            if s.entries.count >= Self.capacity, s.entries[key] == nil { s.entries.remove(at: s.entries.startIndex) }
            s.entries[key] = entry
        }
    }

    func invalidate() {
        state.withLock { s in
            s.generation &+= 1
            s.entries.removeAll()
        }
    }
}
