import GRDB
import KhaosanIndex
import KhaosanModel

extension ReleaseStore {
    /// Rewrites every stored (name, slug) that differs from what `CategoryCatalog` now gives
    /// its name. Idempotent; the migration v4 runs it once.
    static func normaliseStoredCategories(_ db: Database) throws {
        let pairs = try Row.fetchAll(db, sql: "SELECT DISTINCT category_name, category_slug FROM releases")
        for row in pairs {
            let name: String = row[0], slug: String? = row[1]
            let c = CategoryCatalog.category(named: name)
            guard c.name != name || c.slug != slug else { continue }
            try db.execute(sql: "UPDATE releases SET category_name = ?, category_slug = ? WHERE category_name = ? AND category_slug IS ?",
                           arguments: [c.name, c.slug, name, slug])
        }
    }

    /// Counts per category, merged by normalised category (one slug, one row) and sorted, most
    /// first. Rows stored before the normalisation (or facets of index segments written then)
    /// fold into their category here.
    static func mergedCategories(_ rows: [(Category, Int)]) -> [StoreFacet] {
        var merged: [String: StoreFacet] = [:]
        var normalised: [String: Category] = [:]
        for (raw, n) in rows {
            let c = normalised[raw.name] ?? CategoryCatalog.normalised(raw)
            normalised[raw.name] = c
            let key = c.slug ?? c.name
            merged[key, default: StoreFacet(key: key, label: c.name, count: 0)].count += n
        }
        return sortFacets(Array(merged.values))
    }

    /// The categories the archive's index holds, normalised, with every (name, slug) spelling
    /// under which its documents were indexed: a segment written before names were normalised
    /// still carries the names as found.
    static func indexedCategories(_ snapshot: IndexSnapshot) -> [String: (category: Category, spellings: Set<String>)] {
        var raw = Set<String>()
        var slugsByName: [String: Set<String>] = [:]
        for part in snapshot.parts {
            for c in part.segment.categories {
                raw.insert(c.name)
                if let s = c.slug { slugsByName[c.name, default: []].insert(s) }
            }
        }
        var out: [String: (category: Category, spellings: Set<String>)] = [:]
        for name in raw {
            let c = CategoryCatalog.category(named: name)
            let key = c.slug ?? c.name
            var entry = out[key] ?? (c, [])
            entry.spellings.insert(name)
            entry.spellings.formUnion(slugsByName[name] ?? [])
            if let s = c.slug { entry.spellings.insert(s) }
            entry.spellings.insert(c.name)
            out[key] = entry
        }
        return out
    }

    /// The index filter's category set for the values a caller typed: each value must name a
    /// category of the archive (by slug or by a spelling of its name) or one the catalogue
    /// knows; it stands for every spelling its documents were indexed under. Checked here, on
    /// the server, so every client gets the same answer; an unknown value is an
    /// `UnknownCategoryError` suggesting the closest categories the archive has.
    static func categoryFilter(_ values: [String], _ snapshot: IndexSnapshot) throws(UnknownCategoryError) -> Set<String> {
        guard !values.isEmpty else { return [] }
        let indexed = indexedCategories(snapshot)
        let archive = indexed.values.map(\.category)
        var out = Set<String>()
        for v in values {
            if let c = CategoryMatcher.match(v, in: archive), let entry = indexed[c.slug ?? c.name] {
                out.formUnion(entry.spellings)
            } else if let known = CategoryCatalog.resolve(v) {
                // Known but not (yet) in the archive: a valid filter that matches nothing.
                out.insert(known.name)
                if let s = known.slug { out.insert(s) }
            } else {
                let candidates = archive.isEmpty
                    ? Array(Dictionary(CategoryCatalog.known.map { ($0.slug ?? $0.name, CategoryCatalog.normalised($0)) }, uniquingKeysWith: { a, _ in a }).values)
                    : archive
                throw UnknownCategoryError(value: v, suggestions: CategoryMatcher.closest(to: v, among: candidates))
            }
        }
        return out
    }

    /// Category facets of the index, merged by normalised category.
    static func categoryFacets(_ facets: [IndexFacet]) -> [StoreFacet] {
        mergedCategories(facets.map { (Category(name: $0.label, slug: $0.key == $0.label ? nil : $0.key), $0.count) })
    }
}
