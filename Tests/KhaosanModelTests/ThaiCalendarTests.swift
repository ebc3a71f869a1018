import KhaosanTestSupport
import Testing
@testable import KhaosanModel

@Suite struct ThaiCalendarTests {
    @Test func eraRoundTrip() {
        for g in 1800...2600 {
            #expect(ThaiCalendar.gregorianYear(buddhistEra: ThaiCalendar.buddhistEraYear(gregorian: g)) == g)
        }
        #expect(ThaiCalendar.buddhistEraYear(gregorian: 2023) == 2566)
        #expect(ThaiCalendar.gregorianYear(buddhistEra: 2513) == 1970)
    }

    @Test func digitsRoundTrip() {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<2000 {
            let n = rng.next() % 1_000_000_000
            let arabic = "เลข \(n) ที่ \(n % 97)"
            let thai = ThaiCalendar.thaiDigits(arabic)
            #expect(!thai.unicodeScalars.contains { (0x30...0x39).contains($0.value) })
            #expect(ThaiCalendar.arabicDigits(thai) == arabic)
        }
        #expect(ThaiCalendar.arabicDigits("๒๕๖๖") == "2566")
        #expect(ThaiCalendar.thaiDigits("0123456789") == "๐๑๒๓๔๕๖๗๘๙")
    }

    @Test(arguments: 1...12)
    func everyMonthNameBothForms(month: Int) {
        let full = ThaiCalendar.monthNames[month - 1]
        let abbr = ThaiCalendar.monthAbbreviations[month - 1]
        #expect(ThaiCalendar.month(named: full) == month)
        #expect(ThaiCalendar.month(named: abbr) == month)
        #expect(ThaiCalendar.month(named: String(abbr.dropLast())) == month)  // "ต.ค" without the last dot
        #expect(ThaiCalendar.month(named: abbr.replacingOccurrences(".", "")) == month)
        // Every day of the month, in 2566 and 2563, through the date-line form, both name forms.
        for year in [2020, 2023, 2024] {
            for day in 1...CivilDate.daysInMonth(year: year, month: month) {
                let d = CivilDate(year: year, month: month, day: day)
                #expect(ThaiCalendar.parseThaiDate(ThaiCalendar.thaiDateLine(d)) == d)
                #expect(ThaiCalendar.parseThaiDate(ThaiCalendar.thaiShortForm(d)) == d)
                #expect(ThaiCalendar.parseThaiDate(ThaiCalendar.thaiDigits(ThaiCalendar.thaiLongForm(d))) == d)
            }
        }
    }

    @Test func weekdayNames() {
        for (i, name) in ThaiCalendar.weekdayNames.enumerated() {
            #expect(ThaiCalendar.weekday(named: name) == i)
        }
        #expect(ThaiCalendar.weekday(named: "พฤหัส") == 4)
        #expect(ThaiCalendar.weekday(of: CivilDate(year: 2023, month: 10, day: 18)) == 3)  // Wednesday
        #expect(ThaiCalendar.weekday(of: CivilDate(year: 1970, month: 1, day: 1)) == 4)  // Thursday
    }

    @Test(arguments: [
        ("วันพุธที่ 18 ตุลาคม 2566", CivilDate(year: 2023, month: 10, day: 18)),
        ("18 ตุลาคม 2566", CivilDate(year: 2023, month: 10, day: 18)),
        ("18 ต.ค. 2566", CivilDate(year: 2023, month: 10, day: 18)),
        ("24 ส.ค.63", CivilDate(year: 2020, month: 8, day: 24)),
        ("1/10/2566", CivilDate(year: 2023, month: 10, day: 1)),
        ("07/11/2566", CivilDate(year: 2023, month: 11, day: 7)),
        ("1/10/2023", CivilDate(year: 2023, month: 10, day: 1)),
        ("๒๕ สิงหาคม ๒๕๖๓", CivilDate(year: 2020, month: 8, day: 25)),
        ("18 ตุลาคม พ.ศ. 2566", CivilDate(year: 2023, month: 10, day: 18)),
        ("วันพฤหัสบดีที่ 1 มกราคม 2513", CivilDate(year: 1970, month: 1, day: 1)),
        ("วันพฤหัสที่ 9 พฤศจิกายน 2566", CivilDate(year: 2023, month: 11, day: 9)),
        ("  วันพุธที่\u{00A0}18  ตุลาคม 2566 ", CivilDate(year: 2023, month: 10, day: 18)),
    ])
    func parsesDateForms(text: String, expected: CivilDate) {
        #expect(ThaiCalendar.parseThaiDate(text) == expected)
    }

    @Test(arguments: [
        "วันพุธที่ 31 กุมภาพันธ์ 2566",  // no such day
        "วันจันทร์ที่ 18 ตุลาคม 2566",  // 18 Oct 2023 is a Wednesday
        "18 Octember 2566",
        "18 ตุลาคม",
        "ตุลาคม 2566",
        "18 ตุลาคม 256",
        "18 ตุลาคม 1850",  // neither BE (>= 2400) nor Gregorian (1901...2399)
        "32/01/2566",
        "1/13/2566",
        "1/10/25666",
        "",
        "วันพุธ",
        "18 ตุลาคม 2566 เวลา 10.00 น.",
    ])
    func rejectsBadDates(text: String) {
        #expect(ThaiCalendar.parseThaiDate(text) == nil)
    }

    @Test func shortForm() {
        #expect(ThaiCalendar.thaiShortForm(CivilDate(year: 2023, month: 10, day: 18)) == "18 ต.ค. 2566")
        #expect(ThaiCalendar.thaiDateLine(CivilDate(year: 2023, month: 10, day: 18)) == "วันพุธที่ 18 ตุลาคม 2566")
    }
}

extension String {
    fileprivate func replacingOccurrences(_ a: Character, _ b: String) -> String {
        var out = ""
        for c in self { if c == a { out += b } else { out.append(c) } }
        return out
    }
}
