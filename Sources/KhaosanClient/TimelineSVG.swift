import Foundation
import KhaosanModel
import KhaosanWire

/// `khaosan timeline --svg`: a line chart, one line per query, as a standalone SVG that a
/// browser opens: axes with ticks, period labels (ISO and Thai), a legend, a title. Every text
/// is escaped; fonts that carry Thai come first.
package enum TimelineSVG {
    static let width = 960.0, height = 540.0
    static let left = 80.0, right = 48.0, top = 56.0, bottom = 120.0
    static let colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"]
    static let font = "'Noto Sans Thai', 'Sarabun', 'Tahoma', 'Leelawadee UI', sans-serif"

    package static func escape(_ s: String) -> String { MarkupText.escape(s) }

    static func num(_ v: Double) -> String { String(format: "%.1f", v) }

    /// Up to about `target` round steps (1, 2 or 5 times a power of ten) covering 0...maxValue.
    static func ticks(maxValue: Double, target: Int = 5) -> [Double] {
        guard maxValue > 0 else { return [0, 1] }
        let raw = maxValue / Double(target)
        let mag = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? 10 * mag
        var out: [Double] = []
        var v = 0.0
        while v < maxValue + step * 0.999 { out.append(v); v += step }
        return out
    }

    static func tickLabel(_ v: Double, ratio: Bool) -> String {
        if ratio { return String(format: v * 100 < 1 ? "%.2f%%" : "%.1f%%", v * 100) }
        return groupedDigits(UInt64(max(0, v.rounded())))
    }

    package static func render(_ t: TimelineTable, title: String) -> String {
        let plotW = width - left - right, plotH = height - top - bottom
        let drawn = t.series.filter { $0.error.isEmpty }
        let n = t.starts.count
        let maxValue = drawn.flatMap { s in t.starts.indices.map { t.value(s, $0) } }.max() ?? 0
        let yTicks = ticks(maxValue: maxValue)
        let yMax = max(yTicks.last ?? 1, 1e-12)
        func x(_ i: Int) -> Double { n <= 1 ? left + plotW / 2 : left + plotW * Double(i) / Double(n - 1) }
        func y(_ v: Double) -> Double { top + plotH - plotH * v / yMax }

        var o = """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="\(escape(font))" font-size="12">

        """
        o += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        o += "<text x=\"\(num(left))\" y=\"28\" font-size=\"16\" font-weight=\"bold\">\(escape(title))</text>\n"
        // Horizontal grid lines and the y axis' ticks.
        for v in yTicks {
            let yy = num(y(v))
            o += "<line x1=\"\(num(left))\" y1=\"\(yy)\" x2=\"\(num(left + plotW))\" y2=\"\(yy)\" stroke=\"#e0e0e0\"/>\n"
            o += "<line x1=\"\(num(left - 5))\" y1=\"\(yy)\" x2=\"\(num(left))\" y2=\"\(yy)\" stroke=\"black\"/>\n"
            o += "<text x=\"\(num(left - 8))\" y=\"\(yy)\" text-anchor=\"end\" dominant-baseline=\"middle\">\(escape(tickLabel(v, ratio: t.ratios)))</text>\n"
        }
        let yName = t.ratios ? "สัดส่วนของข่าวทั้งหมด (share of releases)" : "จำนวนข่าว (releases)"
        o += "<text transform=\"translate(18 \(num(top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\">\(escape(yName))</text>\n"
        // Axes.
        o += "<line x1=\"\(num(left))\" y1=\"\(num(top))\" x2=\"\(num(left))\" y2=\"\(num(top + plotH))\" stroke=\"black\"/>\n"
        o += "<line x1=\"\(num(left))\" y1=\"\(num(top + plotH))\" x2=\"\(num(left + plotW))\" y2=\"\(num(top + plotH))\" stroke=\"black\"/>\n"
        // X ticks: at most about 12 labelled periods.
        if n > 0 {
            let every = max(1, Int((Double(n) / 12).rounded(.up)))
            // Evenly spaced from the first; the last period is labelled only when it falls on a
            // step (one more label closer than a step would overlap its neighbour).
            let labelled = Array(stride(from: 0, to: n, by: every))
            for i in labelled {
                let xx = num(x(i)), base = top + plotH
                o += "<line x1=\"\(xx)\" y1=\"\(num(base))\" x2=\"\(xx)\" y2=\"\(num(base + 5))\" stroke=\"black\"/>\n"
                o += "<text x=\"\(xx)\" y=\"\(num(base + 18))\" text-anchor=\"middle\">\(escape(t.key(i)))</text>\n"
                o += "<text x=\"\(xx)\" y=\"\(num(base + 32))\" text-anchor=\"middle\" fill=\"#555\">\(escape(t.thaiLabel(i)))</text>\n"
            }
        }
        // One line per query (and a dot per period when there are few).
        for (k, s) in drawn.enumerated() {
            let c = colours[k % colours.count]
            let points = t.starts.indices.map { "\(num(x($0))),\(num(y(t.value(s, $0))))" }.joined(separator: " ")
            o += "<polyline fill=\"none\" stroke=\"\(c)\" stroke-width=\"2\" points=\"\(points)\"/>\n"
            if n <= 60 {
                for i in t.starts.indices { o += "<circle cx=\"\(num(x(i)))\" cy=\"\(num(y(t.value(s, i))))\" r=\"2.5\" fill=\"\(c)\"/>\n" }
            }
        }
        // Legend under the axis labels.
        var lx = left
        var ly = height - 48
        for (k, s) in drawn.enumerated() {
            let c = colours[k % colours.count]
            let label = "\(s.query) (\(groupedDigits(s.total)))"
            o += "<line x1=\"\(num(lx))\" y1=\"\(num(ly))\" x2=\"\(num(lx + 24))\" y2=\"\(num(ly))\" stroke=\"\(c)\" stroke-width=\"3\"/>\n"
            o += "<text x=\"\(num(lx + 30))\" y=\"\(num(ly))\" dominant-baseline=\"middle\">\(escape(label))</text>\n"
            lx += 30 + Double(displayWidth(label)) * 7.5 + 24
            if lx > width - 160 { lx = left; ly += 18 }
        }
        o += "</svg>\n"
        return o
    }
}
