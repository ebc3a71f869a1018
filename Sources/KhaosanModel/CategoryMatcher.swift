/// Which category a typed `--category` value means among those an archive holds, and, when it
/// means none, the closest ones to suggest instead.
package enum CategoryMatcher {
    /// The archive category `typed` names: by slug, by any known spelling of its name, or by its
    /// normalised name (`CategoryCatalog.category(named:)`), case and a final dot aside. Nil when
    /// none of `categories` is meant.
    package static func match(_ typed: String, in categories: [Category]) -> Category? {
        let lowered = CategoryCatalog.trimmedName(typed).lowercased()
        let meant = CategoryCatalog.resolve(typed) ?? CategoryCatalog.category(named: typed)
        return categories.first { c in
            (c.slug != nil && (c.slug == meant.slug || c.slug == lowered)) || CategoryCatalog.matchingKey(c.name) == CategoryCatalog.matchingKey(typed)
        }
    }

    /// Up to `limit` categories closest to `typed`, closest first: the distance is the fewest
    /// scalar edits (`EditDistance`) to the category's slug or to its name, compared as
    /// matching keys; a value that is part of a slug or name (`cabinet`, `เศรษฐกิจ`) counts as
    /// distance 0. Only those within about 40% of the typed length (at least 2 edits) are
    /// offered: past that a "suggestion" is noise.
    package static func closest(to typed: String, among categories: [Category], limit: Int = 3) -> [Category] {
        let t = CategoryCatalog.matchingKey(typed)
        guard !t.isEmpty else { return [] }
        let tLength = t.unicodeScalars.count
        let allowed = max(2, tLength * 2 / 5)
        var scored: [(Int, Category)] = []
        for c in categories {
            var keys = [CategoryCatalog.matchingKey(c.name)]
            if let slug = c.slug { keys.append(slug) }
            var best = Int.max
            for k in keys where !k.isEmpty {
                if tLength >= 2 && (k.contains(t) || t.contains(k)) { best = 0; break }
                best = min(best, EditDistance.levenshtein(t, k))
            }
            if best <= allowed { scored.append((best, c)) }
        }
        scored.sort { ($0.0, $0.1.slug ?? $0.1.name) < ($1.0, $1.1.slug ?? $1.1.name) }
        return scored.prefix(limit).map(\.1)
    }
}
