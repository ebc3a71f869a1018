/// Calendar periods a timeline counts by, as ordinals on one line so that consecutive periods
/// are consecutive integers: days since 1970-01-01; weeks from Monday (ISO weeks: 1970-01-01 was
/// a Thursday, so week 0 starts on Monday 1969-12-29); months as `year * 12 + month - 1`; years.
package enum IndexPeriod: String, Sendable, Hashable, CaseIterable {
    case day, week, month, year

    /// The period holding day `days` (days since 1970-01-01, proleptic Gregorian).
    @inline(__always) package func of(days: Int32) -> Int32 {
        switch self {
        case .day: return days
        case .week: return Self.floorDiv(days + 3, 7)
        case .month: return CivilMonth.of(days: days)
        case .year: return Self.floorDiv(CivilMonth.of(days: days), 12)
        }
    }

    /// The first day of period `p` (days since 1970-01-01).
    package func firstDay(of p: Int32) -> Int32 {
        switch self {
        case .day: return p
        case .week: return p * 7 - 3
        case .month: return Self.days(year: Int(Self.floorDiv(p, 12)), month: Int(p - Self.floorDiv(p, 12) * 12) + 1)
        case .year: return Self.days(year: Int(p), month: 1)
        }
    }

    @inline(__always) static func floorDiv(_ a: Int32, _ b: Int32) -> Int32 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    /// Days since 1970-01-01 of the first of a month (Howard Hinnant's days_from_civil).
    static func days(year: Int, month: Int) -> Int32 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return Int32(era * 146_097 + doe - 719_468)
    }
}

/// Consecutive periods a timeline counts: ordinals `first ..< first + count` of `period`.
package struct IndexPeriodRange: Sendable, Hashable {
    package var period: IndexPeriod
    package var first: Int32
    package var count: Int

    package init(period: IndexPeriod, first: Int32, count: Int) {
        self.period = period
        self.first = first
        self.count = count
    }

    /// The periods from the one holding `fromDays` to the one holding `toDays`, both included
    /// (none when `toDays < fromDays`).
    package init(period: IndexPeriod, fromDays: Int32, toDays: Int32) {
        let a = period.of(days: fromDays), b = period.of(days: toDays)
        self.init(period: period, first: a, count: b < a ? 0 : Int(b - a) + 1)
    }

    /// First day of each period, in order.
    package var startDays: [Int32] { (0..<count).map { period.firstDay(of: first + Int32($0)) } }
}
