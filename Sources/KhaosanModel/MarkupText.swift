/// Text from outside (every release is) made safe inside HTML, SVG and Atom (XML 1.0): the one
/// escaping the web pages, the timeline chart and the feeds share.
package enum MarkupText {
    /// Text and attribute values alike (attributes always double-quoted): `& < > " '` become
    /// entities (`&#39;`, which HTML and XML both know); C0 controls other than tab and newline,
    /// DEL and noncharacters become spaces, so nothing in a release can open a tag, end an
    /// attribute, or make a feed that XML 1.0 parsers refuse.
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
}
