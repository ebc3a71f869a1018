import Foundation
package import KhaosanModel
package import KhaosanWire

/// A timeline as the CLI renders it: periods with their labels, a series per query, and the
/// releases per period when ratios were asked for. Pure values, so every output form (bars,
/// CSV, JSON, SVG) is tested without a service.
package struct TimelineTable: Sendable, Hashable {
    package var period: TimelinePeriod
    package var starts: [CivilDate]
    package var series: [TimelineSeries]
    /// Empty unless `--ratio`.
    package var totals: [UInt64]

    package init(period: TimelinePeriod, starts: [CivilDate], series: [TimelineSeries], totals: [UInt64] = []) {
        self.period = period
        self.starts = starts
        self.series = series
        self.totals = totals
    }

    package var ratios: Bool { !totals.isEmpty }

    /// The share of period `i`'s releases that `s` matched (0 for a period without releases).
    package func ratio(_ s: TimelineSeries, _ i: Int) -> Double {
        guard i < totals.count, totals[i] > 0, i < s.counts.count else { return 0 }
        return Double(s.counts[i]) / Double(totals[i])
    }

    /// What the chart and the bars draw for period `i`: the count, or with `--ratio` the share.
    package func value(_ s: TimelineSeries, _ i: Int) -> Double {
        ratios ? ratio(s, i) : Double(i < s.counts.count ? s.counts[i] : 0)
    }

    /// The period's ISO key: `2023-10-05`, `2023-W40` (ISO week, from its Monday), `2023-10`, `2023`.
    package func key(_ i: Int) -> String { Self.key(period, starts[i]) }

    package static func key(_ period: TimelinePeriod, _ d: CivilDate) -> String {
        let iso = d.description
        switch period {
        case .day: return iso
        case .week:
            // The ISO week-numbering year is the year of the week's Thursday.
            let thursday = CivilDate(daysSinceEpoch: d.daysSinceEpoch + 3)
            let jan1 = CivilDate(year: thursday.year, month: 1, day: 1)
            let week = (thursday.daysSinceEpoch - jan1.daysSinceEpoch) / 7 + 1
            return "\(thursday.year)-W\(week < 10 ? "0" : "")\(week)"
        case .month: return String(iso.prefix(7))
        case .year: return String(iso.prefix(4))
        }
    }

    /// The Thai form, Buddhist-era year: `5 ต.ค. 2566`, `สัปดาห์ 2 ต.ค. 2566`, `ต.ค. 2566`, `พ.ศ. 2566`.
    package func thaiLabel(_ i: Int) -> String { Self.thaiLabel(period, starts[i]) }

    package static func thaiLabel(_ period: TimelinePeriod, _ d: CivilDate) -> String {
        let be = ThaiCalendar.buddhistEraYear(gregorian: d.year)
        switch period {
        case .day: return ThaiCalendar.thaiShortForm(d)
        case .week: return "สัปดาห์ \(ThaiCalendar.thaiShortForm(d))"
        case .month: return "\(ThaiCalendar.monthAbbreviations[d.month - 1]) \(be)"
        case .year: return "พ.ศ. \(be)"
        }
    }

    /// The first day of the period after the one starting on `d`.
    package static func next(_ period: TimelinePeriod, _ d: CivilDate) -> CivilDate {
        switch period {
        case .day: CivilDate(daysSinceEpoch: d.daysSinceEpoch + 1)
        case .week: CivilDate(daysSinceEpoch: d.daysSinceEpoch + 7)
        case .month: d.month == 12 ? CivilDate(year: d.year + 1, month: 1, day: 1) : CivilDate(year: d.year, month: d.month + 1, day: 1)
        case .year: CivilDate(year: d.year + 1, month: 1, day: 1)
        }
    }

    package static func periodName(_ p: TimelinePeriod) -> String {
        switch p {
        case .day: "day"
        case .week: "week"
        case .month: "month"
        case .year: "year"
        }
    }
}

extension TimelineTable {
    /// RFC 4180: a header `period,<query>...` (and `releases` with ratios), one row per period,
    /// CRLF line ends, fields quoted when they hold a comma, a quote or a line break.
    package func csv() -> String {
        var header = ["period"] + series.map(\.query)
        if ratios { header.append("releases") }
        var out = Self.csvRow(header)
        for i in starts.indices {
            var row = [key(i)]
            for s in series {
                row.append(ratios ? Self.ratioText(ratio(s, i)) : String(i < s.counts.count ? s.counts[i] : 0))
            }
            if ratios { row.append(String(totals[i])) }
            out += Self.csvRow(row)
        }
        return out
    }

    package static func csvRow(_ fields: [String]) -> String {
        fields.map(csvField).joined(separator: ",") + "\r\n"
    }

    package static func csvField(_ f: String) -> String {
        guard f.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) || f.hasPrefix(" ") || f.hasSuffix(" ") else { return f }
        return "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func ratioText(_ r: Double) -> String {
        var s = String(format: "%.6f", r)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }

    /// One JSON object per query: `query`, `by`, `total`, `periods` (each `period`, `start`,
    /// `thai`, `count`, and with ratios `releases` and `ratio`); a query that did not parse:
    /// `query`, `error`, `position`.
    package func jsonLines() -> [JSONValue] {
        series.map { s in
            if !s.error.isEmpty {
                return .object([("query", .string(s.query)), ("error", .string(s.error)), ("position", .uint(UInt64(s.errorPosition)))])
            }
            let periods: [JSONValue] = starts.indices.map { i in
                var o: [(String, JSONValue)] = [("period", .string(key(i))), ("start", .string(starts[i].description)),
                                                ("thai", .string(thaiLabel(i))), ("count", .uint(i < s.counts.count ? s.counts[i] : 0))]
                if ratios { o += [("releases", .uint(totals[i])), ("ratio", .double(ratio(s, i)))] }
                return .object(o)
            }
            return .object([("query", .string(s.query)), ("by", .string(Self.periodName(period))), ("total", .uint(s.total)),
                            ("periods", .array(periods))])
        }
    }

    /// A bar chart per query for a terminal: the ISO key and the Thai label, a bar scaled to the
    /// query's largest period (eighths of a cell), the count (and share).
    package func bars(width: Int, style: Style) -> [String] {
        var out: [String] = []
        let keyWidth = starts.indices.map { displayWidth(key($0)) }.max() ?? 0
        let thaiWidth = starts.indices.map { displayWidth(thaiLabel($0)) }.max() ?? 0
        for (n, s) in series.enumerated() {
            if n > 0 { out.append("") }
            if !s.error.isEmpty {
                out.append(style.bold(s.query) + "  " + style.red("query error at character \(s.errorPosition): \(s.error)"))
                continue
            }
            out.append(style.bold(s.query) + style.dim("  \(groupedDigits(s.total)) releases"))
            let values = starts.indices.map { value(s, $0) }
            let top = values.max() ?? 0
            let numbers = starts.indices.map { i in
                let c = groupedDigits(i < s.counts.count ? s.counts[i] : 0)
                return ratios ? "\(c)  \(String(format: "%.2f%%", ratio(s, i) * 100))" : c
            }
            let numberWidth = numbers.map { displayWidth($0) }.max() ?? 1
            let room = max(10, width - keyWidth - thaiWidth - numberWidth - 7)
            for i in starts.indices {
                let bar = Self.bar(values[i], of: top, cells: room)
                out.append("  " + key(i).padded(toWidth: keyWidth) + "  " + thaiLabel(i).padded(toWidth: thaiWidth) + " "
                           + style.cyan(bar) + String(repeating: " ", count: room - displayWidth(bar)) + " " + numbers[i].leftPadded(toWidth: numberWidth))
            }
        }
        return out
    }

    static let eighths = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]

    /// A bar of `v / top` of `cells` cells, to an eighth of a cell; at least a sliver when v > 0.
    static func bar(_ v: Double, of top: Double, cells: Int) -> String {
        guard top > 0, v > 0 else { return "" }
        let e = max(1, Int((v / top * Double(cells * 8)).rounded()))
        return String(repeating: "█", count: e / 8) + eighths[e % 8]
    }
}
