package import KhaosanModel
package import KhaosanWire

/// `2023-10-18 (18 ต.ค. 2566)`.
package func bothDateForms(_ d: CivilDate) -> String {
    "\(d) (\(ThaiCalendar.thaiShortForm(d)))"
}

/// `12.3 MB` (decimal units, as disks and networks count).
package func formatBytes(_ n: UInt64) -> String {
    let units = ["B", "kB", "MB", "GB", "TB"]
    var v = Double(n)
    var i = 0
    while v >= 1000 && i < units.count - 1 {
        v /= 1000
        i += 1
    }
    if i == 0 { return "\(n) B" }
    return "\(formatDecimal(v, places: v < 10 ? 1 : 0)) \(units[i])"
}

/// Fixed decimals without Foundation's locale-dependent formatting.
package func formatDecimal(_ v: Double, places: Int) -> String {
    guard v.isFinite else { return "-" }
    var scale = 1.0
    for _ in 0..<places { scale *= 10 }
    let r = (abs(v) * scale).rounded()
    let whole = Int64(r / scale)
    var s = (v < 0 && r != 0 ? "-" : "") + String(whole)
    if places > 0 {
        let frac = String(Int64(r) - whole * Int64(scale))
        s += "." + String(repeating: "0", count: places - frac.count) + frac
    }
    return s
}

/// `1.2 ms`, `340 µs`, `2.5 s`.
package func formatDuration(micros: UInt64) -> String {
    if micros < 1000 { return "\(micros) µs" }
    if micros < 1_000_000 { return "\(formatDecimal(Double(micros) / 1000, places: 1)) ms" }
    return "\(formatDecimal(Double(micros) / 1_000_000, places: 2)) s"
}

/// `1:05:09` or `5:09`.
package func formatClock(seconds: Double) -> String {
    guard seconds.isFinite, seconds >= 0 else { return "--:--" }
    let s = Int(seconds.rounded())
    let h = s / 3600, m = s % 3600 / 60, sec = s % 60
    let ss = sec < 10 ? "0\(sec)" : "\(sec)"
    if h > 0 { return "\(h):\(m < 10 ? "0" : "")\(m):\(ss)" }
    return "\(m):\(ss)"
}

/// `1,234,567`.
package func groupedDigits(_ n: UInt64) -> String {
    let s = String(n)
    var out = ""
    for (i, c) in s.enumerated() {
        if i > 0 && (s.count - i) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return out
}

/// The highlight ranges of a hit as Swift ranges.
package func highlightRanges(_ h: [Highlight]) -> [Range<Int>] {
    h.compactMap { $0.end > $0.start ? Int($0.start)..<Int($0.end) : nil }
}

/// A hit as text lines for an 80-column (or `width`) terminal:
///
///      1. <title, truncated>
///         2023-10-18 (18 ต.ค. 2566) · ข่าวทำเนียบรัฐบาล · 12345
///         <snippet, wrapped, matches highlighted>
package func renderHit(
    _ h: SearchHit, rank: Int, rankWidth: Int, width: Int, style: Style, snippetLines: Int = 3,
    wordBreaks: (String) -> Set<Int> = { _ in [] }
) -> [String] {
    let label = "\(rank).".leftPadded(toWidth: rankWidth + 1) + " "
    let indent = String(repeating: " ", count: displayWidth(label))
    let room = max(20, width - displayWidth(label))
    var lines: [String] = []
    lines.append(label + style.bold(h.title.truncated(toWidth: room)))
    var meta = "\(bothDateForms(h.published)) · \(h.category.name)"
    if h.language != .th { meta += " · \(h.language.rawValue)" }
    let idText = "#\(h.id)"
    if displayWidth(meta) + 3 + displayWidth(idText) <= room {
        lines.append(indent + style.dim(meta + " · " + idText))
    } else {
        lines.append(indent + style.dim(meta.truncated(toWidth: room)))
    }
    if !h.snippet.isEmpty {
        // Paragraph breaks inside a snippet become spaces (one byte for one byte, so the
        // highlight offsets still hold) and the snippet wraps as one block.
        let snippet = String(decoding: h.snippet.utf8.map { $0 == 0x0A || $0 == 0x0D || $0 == 0x09 ? 0x20 : $0 }, as: UTF8.self)
        let runs = styledRuns(snippet, highlights: highlightRanges(h.highlights))
        var wrapped = wrap(runs, width: room, breaks: wordBreaks(snippet))
        if wrapped.count > snippetLines {
            wrapped = Array(wrapped.prefix(snippetLines))
            // Mark the cut on the last kept line, within the width.
            var last = wrapped[snippetLines - 1]
            let text = last.map(\.text).joined()
            if displayWidth(text) + 1 > room, var tail = last.last {
                tail.text = tail.text.truncated(toWidth: max(1, displayWidth(tail.text) - 1), ellipsis: "")
                last[last.count - 1] = tail
            }
            last.append(StyledRun("…", highlighted: false))
            wrapped[snippetLines - 1] = last
        }
        for l in wrapped { lines.append(indent + style.render(l)) }
    }
    return lines
}
