import KhaosanModel
/// Escaping for text from outside (every release is): the only way a string reaches a page.
package enum HTML {
    /// Text and attribute values alike (`MarkupText.escape`, shared with the chart and feeds).
    package static func escape(_ s: some StringProtocol) -> String { MarkupText.escape(s) }

    /// A link target for a URL that came with a release: only http(s), else nil (a
    /// `javascript:` source URL must never become a link, escaped or not).
    package static func safeExternalURL(_ s: String) -> String? {
        let lower = s.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://") else { return nil }
        guard !s.unicodeScalars.contains(where: { $0.value <= 0x20 || $0 == "\"" || $0 == "<" || $0 == ">" || $0 == "\\" }) else { return nil }
        return s
    }
}
