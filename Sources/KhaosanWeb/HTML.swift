/// Escaping for text from outside (every release is): the only way a string reaches a page.
package enum HTML {
    /// Text and attribute values alike (attributes are always double-quoted here): `& < > " '`
    /// become entities; C0 controls other than tab and newline, and noncharacters, become spaces,
    /// so nothing in a release can open a tag, end an attribute or upset the parser.
    package static func escape(_ s: some StringProtocol) -> String {
        var o = ""
        o.reserveCapacity(s.utf8.count + 16)
        for ch in s.unicodeScalars {
            switch ch {
            case "&": o += "&amp;"
            case "<": o += "&lt;"
            case ">": o += "&gt;"
            case "\"": o += "&quot;"
            case "'": o += "&#39;"
            case _ where ch.value < 0x20 && ch != "\t" && ch != "\n": o += " "
            case _ where ch.value == 0x7F || (0xFDD0...0xFDEF).contains(ch.value) || ch.value & 0xFFFE == 0xFFFE: o += " "
            default: o.unicodeScalars.append(ch)
            }
        }
        return o
    }

    /// A link target for a URL that came with a release: only http(s), else nil (a
    /// `javascript:` source URL must never become a link, escaped or not).
    package static func safeExternalURL(_ s: String) -> String? {
        let lower = s.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://") else { return nil }
        guard !s.unicodeScalars.contains(where: { $0.value <= 0x20 || $0 == "\"" || $0 == "<" || $0 == ">" || $0 == "\\" }) else { return nil }
        return s
    }
}
