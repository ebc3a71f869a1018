import Foundation
import KhaosanClient
package import KhaosanModel
package import KhaosanWire

/// The rows of a download: CSV (RFC 4180: CRLF, quoted when needed) or JSON Lines with the keys
/// of `khaosan search --json`, so a script reads either the same way.
package enum ExportFormat: String, Sendable, Hashable {
    case csv, jsonl

    package var contentType: String { self == .csv ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8" }

    package static let csvColumns = ["rank", "id", "published", "published_thai", "title", "category", "category_slug", "language", "score", "source_url", "snippet"]

    package var header: String { self == .csv ? Self.csvColumns.joined(separator: ",") + "\r\n" : "" }

    package func row(_ h: SearchHit, rank: Int) -> String {
        switch self {
        case .jsonl:
            return JSONShapes.hit(h, rank: rank).encoded() + "\n"
        case .csv:
            let cells = [
                String(rank), String(h.id), h.published.description, ThaiCalendar.thaiShortForm(h.published), h.title,
                h.category.name, h.category.slug ?? "", h.language.rawValue, formatDecimal(h.score, places: 4), h.sourceURL, h.snippet,
            ]
            return cells.map(Self.csvCell).joined(separator: ",") + "\r\n"
        }
    }

    /// Quoted when it holds a comma, quote, CR or LF; a cell a spreadsheet would read as a
    /// formula (`=`, `+`, `-`, `@` first) gets a leading `'`, as OWASP advises for CSV from
    /// outside: the releases are.
    package static func csvCell(_ s: String) -> String {
        var v = s
        if let f = v.unicodeScalars.first, "=+-@".unicodeScalars.contains(f) || f == "\t" || f == "\r" { v = "'" + v }
        guard v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else { return v }
        return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
