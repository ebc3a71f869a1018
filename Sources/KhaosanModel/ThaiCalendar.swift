/// Thai calendar helpers: Buddhist era years, Thai month and weekday names, Thai digits, and the
/// date forms found in thaigov releases.
///
/// Year rule for parsed dates: a 2-digit year is a Buddhist-era year of the 2500s (`63` = 2563);
/// a 4-digit year >= 2400 is Buddhist era; a 4-digit year in 1901...2399 is Gregorian (English
/// text and ISO-minded writers use it); anything else is rejected. BE 2400 is 1857, well before
/// any release, so the two ranges cannot be confused for real dates.
package enum ThaiCalendar {
    /// Buddhist era = Gregorian + 543 (the modern Thai calendar, year starting 1 January).
    package static let eraOffset = 543

    package static func gregorianYear(buddhistEra be: Int) -> Int { be - eraOffset }
    package static func buddhistEraYear(gregorian g: Int) -> Int { g + eraOffset }

    /// Full month names, January first.
    package static let monthNames: [String] = [
        "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
        "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
    ]
    /// Abbreviated month names, January first.
    package static let monthAbbreviations: [String] = [
        "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
        "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
    ]
    /// Weekday names, Sunday first (index = weekday number, 0 = Sunday).
    package static let weekdayNames: [String] = ["อาทิตย์", "จันทร์", "อังคาร", "พุธ", "พฤหัสบดี", "ศุกร์", "เสาร์"]

    /// 1...12 for a full or abbreviated month name. Abbreviations are matched without their dots
    /// and spaces (`ต.ค.`, `ต.ค`, `ตค`), which is unambiguous for the twelve Thai abbreviations.
    package static func month(named name: String) -> Int? {
        month(bytes: Array(TextNormalizer.normalizeLine(name).utf8))
    }

    /// 0 (Sunday)...6 for a weekday name; `พฤหัส` is accepted for Thursday.
    package static func weekday(named name: String) -> Int? {
        let n = TextNormalizer.normalizeLine(name)
        if let i = weekdayNames.firstIndex(of: n) { return i }
        return n == "พฤหัส" ? 4 : nil
    }

    /// 0 = Sunday ... 6 = Saturday.
    package static func weekday(of d: CivilDate) -> Int {
        // 1970-01-01 was a Thursday.
        let r = (d.daysSinceEpoch + 4) % 7
        return r < 0 ? r + 7 : r
    }

    /// Thai digits ๐-๙ replaced by 0-9; everything else unchanged.
    package static func arabicDigits(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: { (0x0E50...0x0E59).contains($0.value) }) else { return s }
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            if (0x0E50...0x0E59).contains(u.value), let a = Unicode.Scalar(u.value - 0x0E50 + 0x30) {
                out.append(a)
            } else {
                out.append(u)
            }
        }
        return String(out)
    }

    /// 0-9 replaced by Thai digits ๐-๙; everything else unchanged.
    package static func thaiDigits(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            if (0x30...0x39).contains(u.value), let t = Unicode.Scalar(u.value - 0x30 + 0x0E50) {
                out.append(t)
            } else {
                out.append(u)
            }
        }
        return String(out)
    }

    /// `18 ต.ค. 2566`.
    package static func thaiShortForm(_ d: CivilDate) -> String {
        "\(d.day) \(monthAbbreviations[d.month - 1]) \(buddhistEraYear(gregorian: d.year))"
    }

    /// `18 ตุลาคม 2566`.
    package static func thaiLongForm(_ d: CivilDate) -> String {
        "\(d.day) \(monthNames[d.month - 1]) \(buddhistEraYear(gregorian: d.year))"
    }

    /// `วันพุธที่ 18 ตุลาคม 2566`, the form of a thaigov date line.
    package static func thaiDateLine(_ d: CivilDate) -> String {
        "วัน\(weekdayNames[weekday(of: d)])ที่ \(thaiLongForm(d))"
    }

    /// Parses `วันพุธที่ 18 ตุลาคม 2566`, `18 ตุลาคม 2566`, `18 ต.ค. 2566`, `24 ส.ค.63`,
    /// `18 ตุลาคม พ.ศ. 2566`, `1/10/2566` (day/month/year), with Thai or Arabic digits.
    /// Returns nil when the text is not such a date, when the day does not exist, or when a
    /// weekday is given and does not match the date (a wrong weekday means the line is wrong,
    /// and guessing which half is right is not our call).
    package static func parseThaiDate(_ s: String) -> CivilDate? {
        // Works on UTF-8 bytes: this runs once per release and Character-level matching of Thai
        // (grapheme breaking) cost more than the rest of the date handling.
        let b = Array(arabicDigits(TextNormalizer.normalizeLine(s)).utf8)
        if b.contains(0x2F) { return parseSlashDate(b) }
        var p = 0
        func skipSpaces() { while p < b.count && b[p] == 0x20 { p += 1 } }
        func starts(_ w: [UInt8]) -> Bool {
            p + w.count <= b.count && b[p..<(p + w.count)].elementsEqual(w)
        }
        var weekday: Int?
        if starts(Bytes.day) {
            p += Bytes.day.count
            guard let (idx, name) = Bytes.weekdays.first(where: { starts($0.1) }) else { return nil }
            weekday = idx
            p += name.count
            if starts(Bytes.thi) { p += Bytes.thi.count }
            skipSpaces()
        }
        func digits() -> [UInt8] {
            let start = p
            while p < b.count && b[p] >= 0x30 && b[p] <= 0x39 { p += 1 }
            return Array(b[start..<p])
        }
        let dayDigits = digits()
        guard !dayDigits.isEmpty, dayDigits.count <= 2 else { return nil }
        let day = dayDigits.reduce(0) { $0 * 10 + Int($1 - 0x30) }
        skipSpaces()
        let monthStart = p
        while p < b.count && !(b[p] >= 0x30 && b[p] <= 0x39) { p += 1 }
        var monthBytes = Array(b[monthStart..<p])
        while monthBytes.last == 0x20 { monthBytes.removeLast() }
        for era in [Bytes.eraDotted, Bytes.era] where monthBytes.count >= era.count && monthBytes.suffix(era.count).elementsEqual(era) {
            monthBytes.removeLast(era.count)
            while monthBytes.last == 0x20 { monthBytes.removeLast() }
            break
        }
        guard let month = month(bytes: monthBytes) else { return nil }
        let yearDigits = digits()
        guard p == b.count, let year = gregorianYear(fromDigits: Substring(String(decoding: yearDigits, as: UTF8.self))) else { return nil }
        guard CivilDate.isValid(year: year, month: month, day: day) else { return nil }
        let date = CivilDate(year: year, month: month, day: day)
        if let weekday, weekday != self.weekday(of: date) { return nil }
        return date
    }

    /// UTF-8 forms of the words the date parser matches.
    private enum Bytes {
        static let day = Array("วัน".utf8)
        static let thi = Array("ที่".utf8)
        static let era = Array("พ.ศ".utf8)
        static let eraDotted = Array("พ.ศ.".utf8)
        /// Longest first: พฤหัสบดี before พฤหัส.
        static let weekdays: [(Int, [UInt8])] =
            (weekdayNames.enumerated().map { ($0.offset, Array($0.element.utf8)) } + [(4, Array("พฤหัส".utf8))])
            .sorted { $0.1.count > $1.1.count }
        static let months: [[UInt8]] = monthNames.map { Array($0.utf8) }
        /// Abbreviations without dots or spaces.
        static let abbreviations: [[UInt8]] = monthAbbreviations.map { Array($0.utf8).filter { $0 != 0x2E } }
    }

    /// Month from normalised UTF-8: a full name, or an abbreviation with or without its dots and
    /// spaces.
    private static func month(bytes: [UInt8]) -> Int? {
        if let i = Bytes.months.firstIndex(of: bytes) { return i + 1 }
        let bare = bytes.filter { $0 != 0x2E && $0 != 0x20 }
        if bare.isEmpty { return nil }
        if let i = Bytes.abbreviations.firstIndex(of: bare) { return i + 1 }
        return nil
    }

    private static func parseSlashDate(_ b: [UInt8]) -> CivilDate? {
        let parts = b.split(separator: 0x2F, omittingEmptySubsequences: false)
        guard parts.count == 3,
              parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }),
              parts[0].count <= 2, parts[1].count <= 2
        else { return nil }
        let day = parts[0].reduce(0) { $0 * 10 + Int($1 - 0x30) }
        let month = parts[1].reduce(0) { $0 * 10 + Int($1 - 0x30) }
        guard let year = gregorianYear(fromDigits: Substring(String(decoding: parts[2], as: UTF8.self))),
              CivilDate.isValid(year: year, month: month, day: day)
        else { return nil }
        return CivilDate(year: year, month: month, day: day)
    }

    /// Applies the year rule in the type's documentation.
    package static func gregorianYear(fromDigits digits: Substring) -> Int? {
        guard let y = Int(digits) else { return nil }
        switch digits.count {
        case 2: return gregorianYear(buddhistEra: 2500 + y)
        case 4:
            if y >= 2400 { return gregorianYear(buddhistEra: y) }
            if y > 1900 { return y }
            return nil
        default: return nil
        }
    }
}
