import Foundation
import GRDB
package import KhaosanModel
import KhaosanIndex
import KhaosanRPC

/// `khaosan names` and `khaosan entity` (issue 16, item 4): both start from the index (a query's
/// matches; a name filter's candidates, verified) and count the stored typed names of those
/// releases, so what is counted is what `search` would return.
extension ReleaseStore {
    /// Most releases whose names `names` counts (the most relevant first).
    package static let maxNamesCounted = 20_000

    package func names(query text: String, from: CivilDate? = nil, to: CivilDate? = nil, categories: [String] = [],
                       limit: Int = 10, deadline: ContinuousClock.Instant? = nil) throws -> NamesResult {
        let started = ContinuousClock.now
        let limitAt = started + Self.searchTimeLimit
        let end = deadline.map { min($0, limitAt) } ?? limitAt
        let cancelled: @Sendable () -> Bool = { ContinuousClock.now >= end }
        let compiled = try QueryParser.compile(text, places: Self.placeResolver)
        var filter = IndexFilter(categories: Set(categories))
        if let from { filter.fromDays = Int32(clamping: from.daysSinceEpoch) }
        if let to { filter.toDays = Int32(clamping: to.daysSinceEpoch) }
        let request = IndexSearchRequest(query: compiled.index, filter: filter, sort: .relevance, limit: 0)
        let hits: [IndexHit]
        let total: Int
        do {
            if compiled.entityFilters.isEmpty {
                let snapshot = index.snapshot()
                total = try Searcher.search(snapshot, request, cancelled: cancelled).total
                var all = request
                all.limit = min(total, Self.maxNamesCounted)
                hits = total == 0 ? [] : try Searcher.search(snapshot, all, cancelled: cancelled).hits
            } else {
                let kept = try verifiedHits(request, compiled.entityFilters, cancelled: cancelled)
                total = kept.count
                hits = Array(kept.prefix(Self.maxNamesCounted))
            }
        } catch IndexError.cancelled {
            throw SearchCancelled(after: started.duration(to: .now))
        }
        let counts = try pool.read { db in try Self.countNames(db, texts, hits.map(\.releaseID), excluding: []) }
        let n = min(max(limit, 1), 100)
        func top(_ k: Entity.Kind) -> [StoreNameCount] { Array(counts.filter { $0.kind == k }.prefix(n)) }
        return NamesResult(releases: total, counted: hits.count, people: top(.person), organisations: top(.organisation),
                           places: top(.place), tookMicros: started.duration(to: .now).microseconds)
    }

    package func entity(name typed: String, kind: Entity.Kind? = nil, limit: Int = 10,
                        deadline: ContinuousClock.Instant? = nil) throws -> EntityProfile {
        let started = ContinuousClock.now
        let limitAt = started + Self.searchTimeLimit
        let end = deadline.map { min($0, limitAt) } ?? limitAt
        let cancelled: @Sendable () -> Bool = { ContinuousClock.now >= end }
        let name = typed.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, !name.contains("\"") else {
            throw QuerySyntaxError(message: "a name must be non-empty and without '\"'", position: 0)
        }
        // Without a kind, each is tried in turn (a name is rarely stored under two kinds; the
        // names are read by release id, there is no index on them).
        let kinds: [Entity.Kind] = kind.map { [$0] } ?? Entity.Kind.allCases
        let n = min(max(limit, 1), 100)
        for k in kinds {
            if k == .place && Self.placeResolver(name) == nil { continue }
            let compiled = try QueryParser.compile("\(k.filterPrefix):\"\(name)\"", places: Self.placeResolver)
            let request = IndexSearchRequest(query: compiled.index, sort: .newest, limit: 0)
            let hits: [IndexHit]
            do { hits = try verifiedHits(request, compiled.entityFilters, cancelled: cancelled) } catch IndexError.cancelled {
                throw SearchCancelled(after: started.duration(to: .now))
            }
            guard !hits.isEmpty else { continue }
            let filter = compiled.entityFilters[0]
            let ids = hits.map(\.releaseID)
            let (withNames, categories) = try pool.read { db in
                (try Self.countNames(db, texts, ids, excluding: [filter]), try Self.countCategories(db, ids))
            }
            return EntityProfile(kind: k, name: name, releases: hits.count, months: Self.months(hits.map(\.days)),
                                 withNames: Array(withNames.prefix(n)), categories: categories,
                                 latest: try page(Array(hits.prefix(n)), needles: compiled.positivePhrases),
                                 tookMicros: started.duration(to: .now).microseconds)
        }
        return EntityProfile(kind: nil, name: name, releases: 0, months: [], withNames: [], categories: [], latest: [],
                             tookMicros: started.duration(to: .now).microseconds)
    }

    /// Releases per (kind, key) over `ids`, most first; each shown in its most frequent spelling.
    static func countNames(_ db: Database, _ texts: TextCodec, _ ids: [Int64], excluding: [EntityFilter]) throws -> [StoreNameCount] {
        struct Tally { var count = 0; var spellings: [String: Int] = [:] }
        var tallies: [String: Tally] = [:]
        var kindOf: [String: Entity.Kind] = [:]
        for (_, names) in try entities(db, texts, of: ids) {
            var seen: Set<String> = []
            for (e, key) in names {
                if excluding.contains(where: { $0.matches(e.kind, key) }) { continue }
                let k = "\(e.kind.code)\u{1F}\(key)"
                guard seen.insert(k).inserted else { continue }
                kindOf[k] = e.kind
                tallies[k, default: Tally()].count += 1
                tallies[k]!.spellings[e.name, default: 0] += 1
            }
        }
        return tallies.map { k, t in
            let spelling = t.spellings.max { ($0.value, $1.key) < ($1.value, $0.key) }!.key
            return StoreNameCount(kind: kindOf[k]!, name: spelling, count: t.count)
        }.sorted { ($0.count, $1.name) > ($1.count, $0.name) }
    }

    static func countCategories(_ db: Database, _ ids: [Int64]) throws -> [StoreFacet] {
        var cats: [String: StoreFacet] = [:]
        try forEachRow(db, ids: ids, { "SELECT category_name, category_slug FROM releases WHERE id IN (\($0))" }) { r in
            let name: String = r[0]
            let slug: String? = r[1]
            cats[slug ?? name, default: StoreFacet(key: slug ?? name, label: name, count: 0)].count += 1
        }
        return cats.values.sorted { ($0.count, $1.key) > ($1.count, $0.key) }
    }

    /// Releases per month from the first day's month to the last's, zeros included.
    static func months(_ days: [Int32]) -> [StoreFacet] {
        guard let lo = days.min(), let hi = days.max() else { return [] }
        func ordinal(_ d: Int32) -> Int {
            let c = CivilDate(daysSinceEpoch: Int(d))
            return c.year * 12 + c.month - 1
        }
        var counts = [Int](repeating: 0, count: ordinal(hi) - ordinal(lo) + 1)
        for d in days { counts[ordinal(d) - ordinal(lo)] += 1 }
        return counts.enumerated().map { i, n in
            let o = ordinal(lo) + i
            let key = String(format: "%04d-%02d", o / 12, o % 12 + 1)
            return StoreFacet(key: key, label: monthLabel(key), count: n)
        }
    }
}
