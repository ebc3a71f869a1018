import GRDB
import KhaosanIndex
import KhaosanModel
import KhaosanThai

extension ReleaseStore {
    /// Longest a search may run on the server when the caller gave no deadline (or a longer one).
    package static let searchTimeLimit: Duration = .seconds(10)

    package func search(_ q: SearchQuery) throws -> SearchResults {
        let started = ContinuousClock.now
        let compiled = try QueryParser.compile(q.text)
        let limit = min(max(q.limit, 1), SearchQuery.maxLimit)
        let offset = min(max(q.offset, 0), SearchQuery.maxOffset)
        var filter = IndexFilter(categories: Set(q.categories))
        if let from = q.from { filter.fromDays = Int32(clamping: from.daysSinceEpoch) }
        if let to = q.to { filter.toDays = Int32(clamping: to.daysSinceEpoch) }
        if let l = q.language { filter.language = Self.languageCode(l) }
        let sort: IndexSort = switch q.sort {
        case .relevance: .relevance
        case .newest: .newest
        case .oldest: .oldest
        }
        let limitAt = started + Self.searchTimeLimit
        let deadline = q.deadline.map { min($0, limitAt) } ?? limitAt
        let request = IndexSearchRequest(query: compiled.index, filter: filter, sort: sort, offset: offset, limit: limit, facets: q.facets)
        let outcome = Result { () throws(IndexError) in try index.search(request, cancelled: { ContinuousClock.now >= deadline }) }
        let result: IndexSearchResult
        switch outcome {
        case .success(let r): result = r
        case .failure(.cancelled): throw SearchCancelled(after: started.duration(to: .now))
        case .failure(let e): throw e
        }
        maintenance.searched(index)
        let hits = try pool.read { db in
            try result.hits.compactMap { h in
                try Self.hit(db, id: h.releaseID, score: h.score, needles: compiled.positivePhrases)
            }
        }
        return SearchResults(
            hits: hits, total: result.total,
            categoryFacets: result.categories.map { FacetCount(key: $0.key, label: $0.label, count: $0.count) },
            monthFacets: result.months.map { FacetCount(key: $0.key, label: Self.monthLabel($0.key), count: $0.count) },
            tookMicros: Self.micros(started.duration(to: .now)))
    }

    static func micros(_ d: Duration) -> Int64 {
        d.components.seconds * 1_000_000 + d.components.attoseconds / 1_000_000_000_000
    }

    static func monthKey(_ d: CivilDate) -> String { String(d.description.prefix(7)) }

    static let thaiMonths = [
        "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
        "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
    ]

    /// `2023-10` -> `ตุลาคม 2566` (Buddhist-era year, as thaigov writes dates).
    static func monthLabel(_ key: String) -> String {
        let parts = key.split(separator: "-")
        guard parts.count == 2, let y = Int(parts[0]), let m = Int(parts[1]), (1...12).contains(m) else { return key }
        return "\(thaiMonths[m - 1]) \(y + 543)"
    }
}

/// A search stopped at its deadline (the caller's, or `ReleaseStore.searchTimeLimit`).
package struct SearchCancelled: Error, Sendable, CustomStringConvertible {
    package var after: Duration
    package var description: String { "search stopped after \(after): deadline reached" }
}
