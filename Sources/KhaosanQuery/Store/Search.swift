import Dispatch
import GRDB
import KhaosanIndex
import KhaosanRPC
import Synchronization
import KhaosanModel
import KhaosanThai

extension ReleaseStore {
    /// Longest a search may run on the server when the caller gave no deadline (or a longer one).
    package static let searchTimeLimit: Duration = .seconds(10)

    package func search(_ q: SearchQuery) throws -> SearchResults {
        let started = ContinuousClock.now
        let compiled = try QueryParser.compile(q.text, wholeWords: q.wholeWords, places: Self.placeResolver)
        let limit = min(max(q.limit, 1), SearchQuery.maxLimit)
        let offset = min(max(q.offset, 0), SearchQuery.maxOffset)
        var filter = IndexFilter(categories: try Self.categoryFilter(q.categories, index.snapshot()))
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
        // Collapsing needs the hits before the page to know which groups it has shown already.
        // Name filters take their own path (EntitySearch), which does not collapse.
        if !compiled.entityFilters.isEmpty {
            let request = IndexSearchRequest(query: compiled.index, filter: filter, sort: sort, offset: offset, limit: limit, facets: q.facets)
            return try verifiedSearch(q, compiled, request, started: started, deadline: deadline)
        }
        let window = q.collapse ? min(SearchQuery.maxLimit, (offset + limit) * 3 + 20) : limit
        let request = IndexSearchRequest(query: compiled.index, filter: filter, sort: sort, offset: q.collapse ? 0 : offset,
                                         limit: window, facets: q.facets)
        let outcome = Result { () throws(IndexError) in try index.search(request, cancelled: { ContinuousClock.now >= deadline }) }
        let result: IndexSearchResult
        switch outcome {
        case .success(let r): result = r
        case .failure(.cancelled): throw SearchCancelled(after: started.duration(to: .now))
        case .failure(let e): throw e
        }
        maintenance.searched(index)
        var suggestions: [StoreFacet] = []
        if result.total == 0 && offset == 0 {
            suggestions = try suggest(q.text, compiled, filter: filter, wholeWords: q.wholeWords,
                                      cancelled: { ContinuousClock.now >= deadline })
        }
        var hits: [SearchResultHit]
        if q.collapse {
            let (kept, also) = try collapsed(result.hits, offset: offset, limit: limit)
            hits = try page(kept, needles: compiled.positivePhrases)
            for i in hits.indices { hits[i].alsoPublishedAs = also[hits[i].id] ?? [] }
        } else {
            hits = try page(result.hits, needles: compiled.positivePhrases)
        }
        return SearchResults(
            hits: hits, total: result.total,
            categoryFacets: Self.categoryFacets(result.categories),
            monthFacets: result.months.map { StoreFacet(key: $0.key, label: Self.monthLabel($0.key), count: $0.count) },
            tookMicros: started.duration(to: .now).microseconds, suggestions: suggestions)
    }

    /// "Did you mean": for each typed term that matches nothing by itself, its spellings one
    /// edit away that do, put back into the query; kept when the whole query (with its filters)
    /// then matches. At most three, most matches first.
    func suggest(_ text: String, _ compiled: CompiledQuery, filter: IndexFilter, wholeWords: Bool,
                 cancelled: @escaping @Sendable () -> Bool) throws -> [StoreFacet] {
        let chars = Array(text)
        let snapshot = index.snapshot()
        var out: [StoreFacet] = []
        var tried = Set<Int>()
        for t in compiled.terms where tried.insert(t.leaf).inserted {
            let leaf = compiled.index.leaves[t.leaf]
            let alone = try Searcher.search(snapshot, IndexSearchRequest(
                query: IndexQuery(root: .phrase(0), leaves: [leaf], wholeWords: [compiled.index.isWholeWord(t.leaf)]), limit: 0), cancelled: cancelled)
            guard alone.total == 0 else { continue }
            for (variant, _) in try Suggester.suggest(snapshot, phrase: leaf, cancelled: cancelled) {
                let word = String(String.UnicodeScalarView(variant.compactMap(Unicode.Scalar.init)))
                // A quote cannot be typed inside a phrase: such a variant is not offered.
                if word.contains("\"") { continue }
                let typed = t.quoted || word.contains(" ") ? "\"" + word + "\"" : word
                let query = String(chars[..<t.range.lowerBound]) + typed + String(chars[t.range.upperBound...])
                guard let again = try? QueryParser.compile(query, wholeWords: wholeWords) else { continue }
                let r = try Searcher.search(snapshot, IndexSearchRequest(query: again.index, filter: filter, limit: 0), cancelled: cancelled)
                if r.total > 0 { out.append(StoreFacet(key: query, label: word, count: r.total)) }
            }
        }
        return Array(out.sorted { ($0.count, $1.key) > ($1.count, $0.key) }.prefix(3))
    }

    /// The page of `hits` with one release per near-duplicate group (its best-ranked), and
    /// each kept release's other group members.
    func collapsed(_ hits: [IndexHit], offset: Int, limit: Int) throws -> ([IndexHit], [Int64: [Int64]]) {
        try pool.read { db in
            let group = try groups(db, hits.map(\.releaseID))
            var seen = Set<Int64>()
            var kept: [IndexHit] = []
            for h in hits where seen.insert(group[h.releaseID] ?? h.releaseID).inserted { kept.append(h) }
            let page = Array(kept.dropFirst(offset).prefix(limit))
            var also: [Int64: [Int64]] = [:]
            for h in page {
                let others = try members(db, group: group[h.releaseID] ?? h.releaseID, except: h.releaseID)
                if !others.isEmpty { also[h.releaseID] = others }
            }
            return (page, also)
        }
    }

    /// The page's rows and snippets. Two reader connections build halves of a page at once:
    /// reading a release and cutting its snippet is a third of a search's time, and the rows
    /// are independent.
    func page(_ hits: [IndexHit], needles: [[UInt32]]) throws -> [SearchResultHit] {
        let workers = hits.count >= 4 ? min(2, Searcher.defaultParallelism) : 1
        guard workers > 1 else {
            return try pool.read { db in try hits.compactMap { try Self.hit(db, texts, id: $0.releaseID, score: $0.score, needles: needles) } }
        }
        let halves = Mutex<[Int: Result<[SearchResultHit?], any Error>]>([:])
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let r = Result { () throws -> [SearchResultHit?] in
                try pool.read { db in
                    try stride(from: w, to: hits.count, by: workers).map {
                        try Self.hit(db, texts, id: hits[$0].releaseID, score: hits[$0].score, needles: needles)
                    }
                }
            }
            halves.withLock { $0[w] = r }
        }
        var parts: [[SearchResultHit?]] = []
        for w in 0..<workers { parts.append(try halves.withLock { $0[w]! }.get()) }
        // Back in rank order: worker w took ranks w, w + workers, ...
        var out: [SearchResultHit] = []
        for i in hits.indices { if let h = parts[i % workers][i / workers] { out.append(h) } }
        return out
    }

    static func monthKey(_ d: CivilDate) -> String { String(d.description.prefix(7)) }

    /// `2023-10` -> `ตุลาคม 2566` (Buddhist-era year, as thaigov writes dates).
    static func monthLabel(_ key: String) -> String {
        let parts = key.split(separator: "-")
        guard parts.count == 2, let y = Int(parts[0]), let m = Int(parts[1]), (1...12).contains(m) else { return key }
        return "\(ThaiCalendar.monthNames[m - 1]) \(ThaiCalendar.buddhistEraYear(gregorian: y))"
    }
}

/// A search stopped at its deadline (the caller's, or `ReleaseStore.searchTimeLimit`).
package struct SearchCancelled: Error, Sendable, CustomStringConvertible {
    package var after: Duration
    package var description: String { "search stopped after \(after): deadline reached" }
}
