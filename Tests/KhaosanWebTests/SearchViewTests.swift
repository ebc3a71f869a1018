import KhaosanModel
import KhaosanWeb
import KhaosanWire
import Testing

@Suite struct SearchViewTests {
    /// A view's URL reads back as the same view: what a shared link relies on.
    @Test(arguments: [
        "q=%E0%B8%A7%E0%B8%B1%E0%B8%84%E0%B8%8B%E0%B8%B5%E0%B8%99",
        "q=a+b&category=social&category=economy&lang=en&month=2023-10&sort=newest&page=3",
        "q=%22%E0%B8%99%E0%B9%89%E0%B8%B3+%E0%B8%97%E0%B9%88%E0%B8%A7%E0%B8%A1%22+OR+x&from=2021-01-01&to=2021-12-31",
        "q=100%25+%26+more%3D",
    ])
    func urlRoundTrips(query: String) throws {
        let v = try SearchView(form: FormQuery(parsing: query))
        #expect(v.form.encoded == query)
        let again = try SearchView(form: FormQuery(parsing: String(v.url.dropFirst(2))))
        #expect(again == v)
    }

    @Test func plusIsASpaceAndKeysAreDecoded() throws {
        let f = FormQuery(parsing: "%71=%E0%B8%81+%E0%B8%82&x")
        #expect(f.first("q") == "ก ข")
        #expect(f.first("x") == "")
    }

    @Test(arguments: [
        ("lang=fr", "lang"), ("month=2023-13", "month"), ("from=2023-02-30", "from"), ("sort=best", "sort"),
        ("page=0", "page"), ("page=99999", "page"), ("to=yesterday", "to"),
    ])
    func badParametersNameThemselves(query: String, parameter: String) {
        #expect(throws: WebInputError.self) { try SearchView(form: FormQuery(parsing: "q=x&" + query)) }
        do {
            _ = try SearchView(form: FormQuery(parsing: "q=x&" + query))
        } catch {
            #expect(error.parameter == parameter)
        }
    }

    @Test func monthNarrowsTheRangeAndPicksDays() throws {
        let v = try SearchView(form: FormQuery(parsing: "q=x&month=2024-02&from=2024-02-10"))
        #expect(v.effectiveFrom == CivilDate(year: 2024, month: 2, day: 10))
        #expect(v.effectiveTo == CivilDate(year: 2024, month: 2, day: 29))
        #expect(v.timelinePeriod == .day)
        #expect(try SearchView(form: FormQuery(parsing: "q=x")).timelinePeriod == .month)
        #expect(try SearchView(form: FormQuery(parsing: "q=x&from=2000-01-01&to=2024-12-31")).timelinePeriod == .year)
    }

    @Test func aNewFilterGoesBackToPageOne() throws {
        let v = try SearchView(form: FormQuery(parsing: "q=x&page=4"))
        #expect(v.with { $0.language = .th }.url == "/?q=x&lang=th")
    }
}
