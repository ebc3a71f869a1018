import KhaosanClient
package import KhaosanModel
package import KhaosanWire

/// The search page's changing part (the fragment the script fetches as one types, and the
/// body of the full page): total, filters in force, downloads, the timeline, the facets and the
/// hits. Every text from a release is escaped.
package enum SearchPage {
    /// What the query service said for one view.
    package struct Results: Sendable {
        package var search: SearchResponse
        package var timeline: TimelineResponse?
        package var period: TimelinePeriod
        /// Matches per language under the other filters (the language facet).
        package var languages: [(Language, UInt64)]
        package init(search: SearchResponse, timeline: TimelineResponse?, period: TimelinePeriod, languages: [(Language, UInt64)]) {
            self.search = search
            self.timeline = timeline
            self.period = period
            self.languages = languages
        }
    }

    package static func title(_ v: SearchView) -> String {
        v.query.isEmpty ? "Khaosan · คลังข่าวรัฐบาล" : "\(v.query) · ค้นหา (search) · Khaosan"
    }

    package static func fragment(_ v: SearchView, _ r: Results) -> String {
        let s = r.search
        var o = "<div id=\"results\" data-total=\"\(s.total)\" data-url=\"\(HTML.escape(v.url))\">"
        o += "<p class=\"summary\"><span id=\"total\">พบ \(groupedDigits(s.total)) ข่าว</span> <span class=\"en\">(\(groupedDigits(s.total)) results)</span>"
        o += " · <a class=\"download\" id=\"csv\" href=\"\(HTML.escape(v.path("/export.csv")))\" download>ดาวน์โหลด CSV (download)</a>"
        o += " · <a class=\"download\" id=\"jsonl\" href=\"\(HTML.escape(v.path("/export.jsonl")))\" download>JSON Lines</a></p>"
        o += chips(v)
        if s.total == 0 {
            o += empty(v, s)
            return o + "</div>"
        }
        if let t = r.timeline {
            let bars = TimelineChart.bars(t, period: r.period, view: v)
            let unit = switch r.period { case .day: "รายวัน (per day)"; case .week: "รายสัปดาห์ (per week)"; case .month: "รายเดือน (per month)"; case .year: "รายปี (per year)" }
            o += "<figure class=\"chart\">" + TimelineChart.svg(bars, caption: "จำนวนข่าว\(unit)")
            o += "<figcaption>จำนวนข่าว\(unit) · คลิกแท่งเพื่อกรองช่วงเวลา (click a bar to filter by period)</figcaption></figure>"
        }
        o += "<div class=\"cols\"><aside class=\"facets\">"
        o += facetBlock(id: "facet-category", thai: "หมวดหมู่", english: "Category", items: s.categoryFacets.map { f in
            let on = v.categories.contains(f.key) || v.categories.contains(f.label)
            let next = v.with { w in
                if on { w.categories.removeAll { $0 == f.key || $0 == f.label } } else { w.categories.append(f.key) }
            }
            return (f.label.isEmpty ? f.key : f.label, f.count, next.url, on)
        })
        o += facetBlock(id: "facet-language", thai: "ภาษา", english: "Language", items: r.languages.map { lang, n in
            let on = v.language == lang
            let next = v.with { $0.language = on ? nil : lang }
            return (lang == .th ? "ไทย (Thai)" : "อังกฤษ (English)", n, next.url, on)
        })
        let months = s.monthFacets.compactMap { f in CivilMonthKey(f.key).map { ($0, f.count) } }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 > $1.0 }.prefix(12)
        o += facetBlock(id: "facet-month", thai: "เดือน", english: "Month", items: months.map { m, n in
            let on = v.month == m
            let next = v.with { $0.month = on ? nil : m }
            return ("\(m.thai) (\(m))", n, next.url, on)
        })
        o += "</aside><section class=\"hits\"><ol class=\"hits\" start=\"\((v.page - 1) * SearchView.pageSize + 1)\">"
        for h in s.hits { o += hit(h) }
        o += "</ol>" + pager(v, total: s.total) + "</section></div></div>"
        return o
    }

    static func hit(_ h: SearchHit) -> String {
        var o = "<li class=\"hit\"><a class=\"title\" href=\"/release/\(h.id)\">\(HTML.escape(h.title))</a>"
        o += "<div class=\"meta\">" + ReleasePage.dateHTML(h.published) + " · \(HTML.escape(h.category.name)) · \(h.language == .th ? "ไทย" : "English")</div>"
        if !h.snippet.isEmpty { o += "<p class=\"snippet\">\(SnippetHTML.render(h.snippet, highlights: h.highlights))</p>" }
        return o + "</li>"
    }

    static func facetBlock(id: String, thai: String, english: String, items: [(String, UInt64, String, Bool)]) -> String {
        guard !items.isEmpty else { return "" }
        var o = "<nav class=\"facet\" id=\"\(id)\"><h2>\(thai) <span class=\"en\">(\(english))</span></h2><ul>"
        for (label, count, href, on) in items {
            o += "<li\(on ? " class=\"on\"" : "")><a href=\"\(HTML.escape(href))\">\(HTML.escape(label))\(on ? " ✕" : "")</a> <span class=\"count\">\(groupedDigits(count))</span></li>"
        }
        return o + "</ul></nav>"
    }

    /// The filters in force, each with a link that drops it.
    static func chips(_ v: SearchView) -> String {
        var items: [(String, SearchView)] = []
        for c in v.categories { items.append(("หมวด (category): \(CategoryCatalog.resolve(c)?.name ?? c)", v.with { $0.categories.removeAll { $0 == c } })) }
        if let l = v.language { items.append(("ภาษา (language): \(l.rawValue)", v.with { $0.language = nil })) }
        if let m = v.month { items.append(("เดือน (month): \(m.thai) (\(m))", v.with { $0.month = nil })) }
        if let f = v.from { items.append(("ตั้งแต่ (from): \(f)", v.with { $0.from = nil })) }
        if let t = v.to { items.append(("ถึง (to): \(t)", v.with { $0.to = nil })) }
        guard !items.isEmpty else { return "" }
        var o = "<ul class=\"chips\">"
        for (label, next) in items { o += "<li><a href=\"\(HTML.escape(next.url))\" title=\"เอาออก (remove)\">\(HTML.escape(label)) ✕</a></li>" }
        let clear = SearchView().with { $0.query = v.query; $0.sort = v.sort }
        return o + "<li><a href=\"\(HTML.escape(clear.url))\">ล้างตัวกรอง (clear filters)</a></li></ul>"
    }

    /// Nothing matched: say so, and offer what the query service suggests.
    static func empty(_ v: SearchView, _ s: SearchResponse) -> String {
        var o = "<section class=\"empty\" id=\"no-results\"><h2>ไม่พบข่าวที่ตรงกับ “\(HTML.escape(v.query))” <span class=\"en\">(no releases match)</span></h2>"
        if !s.suggestions.isEmpty {
            o += "<p>หรือหมายถึง <span class=\"en\">(did you mean)</span>:</p><ul>"
            for sug in s.suggestions {
                let next = v.with { $0.query = sug.key }
                o += "<li><a href=\"\(HTML.escape(next.url))\">\(HTML.escape(sug.key))</a> <span class=\"count\">\(groupedDigits(sug.count))</span></li>"
            }
            o += "</ul>"
        } else if !v.categories.isEmpty || v.language != nil || v.month != nil || v.from != nil || v.to != nil {
            o += "<p>ลองเอาตัวกรองออก <span class=\"en\">(try removing a filter)</span>.</p>"
        }
        return o + "</section>"
    }

    static func pager(_ v: SearchView, total: UInt64) -> String {
        let pages = min(SearchView.maxPage, Int((total + UInt64(SearchView.pageSize) - 1) / UInt64(SearchView.pageSize)))
        guard pages > 1 else { return "" }
        var o = "<nav class=\"pager\">"
        if v.page > 1 {
            var prev = v; prev.page -= 1
            o += "<a rel=\"prev\" href=\"\(HTML.escape(prev.url))\">← ก่อนหน้า (previous)</a> "
        }
        o += "<span>หน้า \(v.page) / \(pages) (page)</span>"
        if v.page < pages {
            var next = v; next.page += 1
            o += " <a rel=\"next\" href=\"\(HTML.escape(next.url))\">ถัดไป (next) →</a>"
        }
        return o + "</nav>"
    }

    /// No query yet: the newest releases and how many the archive holds.
    package static func landing(latest: [SearchHit], stats: StatsResponse?) -> String {
        var o = "<div id=\"results\" data-total=\"0\" data-url=\"/\">"
        if let stats {
            o += "<p class=\"summary\">คลังมีข่าว \(groupedDigits(stats.releases)) ข่าว <span class=\"en\">(\(groupedDigits(stats.releases)) releases"
            if let f = stats.first, let l = stats.last { o += ", \(f) – \(l)" }
            o += ")</span></p>"
        }
        o += "<section class=\"hits\"><h2>ข่าวล่าสุด <span class=\"en\">(latest)</span></h2><ol class=\"hits\">"
        for h in latest { o += hit(h) }
        return o + "</ol></section></div>"
    }
}
