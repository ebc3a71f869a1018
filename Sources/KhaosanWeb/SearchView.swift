import Foundation
package import KhaosanModel
package import KhaosanWire

/// What a search page shows, read from its URL and written back to one: the query, the
/// filters, the order and the page. Every link on a page is another `SearchView`'s `url`, so a
/// URL reproduces its view and a copied one shows the same thing to someone else.
package struct SearchView: Sendable, Hashable {
    package enum Sort: String, Sendable, Hashable, CaseIterable { case relevance, newest, oldest }

    package var query: String = ""
    /// Category slugs (or names, for categories without one); any of them matches.
    package var categories: [String] = []
    package var language: Language?
    /// A calendar month, `YYYY-MM`: the timeline's bars and the month facet set it.
    package var month: CivilMonthKey?
    package var from: CivilDate?
    package var to: CivilDate?
    package var sort: Sort = .relevance
    package var page: Int = 1

    package static let pageSize = 20
    /// Deeper than this a reader narrows the query; the export gives the rest.
    package static let maxPage = 250
    /// The query language has its own limits; this keeps a URL of megabytes from reaching it.
    package static let maxQueryBytes = 1024

    package init() {}

    /// Reads the view from a query string; a parameter with a value it cannot take is an
    /// error naming it (the page says which).
    package init(form: FormQuery) throws(WebInputError) {
        query = (form.first("q") ?? "").trimmingCharacters(in: .whitespaces)
        guard query.utf8.count <= Self.maxQueryBytes else {
            throw WebInputError(parameter: "q", message: "longer than \(Self.maxQueryBytes) bytes")
        }
        var seen = Set<String>()
        for c in form.all("category") {
            let t = c.trimmingCharacters(in: .whitespaces)
            guard !t.isEmpty, seen.insert(t).inserted else { continue }
            categories.append(t)
        }
        guard categories.count <= 20 else { throw WebInputError(parameter: "category", message: "more than 20 given") }
        if let l = form.first("lang"), !l.isEmpty {
            guard let lang = Language(rawValue: l) else { throw WebInputError(parameter: "lang", message: "'\(l)' is not th or en") }
            language = lang
        }
        if let m = form.first("month"), !m.isEmpty {
            guard let key = CivilMonthKey(m) else { throw WebInputError(parameter: "month", message: "'\(m)' is not a month YYYY-MM") }
            month = key
        }
        for (name, dest) in [("from", \SearchView.from), ("to", \SearchView.to)] as [(String, WritableKeyPath<SearchView, CivilDate?>)] {
            if let s = form.first(name), !s.isEmpty {
                guard let d = CivilDate(iso: s) else { throw WebInputError(parameter: name, message: "'\(s)' is not a date YYYY-MM-DD") }
                self[keyPath: dest] = d
            }
        }
        if let s = form.first("sort"), !s.isEmpty {
            guard let v = Sort(rawValue: s) else { throw WebInputError(parameter: "sort", message: "'\(s)' is not relevance, newest or oldest") }
            sort = v
        }
        if let p = form.first("page"), !p.isEmpty {
            guard let n = Int(p), (1...Self.maxPage).contains(n) else {
                throw WebInputError(parameter: "page", message: "'\(p)' is not a page from 1 to \(Self.maxPage)")
            }
            page = n
        }
    }

    /// The parameters in one fixed order, defaults left out.
    package var form: FormQuery {
        var f = FormQuery()
        if !query.isEmpty { f.pairs.append(("q", query)) }
        for c in categories { f.pairs.append(("category", c)) }
        if let language { f.pairs.append(("lang", language.rawValue)) }
        if let month { f.pairs.append(("month", month.description)) }
        if let from { f.pairs.append(("from", from.description)) }
        if let to { f.pairs.append(("to", to.description)) }
        if sort != .relevance { f.pairs.append(("sort", sort.rawValue)) }
        if page != 1 { f.pairs.append(("page", String(page))) }
        return f
    }

    /// `/` plus the query string: the URL of this view.
    package var url: String { path("/") }

    package func path(_ base: String) -> String {
        let q = form.encoded
        return q.isEmpty ? base : base + "?" + q
    }

    /// The same view with `change` applied and back on page 1 (a new filter is a new list).
    package func with(_ change: (inout SearchView) -> Void) -> SearchView {
        var v = self
        change(&v)
        v.page = 1
        return v
    }

    /// The day bounds sent to the query service: `from`/`to` narrowed to `month`.
    package var effectiveFrom: CivilDate? {
        guard let month else { return from }
        let start = month.firstDay
        return from.map { max($0, start) } ?? start
    }

    package var effectiveTo: CivilDate? {
        guard let month else { return to }
        let end = month.lastDay
        return to.map { min($0, end) } ?? end
    }

    package var rangeIsEmpty: Bool {
        if let f = effectiveFrom, let t = effectiveTo { return f > t }
        return false
    }

    package func searchRequest(limit: Int = SearchView.pageSize, offset: Int? = nil, facets: Bool = true) -> SearchRequest {
        SearchRequest(
            query: query, from: effectiveFrom, to: effectiveTo, categories: categories, language: language,
            sort: sort.wire, limit: UInt32(limit), offset: UInt32(offset ?? (page - 1) * Self.pageSize), facets: facets)
    }

    /// Days for a range of at most about three months (a month filter among them), years for
    /// one of more than ten years, months otherwise (and for the whole archive).
    package var timelinePeriod: TimelinePeriod {
        guard let f = effectiveFrom, let t = effectiveTo else { return .month }
        let days = t.daysSinceEpoch - f.daysSinceEpoch
        if days <= 92 { return .day }
        if days > 3660 { return .year }
        return .month
    }

    package func timelineRequest(period: TimelinePeriod?, language: Language?) -> TimelineRequest {
        TimelineRequest(queries: [query], period: period, from: effectiveFrom, to: effectiveTo, categories: categories, language: language)
    }
}

extension SearchView.Sort {
    var wire: SearchRequest.Sort {
        switch self {
        case .relevance: .relevance
        case .newest: .newest
        case .oldest: .oldest
        }
    }
}
