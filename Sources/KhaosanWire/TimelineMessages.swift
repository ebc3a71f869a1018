// Swift mirrors of timeline.proto (issue 16). Plain values; the conversions are generated
// (scripts/gen-wire.py, Generated/TimelineWire.swift).
package import KhaosanModel

/// The length of a timeline's periods; nil where one is optional: TIMELINE_PERIOD_NONE (totals only).
package enum TimelinePeriod: Sendable, Hashable, CaseIterable { case day, week, month, year }

package struct TimelineRequest: Sendable, Hashable {
    package var queries: [String]
    /// nil: totals only (TIMELINE_PERIOD_NONE).
    package var period: TimelinePeriod?
    package var from: CivilDate?
    package var to: CivilDate?
    package var categories: [String]
    package var language: Language?
    package var wholeWords: Bool
    /// Also the releases per period passing the filters.
    package var totals: Bool

    package init(queries: [String] = [], period: TimelinePeriod? = nil, from: CivilDate? = nil, to: CivilDate? = nil,
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
    /// The first day of each period, days since 1970-01-01 (`periodStarts` as dates).
    package var periodStartDays: [Int32]
    package var series: [TimelineSeries]
    package var totals: [UInt64]
    package var tookMicros: UInt64

    package init(periodStartDays: [Int32] = [], series: [TimelineSeries] = [], totals: [UInt64] = [], tookMicros: UInt64 = 0) {
        self.periodStartDays = periodStartDays
        self.series = series
        self.totals = totals
        self.tookMicros = tookMicros
    }
}

extension TimelineResponse {
    package var periodStarts: [CivilDate] { periodStartDays.map { CivilDate(daysSinceEpoch: Int($0)) } }
}
