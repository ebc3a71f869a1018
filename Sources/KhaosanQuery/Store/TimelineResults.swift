package import KhaosanModel

package struct TimelineResults: Sendable, Hashable {
    /// The first day of each period, in order.
    package var periodStarts: [CivilDate]
    /// In the order of the request's queries.
    package var series: [QuerySeries]
    /// Releases per period passing the filters (any text); empty unless asked for.
    package var totals: [Int]
    package var tookMicros: Int64
}
