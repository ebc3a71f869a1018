import KhaosanRPC
import KhaosanIndex
import KhaosanModel

extension ReleaseStore {
    /// Counts each query's matches per period over one snapshot of the index: the same
    /// evaluation as a search (so a series sums to the search total for the same query and
    /// filters) without reading any row. One deadline covers every query of the request; a
    /// query that does not parse gets its error in its series and the others still run.
    package func timeline(_ q: TimelineQuery) throws -> TimelineResults {
        let started = ContinuousClock.now
        guard !q.texts.isEmpty else { throw QuerySyntaxError(message: "no query given", position: 0) }
        guard q.texts.count <= TimelineQuery.maxQueries else {
            throw QuerySyntaxError(message: "\(q.texts.count) queries in one request; the limit is \(TimelineQuery.maxQueries)", position: 0)
        }
        let limitAt = started + Self.searchTimeLimit
        let deadline = q.deadline.map { min($0, limitAt) } ?? limitAt
        let cancelled: @Sendable () -> Bool = { ContinuousClock.now >= deadline }
        let snapshot = index.snapshot()
        var filter = IndexFilter(categories: try Self.categoryFilter(q.categories, snapshot))
        if let from = q.from { filter.fromDays = Int32(clamping: from.daysSinceEpoch) }
        if let to = q.to { filter.toDays = Int32(clamping: to.daysSinceEpoch) }
        if let l = q.language { filter.language = Self.languageCode(l) }

        var range: IndexPeriodRange?
        if let period = q.period {
            // An open end is the archive's first or last day, so the series has no empty
            // decades before the first release; an empty archive has no periods.
            if let from = filter.fromDays ?? snapshot.firstDay, let to = filter.toDays ?? snapshot.lastDay {
                let r = IndexPeriodRange(period: period, fromDays: from, toDays: to)
                guard r.count <= TimelineQuery.maxPeriods else {
                    throw QuerySyntaxError(message: "the timeline would have \(r.count) periods (\(period.rawValue)); the limit is \(TimelineQuery.maxPeriods): narrow the dates or count by a longer period", position: 0)
                }
                guard r.count * q.texts.count <= TimelineQuery.maxCells else {
                    throw QuerySyntaxError(message: "\(q.texts.count) queries x \(r.count) periods is more than \(TimelineQuery.maxCells) counts in one request; send fewer queries per request", position: 0)
                }
                range = r
            } else {
                range = IndexPeriodRange(period: period, first: 0, count: 0)
            }
        }

        var series: [QuerySeries] = []
        series.reserveCapacity(q.texts.count)
        for text in q.texts {
            let compiled: CompiledQuery
            do { compiled = try QueryParser.compile(text, wholeWords: q.wholeWords) } catch {
                series.append(QuerySeries(text: text, total: 0, counts: [], error: error))
                continue
            }
            let request = IndexSearchRequest(query: compiled.index, filter: filter, limit: 0, periods: range)
            let outcome = Result { () throws(IndexError) in
                try Searcher.search(snapshot, request, parallelism: Searcher.defaultParallelism, cancelled: cancelled)
            }
            switch outcome {
            case .success(let r): series.append(QuerySeries(text: text, total: r.total, counts: r.periodCounts, error: nil))
            case .failure(.cancelled): throw SearchCancelled(after: started.duration(to: .now))
            case .failure(let e): throw e
            }
            // Between queries too: a long list of cheap queries stops at the deadline as well.
            if cancelled() { throw SearchCancelled(after: started.duration(to: .now)) }
        }
        maintenance.searched(index)
        var totals: [Int] = []
        if q.totals, let range { totals = Searcher.periodTotals(snapshot, range, filter: filter) }
        let starts = range?.startDays.map { CivilDate(daysSinceEpoch: Int($0)) } ?? []
        return TimelineResults(periodStarts: starts, series: series, totals: totals,
                               tookMicros: started.duration(to: .now).microseconds)
    }
}
