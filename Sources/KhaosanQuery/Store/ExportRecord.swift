package import KhaosanModel

/// One exported row: a release's current version, or one of its stored old versions.
package struct ExportRecord: Sendable, Hashable {
    package var id: Int64
    package var version: Int
    package var current: Bool
    package var published: CivilDate
    package var category: Category
    package var language: Language
    package var title: String
    package var sourceURL: String
    /// The paragraphs joined by newlines; empty unless full text was asked for.
    package var body: String
}
