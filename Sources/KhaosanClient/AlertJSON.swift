import KhaosanModel
import KhaosanWire

/// The JSON shapes of saved searches and watch events (issue 17). Keys: add, never rename.
enum AlertJSON {
    /// An event: `position`, then the keys of a search hit (`id`, `title`, `published`,
    /// `published_thai`, `category`, `category_slug`, `language`, `snippet`, `source_url`), then
    /// `updated` (a new version of a release stored before).
    static func event(_ e: WatchEvent) -> JSONValue {
        .object([
            ("position", .uint(e.position)),
            ("id", .int(e.id)),
            ("title", .string(e.title)),
            ("published", .string(e.published.description)),
            ("published_thai", .string(ThaiCalendar.thaiShortForm(e.published))),
            ("category", .string(e.category.name)),
            ("category_slug", .string(e.category.slug)),
            ("language", .string(e.language.rawValue)),
            ("snippet", .string(e.snippet)),
            ("source_url", .string(e.sourceURL)),
            ("updated", .bool(e.updated)),
        ])
    }

    /// A saved search: `name`, `query`, `from`, `to` (YYYY-MM-DD or null), `categories`,
    /// `language` (null: any), `whole_words`, `last_run_position`, `created_at`.
    static func saved(_ s: SavedSearch) -> JSONValue {
        .object([
            ("name", .string(s.name)),
            ("query", .string(s.query)),
            ("from", .string(s.from?.description)),
            ("to", .string(s.to?.description)),
            ("categories", .array(s.categories.map { .string($0) })),
            ("language", .string(s.language?.rawValue)),
            ("whole_words", .bool(s.wholeWords)),
            ("last_run_position", .uint(s.lastRunPosition)),
            ("created_at", .string(isoTimestamp(unixMillis: s.createdAtUnixMs))),
        ])
    }

    /// One line for a terminal: position, date, title, URL.
    static func line(_ e: WatchEvent) -> String {
        "#\(e.position)  \(e.published)  \(e.updated ? "[updated] " : "")\(e.title)  \(e.sourceURL)"
    }
}
