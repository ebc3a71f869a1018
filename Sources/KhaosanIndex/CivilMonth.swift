/// Months as `year * 12 + month - 1`, from days since 1970-01-01 (proleptic Gregorian).
enum CivilMonth {
    static func of(days: Int32) -> Int32 {
        // Howard Hinnant's civil_from_days.
        let z = Int(days) + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return Int32(y * 12 + m - 1)
    }

    static func key(_ month: Int32) -> String {
        let y = Int(month) / 12, m = Int(month) % 12 + 1
        return "\(y)-\(m < 10 ? "0" : "")\(m)"
    }
}
