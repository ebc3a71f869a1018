import KhaosanWeb
import KhaosanWire
import Testing

@Suite struct HTMLEscapingTests {
    @Test(arguments: [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("\"onmouseover='x'", "&quot;onmouseover=&#39;x&#39;"),
        ("a & b", "a &amp; b"),
        ("ข่าว\u{0}\u{1B}ไทย", "ข่าว  ไทย"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
    ])
    func escapes(input: String, expected: String) {
        #expect(HTML.escape(input) == expected)
    }

    @Test(arguments: [
        ("https://www.thaigov.go.th/news/contents/details/1", true),
        ("HTTP://example.com/x", true),
        ("javascript:alert(1)", false),
        (" https://x", false),
        ("https://x\" onclick=\"y", false),
        ("data:text/html,<b>", false),
    ])
    func onlyHTTPLinks(url: String, linked: Bool) {
        #expect((HTML.safeExternalURL(url) != nil) == linked)
    }

    /// Highlights are UTF-8 offsets: Thai characters are three bytes each.
    @Test func snippetHighlightsThai() {
        let snippet = "ฉีดวัคซีน<b>"
        let start = UInt32("ฉีด".utf8.count), end = start + UInt32("วัคซีน".utf8.count)
        #expect(SnippetHTML.render(snippet, highlights: [Highlight(start: start, end: end)]) == "ฉีด<mark>วัคซีน</mark>&lt;b&gt;")
    }

    @Test func snippetRangesPastTheEndOrOverlappingAreClipped() {
        let s = "abcdef"
        let out = SnippetHTML.render(s, highlights: [Highlight(start: 4, end: 99), Highlight(start: 1, end: 3), Highlight(start: 2, end: 5)])
        #expect(out == "a<mark>bc</mark><mark>de</mark><mark>f</mark>")
    }
}
