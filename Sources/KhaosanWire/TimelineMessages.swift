// Swift mirrors of timeline.proto (issue 16). Plain values; encoding is in TimelineCodec.swift.
package import KhaosanModel

package struct TimelineRequest: Sendable, Hashable {
    package enum Period: Sendable, Hashable, CaseIterable { case day, week, month, year }

    package var queries: [String]
    /// nil: totals only (TIMELINE_PERIOD_NONE).
    package var period: Period?
    package var from: CivilDate?
    package var to: CivilDate?
    package var categories: [String]
    package var language: Language?
    package var wholeWords: Bool
    /// Also the releases per period passing the filters.
    package var totals: Bool

    package init(queries: [String] = [], period: Period? = nil, from: CivilDate? = nil, to: CivilDate? = nil,
                 categories: [String] = [], language: Language? = nil, wholeWords: Bool = false, totals: Bool = false) {
        self.queries = queries
        self.period = period
        self.from = from
        self.to = to
        self.categories = categories
        self.language = language
        self.wholeWords = wholeWords
        self.totals = totals
    }
}

package struct TimelineSeries: Sendable, Hashable {
    package var query: String
    package var total: UInt64
    package var counts: [UInt64]
    /// Empty unless this query did not parse.
    package var error: String
    package var errorPosition: UInt32

    package init(query: String, total: UInt64, counts: [UInt64] = [], error: String = "", errorPosition: UInt32 = 0) {
        self.query = query
        self.total = total
        self.counts = counts
        self.error = error
        self.errorPosition = errorPosition
    }
}

package struct TimelineResponse: Sendable, Hashable {
    package var periodStarts: [CivilDate]
    package var series: [TimelineSeries]
    package var totals: [UInt64]
    package var tookMicros: UInt64

    package init(periodStarts: [CivilDate] = [], series: [TimelineSeries] = [], totals: [UInt64] = [], tookMicros: UInt64 = 0) {
        self.periodStarts = periodStarts
        self.series = series
        self.totals = totals
        self.tookMicros = tookMicros
    }
}
