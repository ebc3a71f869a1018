import KhaosanClient
package import KhaosanModel
package import KhaosanWire

/// The bar chart above the results: one bar per period of the query's timeline, each a link to
/// the same search narrowed to that period. Inline SVG with presentation attributes only (the
/// Content-Security-Policy allows no inline style), a `<title>` per bar for its count.
package enum TimelineChart {
    package struct Bar: Sendable, Hashable {
        package var start: CivilDate
        package var count: UInt64
        package var label: String
        package var href: String
    }

    static let width = 720, height = 120, labelRoom = 18

    /// The bars of `response`'s first series; a period of `period` length each.
    package static func bars(_ response: TimelineResponse, period: TimelinePeriod, view: SearchView) -> [Bar] {
        guard let series = response.series.first, series.error.isEmpty else { return [] }
        let starts = response.periodStarts
        return zip(starts, series.counts).map { start, count in
            let narrowed: SearchView
            let label: String
            switch period {
            case .day:
                narrowed = view.with { $0.month = nil; $0.from = start; $0.to = start }
                label = "\(start) (\(ThaiCalendar.thaiShortForm(start)))"
            case .week:
                let end = CivilDate(daysSinceEpoch: start.daysSinceEpoch + 6)
                narrowed = view.with { $0.month = nil; $0.from = start; $0.to = end }
                label = "\(start) – \(end)"
            case .month:
                let m = CivilMonthKey(start)
                narrowed = view.with { $0.month = m; $0.from = nil; $0.to = nil }
                label = "\(m) (\(m.thai))"
            case .year:
                narrowed = view.with { $0.month = nil; $0.from = start; $0.to = CivilDate(year: start.year, month: 12, day: 31) }
                label = "\(start.year) (พ.ศ. \(ThaiCalendar.buddhistEraYear(gregorian: start.year)))"
            }
            return Bar(start: start, count: count, label: label, href: narrowed.url)
        }
    }

    package static func svg(_ bars: [Bar], caption: String) -> String {
        guard !bars.isEmpty else { return "" }
        let maxCount = max(bars.map(\.count).max() ?? 0, 1)
        let plotH = height - labelRoom
        let step = Double(width) / Double(bars.count)
        let barW = max(1.0, step * 0.85)
        var o = "<svg class=\"timeline\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"\(HTML.escape(caption))\" xmlns=\"http://www.w3.org/2000/svg\">"
        for (i, b) in bars.enumerated() {
            let h = b.count == 0 ? 0 : max(2, Int((Double(plotH) * Double(b.count) / Double(maxCount)).rounded()))
            let x = Double(i) * step
            // The link's hit area is the whole column, so a period with few releases is still easy to click.
            o += "<a href=\"\(HTML.escape(b.href))\" class=\"bar\"><title>\(HTML.escape(b.label)): \(groupedDigits(b.count))</title>"
            o += "<rect x=\"\(fmt(x))\" y=\"0\" width=\"\(fmt(step))\" height=\"\(plotH)\" fill=\"transparent\"/>"
            o += "<rect x=\"\(fmt(x))\" y=\"\(plotH - h)\" width=\"\(fmt(barW))\" height=\"\(h)\" fill=\"#3b6ea5\"/></a>"
        }
        // First and last period under the axis.
        o += "<text x=\"0\" y=\"\(height - 4)\" font-size=\"11\" fill=\"#555\">\(HTML.escape(bars.first!.label))</text>"
        o += "<text x=\"\(width)\" y=\"\(height - 4)\" font-size=\"11\" fill=\"#555\" text-anchor=\"end\">\(HTML.escape(bars.last!.label))</text>"
        o += "</svg>"
        return o
    }

    static func fmt(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(r)
    }
}

