// Swift mirrors of export.proto (issue 16, item 3). Plain values; the conversions are generated
// (scripts/gen-wire.py, Generated/ExportWire.swift).
package import KhaosanModel

package struct ExportRequest: Sendable, Hashable {
    package var query: String
    package var from: CivilDate?
    package var to: CivilDate?
    package var categories: [String]
    package var language: Language?
    package var wholeWords: Bool
    /// Rows carry the body.
    package var fullText: Bool
    /// Old versions too, each a row of its own.
    package var versions: Bool

    package init(query: String = "", from: CivilDate? = nil, to: CivilDate? = nil, categories: [String] = [],
                 language: Language? = nil, wholeWords: Bool = false, fullText: Bool = false, versions: Bool = false) {
        self.query = query
        self.from = from
        self.to = to
        self.categories = categories
        self.language = language
        self.wholeWords = wholeWords
        self.fullText = fullText
        self.versions = versions
    }
}

package struct ExportRow: Sendable, Hashable {
    package var id: Int64
    package var version: UInt32
    /// False for a superseded version.
    package var current: Bool
    package var published: CivilDate
    package var category: Category
    package var language: Language
    package var title: String
    package var sourceURL: String
    /// The paragraphs joined by newlines; empty unless the request asked for full text.
    package var body: String

    package init(id: Int64, version: UInt32, current: Bool, published: CivilDate, category: Category,
                 language: Language, title: String, sourceURL: String, body: String) {
        self.id = id
        self.version = version
        self.current = current
        self.published = published
        self.category = category
        self.language = language
        self.title = title
        self.sourceURL = sourceURL
        self.body = body
    }
}

package struct ExportResponse: Sendable, Hashable {
    /// Releases matching when the export started.
    package var total: UInt64
    package var rows: [ExportRow]

    package init(total: UInt64 = 0, rows: [ExportRow] = []) {
        self.total = total
        self.rows = rows
    }
}
