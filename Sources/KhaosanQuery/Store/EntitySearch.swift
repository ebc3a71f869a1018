import Foundation
import GRDB
import KhaosanIndex
import KhaosanModel
import KhaosanRPC
import KhaosanThai

/// Searches with `person:`, `org:` or `place:`: the index finds the candidates (the name's
/// phrase ANDed into the query, with the filters of the search), in the requested order, and
/// the stored typed names (`release_names`) keep those that name it. Total, facets and page
/// are then of the kept releases. A release that mentions อนุทิน only inside another word, or
/// names a place only as part of a person's name, is a candidate and is not kept.
extension ReleaseStore {
    /// Most candidates one search verifies (a name rarer than this is exact; past it the total
    /// counts the first ones in the requested order only).
    static let maxNameCandidates = 200_000

    /// `place:"..."` resolved by the gazetteer: canonical name and every spelling of it.
    static let placeResolver: @Sendable (String) -> (name: String, spellings: [String])? = { typed in
        let g = Gazetteer.shared
        guard let p = g.byName[typed.trimmingCharacters(in: .whitespaces)] else { return nil }
        return (p.name, g.byName.filter { $0.value.name == p.name }.map(\.key).sorted())
    }

    /// The candidates of `request` (every page, no facets) that pass the name filters, in order.
    func verifiedHits(_ request: IndexSearchRequest, _ filters: [EntityFilter],
                      cancelled: @escaping @Sendable () -> Bool) throws -> [IndexHit] {
        var all = request
        all.offset = 0
        all.limit = 0
        all.facets = false
        all.periods = nil
        let snapshot = index.snapshot()
        let total = try Searcher.search(snapshot, all, cancelled: cancelled).total
        all.limit = min(total, Self.maxNameCandidates)
        let candidates = total == 0 ? [] : try Searcher.search(snapshot, all, cancelled: cancelled).hits
        let names = try pool.read { db in try Self.entities(db, texts, of: candidates.map(\.releaseID)) }
        return candidates.filter { hit in
            guard let stored = names[hit.releaseID] else { return false }
            return filters.allSatisfy { f in stored.contains { f.matches($0.entity.kind, $0.key) } }
        }
    }

    func verifiedSearch(_ q: SearchQuery, _ compiled: CompiledQuery, _ request: IndexSearchRequest,
                        started: ContinuousClock.Instant, deadline: ContinuousClock.Instant) throws -> SearchResults {
        let kept: [IndexHit]
        do { kept = try verifiedHits(request, compiled.entityFilters, cancelled: { ContinuousClock.now >= deadline }) } catch IndexError.cancelled {
            throw SearchCancelled(after: started.duration(to: .now))
        }
        maintenance.searched(index)
        let pageHits = Array(kept.dropFirst(request.offset).prefix(request.limit))
        var categories: [StoreFacet] = []
        var months: [StoreFacet] = []
        if q.facets {
            var cats: [String: StoreFacet] = [:]
            var byMonth: [String: Int] = [:]
            try pool.read { db in
                try Self.forEachRow(db, ids: kept.map(\.releaseID), {
                    "SELECT category_name, category_slug, published_days FROM releases WHERE id IN (\($0))"
                }) { r in
                    let name: String = r[0]
                    let slug: String? = r[1]
                    let key = slug ?? name
                    cats[key, default: StoreFacet(key: key, label: name, count: 0)].count += 1
                    byMonth[Self.monthKey(CivilDate(daysSinceEpoch: r[2])), default: 0] += 1
                }
            }
            categories = cats.values.sorted { ($0.count, $1.key) > ($1.count, $0.key) }
            months = byMonth.keys.sorted().map { StoreFacet(key: $0, label: Self.monthLabel($0), count: byMonth[$0]!) }
        }
        let hits = try page(pageHits, needles: compiled.positivePhrases)
        return SearchResults(hits: hits, total: kept.count, categoryFacets: categories, monthFacets: months,
                             tookMicros: started.duration(to: .now).microseconds, suggestions: [])
    }
}
