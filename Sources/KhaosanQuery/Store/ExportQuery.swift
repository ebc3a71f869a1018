package import KhaosanModel

/// An export as the query service receives it: every hit of a query (or, with an empty query,
/// every release) passing the search filters.
package struct ExportQuery: Sendable, Hashable {
    /// Hits looked up in the index per page (a keyset page, see `HitPager`): 16 bytes each.
    package static let pageHits = 1_024

    /// The search query language; empty (or only spaces): every release passing the filters.
    package var text: String
    package var from: CivilDate?
    package var to: CivilDate?
    package var categories: [String]
    package var language: Language?
    package var wholeWords: Bool

    package init(text: String, from: CivilDate? = nil, to: CivilDate? = nil, categories: [String] = [],
                 language: Language? = nil, wholeWords: Bool = false) {
        self.text = text
        self.from = from
        self.to = to
        self.categories = categories
        self.language = language
        self.wholeWords = wholeWords
    }
}
