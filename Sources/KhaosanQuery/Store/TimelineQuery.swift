package import KhaosanIndex
package import KhaosanModel

/// A timeline request as the query service receives it: several queries counted over the same
/// periods and filters, on one snapshot of the index.
package struct TimelineQuery: Sendable, Hashable {
    /// At most this many queries in one request (`khaosan count` sends a long list in parts).
    package static let maxQueries = 1_000
    /// At most this many periods: 100 years by day (an archive whose first release is dated
    /// 1970, a date line gone wrong, still has a timeline by day).
    package static let maxPeriods = 36_600
    /// At most this many counts (queries x periods) in one response, so it stays far below the
    /// 4 MiB message limit (a count is at most 3 bytes on the wire for an archive below 2 M).
    package static let maxCells = 400_000

    package var texts: [String]
    /// nil: totals only, no series.
    package var period: IndexPeriod?
    /// Bounds of the periods (and of the matches); without them, the archive's first or last day.
    package var from: CivilDate?
    package var to: CivilDate?
    package var categories: [String]
    package var language: Language?
    package var wholeWords: Bool
    /// Also the number of releases per period passing the filters (the ratios' denominator).
    package var totals: Bool
    /// When the caller stops waiting; the whole request stops there (and at `ReleaseStore.searchTimeLimit`).
    package var deadline: ContinuousClock.Instant?

    package init(texts: [String], period: IndexPeriod?, from: CivilDate? = nil, to: CivilDate? = nil, categories: [String] = [],
                 language: Language? = nil, wholeWords: Bool = false, totals: Bool = false, deadline: ContinuousClock.Instant? = nil) {
        self.texts = texts
        self.period = period
        self.from = from
        self.to = to
        self.categories = categories
        self.language = language
        self.wholeWords = wholeWords
        self.totals = totals
        self.deadline = deadline
    }
}
