import KhaosanModel

/// The frame every page shares: the document head (the app's own CSS and JS, nothing from
/// elsewhere), the header with the search form, and the footer.
package enum PageLayout {
    package static func page(title: String, view: SearchView?, body: String) -> String {
        """
        <!doctype html>
        <html lang="th"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(HTML.escape(title))</title>
        <link rel="stylesheet" href="\(StaticAssets.cssPath)">
        <script src="\(StaticAssets.jsPath)" defer></script>
        </head><body>
        <header><a class="home" href="/">ข่าวสาร · Khaosan</a>
        \(searchForm(view ?? SearchView()))
        </header>
        <main id="main">\(body)</main>
        <footer>คลังข่าวประชาสัมพันธ์รัฐบาลไทย (Thai government press release archive) · <a href="https://www.thaigov.go.th/">thaigov.go.th</a></footer>
        </body></html>
        """
    }

    /// A plain GET form: without JavaScript, Enter submits it; with it, results follow the typing.
    /// The current filters ride along as hidden fields, so a new query keeps them.
    static func searchForm(_ v: SearchView) -> String {
        var o = "<form id=\"search-form\" method=\"get\" action=\"/\" role=\"search\">"
        o += "<label for=\"q\">ค้นหา <span class=\"en\">(Search)</span></label>"
        o += "<input id=\"q\" name=\"q\" type=\"search\" value=\"\(HTML.escape(v.query))\" autocomplete=\"off\" maxlength=\"\(SearchView.maxQueryBytes)\" placeholder=\"เช่น วัคซีน, &quot;น้ำท่วม&quot; OR ภัยแล้ง\">"
        for c in v.categories { o += hidden("category", c) }
        if let l = v.language { o += hidden("lang", l.rawValue) }
        if let m = v.month { o += hidden("month", m.description) }
        if let f = v.from { o += hidden("from", f.description) }
        if let t = v.to { o += hidden("to", t.description) }
        o += "<select name=\"sort\" id=\"sort\" aria-label=\"เรียงตาม (Sort)\">"
        for (s, label) in [(SearchView.Sort.relevance, "ตรงที่สุด (relevance)"), (.newest, "ใหม่สุด (newest)"), (.oldest, "เก่าสุด (oldest)")] {
            o += "<option value=\"\(s.rawValue)\"\(s == v.sort ? " selected" : "")>\(label)</option>"
        }
        o += "</select><button type=\"submit\">ค้นหา (Search)</button></form>"
        return o
    }

    static func hidden(_ name: String, _ value: String) -> String {
        "<input type=\"hidden\" name=\"\(name)\" value=\"\(HTML.escape(value))\">"
    }
}
