import KhaosanIndex
import KhaosanModel
import KhaosanWire

/// A query that keeps running (a watch or a saved search), compiled once: its tree and filters
/// as the index evaluates them, and the phrases its snippets are cut around.
struct StandingQuery: Sendable {
    var text: String
    var compiled: CompiledQuery
    var filter: IndexFilter

    init(text: String, from: CivilDate?, to: CivilDate?, categories: [String], language: Language?, wholeWords: Bool) throws(QuerySyntaxError) {
        self.text = text
        compiled = try QueryParser.compile(text, wholeWords: wholeWords)
        filter = IndexFilter(categories: Set(categories))
        if let from { filter.fromDays = Int32(clamping: from.daysSinceEpoch) }
        if let to { filter.toDays = Int32(clamping: to.daysSinceEpoch) }
        if let language { filter.language = ReleaseStore.languageCode(language) }
    }

    init(_ s: SavedSearch) throws(QuerySyntaxError) {
        try self.init(text: s.query, from: s.from, to: s.to, categories: s.categories, language: s.language, wholeWords: s.wholeWords)
    }

    /// Every match (no ranking needed: callers order by position).
    func request(limit: Int) -> IndexSearchRequest {
        IndexSearchRequest(query: compiled.index, filter: filter, sort: .oldest, limit: max(limit, 1))
    }

    /// The release ids of `snapshot` this query matches.
    func matchingIDs(_ snapshot: IndexSnapshot, cancelled: @escaping @Sendable () -> Bool = { false }) throws(IndexError) -> Set<Int64> {
        let r = try Searcher.search(snapshot, request(limit: snapshot.liveDocs), cancelled: cancelled)
        return Set(r.hits.map(\.releaseID))
    }

    func snippet(title: String, body: String) -> String {
        let needles = compiled.positivePhrases
        return (Snippet.make(text: body, needles: needles) ?? Snippet.make(text: title, needles: needles)
            ?? Snippet.opening(body.isEmpty ? title : body)).snippet
    }
}
