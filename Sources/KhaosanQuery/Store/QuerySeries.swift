/// Per query of a timeline: its total and its count per period, or why it could not be run.
package struct QuerySeries: Sendable, Hashable {
    package var text: String
    package var total: Int
    /// One per period of `TimelineResults.periodStarts`; empty without a period or on error.
    package var counts: [Int]
    /// The query did not parse; the other queries of the request still ran.
    package var error: QuerySyntaxError?
}
