package import KhaosanWire

/// A snippet with its highlight ranges as HTML: the original characters between the ranges
/// escaped, each range escaped inside `<mark>`.
package enum SnippetHTML {
    /// `highlights` are UTF-8 byte offsets into `snippet` (as the query service sends them);
    /// ranges out of order, overlapping or past the end are clipped, never trusted.
    package static func render(_ snippet: String, highlights: [Highlight]) -> String {
        let bytes = Array(snippet.utf8)
        var out = ""
        var at = 0
        for h in highlights.sorted(by: { $0.start < $1.start }) {
            let start = max(at, min(Int(h.start), bytes.count))
            let end = max(start, min(Int(h.end), bytes.count))
            guard end > start else { continue }
            out += HTML.escape(String(decoding: bytes[at..<start], as: UTF8.self))
            out += "<mark>" + HTML.escape(String(decoding: bytes[start..<end], as: UTF8.self)) + "</mark>"
            at = end
        }
        out += HTML.escape(String(decoding: bytes[at...], as: UTF8.self))
        return out
    }
}
