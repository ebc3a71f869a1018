import KhaosanClient
package import KhaosanModel
package import KhaosanWire

/// One release: the full text, its date in both calendars, category, source link and the list
/// of its stored versions (an older one shown with `?version=N`).
package enum ReleasePage {
    /// `<time>2023-10-18</time> (18 ต.ค. 2566)`.
    package static func dateHTML(_ d: CivilDate) -> String {
        "<time datetime=\"\(d)\">\(d)</time> (\(HTML.escape(ThaiCalendar.thaiShortForm(d))))"
    }

    /// `shown` is the version to show: the current one (`response.version`) or an older one.
    package static func render(_ response: GetResponse, current: Release, shown: UInt32, back: SearchView?) -> String {
        let r = shown == response.version ? current : (response.versions.first { $0.version == shown }?.release ?? current)
        var o = "<article class=\"release\" id=\"release\" data-id=\"\(r.id)\">"
        if let back, !back.query.isEmpty {
            o += "<p class=\"back\"><a href=\"\(HTML.escape(back.url))\">← กลับไปผลการค้นหา (back to the results)</a></p>"
        }
        o += "<h1 id=\"release-title\">\(HTML.escape(r.title))</h1>"
        if shown != response.version {
            o += "<p class=\"notice\">ฉบับเก่า (an older version): ฉบับที่ \(shown) จาก \(response.version) · <a href=\"/release/\(r.id)\">ฉบับปัจจุบัน (current version)</a></p>"
        }
        o += "<dl class=\"facts\">"
        o += "<dt>วันที่ <span class=\"en\">(date)</span></dt><dd><time datetime=\"\(r.published)\">\(HTML.escape(ThaiCalendar.thaiLongForm(r.published)))</time> · \(r.published)</dd>"
        o += "<dt>หมวดหมู่ <span class=\"en\">(category)</span></dt><dd>\(HTML.escape(r.category.name))\(r.category.slug.map { " <span class=\"en\">(\(HTML.escape($0)))</span>" } ?? "")</dd>"
        o += "<dt>ภาษา <span class=\"en\">(language)</span></dt><dd>\(r.language == .th ? "ไทย (Thai)" : "อังกฤษ (English)")</dd>"
        o += "<dt>ที่มา <span class=\"en\">(source)</span></dt><dd>"
        if let url = HTML.safeExternalURL(r.sourceURL) {
            o += "<a id=\"source\" href=\"\(HTML.escape(url))\" rel=\"noopener noreferrer\">\(HTML.escape(url))</a>"
        } else {
            o += HTML.escape(r.sourceURL)
        }
        o += "</dd><dt>รหัส <span class=\"en\">(id)</span></dt><dd>\(r.id)</dd></dl>"
        o += "<div class=\"body\" id=\"release-body\">"
        if r.paragraphs.isEmpty {
            o += "<p class=\"notice\">ข่าวนี้มีเพียงหัวข้อ (title only: the page had a photo or a video)</p>"
        }
        for p in r.paragraphs { o += "<p>\(HTML.escape(p))</p>" }
        o += "</div>"
        if !r.entities.isEmpty {
            o += "<section class=\"entities\"><h2>ชื่อที่พบ <span class=\"en\">(names)</span></h2><ul>"
            for e in r.entities.prefix(50) { o += "<li>\(HTML.escape(e))</li>" }
            o += "</ul></section>"
        }
        o += versions(response, id: current.id, shown: shown)
        return o + "</article>"
    }

    static func versions(_ response: GetResponse, id: Int64, shown: UInt32) -> String {
        var o = "<section class=\"versions\" id=\"versions\"><h2>ฉบับที่เก็บไว้ <span class=\"en\">(versions)</span></h2><ol>"
        for v in response.versions where v.version != response.version {
            let label = "ฉบับที่ \(v.version) (version \(v.version)) · เก็บเมื่อ (stored) \(isoTimestamp(unixMillis: v.storedAtUnixMs)) · \(HTML.escape(v.contentHash))"
            o += v.version == shown ? "<li class=\"on\">\(label)</li>" : "<li><a href=\"/release/\(id)?version=\(v.version)\">\(label)</a></li>"
        }
        let cur = "ฉบับที่ \(response.version) (version \(response.version)) · ปัจจุบัน (current)"
        o += response.version == shown ? "<li class=\"on\">\(cur)</li>" : "<li><a href=\"/release/\(id)\">\(cur)</a></li>"
        return o + "</ol></section>"
    }
}
