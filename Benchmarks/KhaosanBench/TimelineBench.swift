// Timeline figures (issue 16): `ReleaseStore.timeline`, the work of the Timeline RPC, measured
// in-process on a database khaosan-queryd built, beside `ReleaseStore.search` of the same
// queries (top 10 with snippets and the exact total) as the anchor.
import Foundation
import KhaosanIndex
import KhaosanQuery
import Logging

package enum TimelineBench {
    package static func run(databasePath: String, queries: [String], repetitions: Int) throws {
        var logger = Logger(label: "khaosan-bench")
        logger.logLevel = .warning
        guard FileManager.default.fileExists(atPath: databasePath) else { throw BenchError("\(databasePath): no such database") }
        let store = try ReleaseStore(path: databasePath, logger: logger, readOnly: true)
        func time(_ label: String, _ body: () throws -> String) rethrows {
            var ms: [Double] = []
            var detail = ""
            for _ in 0..<(repetitions + 1) {
                let t = ContinuousClock.now
                detail = try body()
                ms.append(SearchBench.ms(ContinuousClock.now - t))
            }
            let first = ms.removeFirst()
            print("\(label): first \(SearchBench.fmt(first)) ms, then p50 \(SearchBench.fmt(SearchBench.percentile(ms, 50))) p90 \(SearchBench.fmt(SearchBench.percentile(ms, 90))) min \(SearchBench.fmt(ms.min() ?? 0)) ms over \(ms.count)  \(detail)")
        }
        for q in queries {
            // After the first, a term that matches nothing, different each time, so that the
            // store's result cache never answers (it costs one more leaf that finds nothing).
            var n = 0
            try time("search \(q) (top 10 + snippets + total)") {
                n += 1
                let r = try store.search(SearchQuery(text: n == 1 ? q : "\(q) -qqzx\(n)", limit: 10))
                return "total \(r.total)"
            }
        }
        for period in [IndexPeriod.month, .day] {
            try time("timeline \(queries.count) queries by \(period.rawValue), whole archive, with totals") {
                let r = try store.timeline(TimelineQuery(texts: queries, period: period, totals: true))
                return "\(r.periodStarts.count) periods, totals \(r.series.map(\.total))"
            }
        }
        if let q = queries.first {
            try time("timeline 1 query (\(q)) by day, whole archive") {
                let r = try store.timeline(TimelineQuery(texts: [q], period: .day))
                return "\(r.periodStarts.count) periods"
            }
        }
    }
}
