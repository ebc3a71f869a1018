import KhaosanIndex
import KhaosanModel
import KhaosanRPC
import KhaosanWire

/// QueryService/Timeline (issue 16). `khaosan count` sends its list of queries as several of
/// these calls on one connection rather than as one long stream: each call is bounded by its
/// deadline and the server's 10 s limit, is safe to retry, and carries a bad query's error in
/// its own series, so a long list can neither hold the server nor stop at its first typo.
extension QueryHandlers {
    func registerTimeline(into router: inout RPCRouter) {
        router.unary(KhaosanMethods.timeline) { (request: TimelineRequest, context) in
            let query = TimelineQuery(
                texts: request.queries, period: request.period.map(Self.period), from: request.from, to: request.to,
                categories: request.categories, language: request.language, wholeWords: request.wholeWords,
                totals: request.totals, deadline: context.deadline)
            let r = try await db("timeline") { try store.timeline(query) }
            return TimelineResponse(
                periodStartDays: r.periodStarts.map { Int32(clamping: $0.daysSinceEpoch) },
                series: r.series.map { s in
                    TimelineSeries(query: s.text, total: UInt64(s.total), counts: s.counts.map { UInt64($0) },
                                   error: s.error?.message ?? "", errorPosition: UInt32(clamping: s.error?.position ?? 0))
                },
                totals: r.totals.map { UInt64($0) }, tookMicros: UInt64(max(0, r.tookMicros)))
        }
    }

    static func period(_ p: TimelinePeriod) -> IndexPeriod {
        switch p {
        case .day: .day
        case .week: .week
        case .month: .month
        case .year: .year
        }
    }
}
