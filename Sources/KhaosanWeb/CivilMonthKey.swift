package import KhaosanModel

/// A month as the URL and the month facet write it, `YYYY-MM`.
package struct CivilMonthKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    package var year: Int
    package var month: Int

    package init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), (1...12).contains(m), y >= 1 else { return nil }
        year = y
        month = m
    }

    package init(_ date: CivilDate) {
        year = date.year
        month = date.month
    }

    package var firstDay: CivilDate { CivilDate(year: year, month: month, day: 1) }
    package var lastDay: CivilDate { CivilDate(year: year, month: month, day: CivilDate.daysInMonth(year: year, month: month)) }

    package var description: String { String(firstDay.description.prefix(7)) }

    /// `ต.ค. 2566`.
    package var thai: String {
        let short = ThaiCalendar.thaiShortForm(firstDay)
        return String(short.drop { $0 != " " }.dropFirst())
    }

    package static func < (a: CivilMonthKey, b: CivilMonthKey) -> Bool { (a.year, a.month) < (b.year, b.month) }
}
