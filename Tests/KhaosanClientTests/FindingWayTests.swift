import KhaosanWire
import Testing
@testable import KhaosanClient

@Suite struct FindingWayTests {
    @Test(arguments: [
        ("73500", 73500), ("#73500", 73500), (" #73500 ", 73500),
        ("https://www.thaigov.go.th/news/contents/details/73500", 73500),
        ("http://thaigov.go.th/news/contents/details/80297/", 80297),
        ("https://www.thaigov.go.th/news/contents/details/73500?x=1", 73500),
    ])
    func releaseReferences(text: String, id: Int64) throws {
        #expect(try ReleaseReference.id(from: text).get() == id)
    }

    @Test(arguments: ["", "#", "0", "#-5", "abc", "73500x", "https://example.com/news/73500",
                      "https://www.thaigov.go.th/news/contents/details/", "99999999999999999999"])
    func badReferencesAreUsageErrors(text: String) {
        guard case .failure(let e) = ReleaseReference.id(from: text) else { Issue.record("\(text) accepted"); return }
        #expect(e.exitCode == 2)
    }

    @Test(arguments: [
        (["get", "73500", "--version", "1"], true), (["get", "--version", "2", "73500"], true),
        (["get", "73500", "--rev", "1"], false), (["--version"], false), (["get", "--version"], false),
        (["search", "--version", "1"], false),
    ])
    func versionFlagOnGet(arguments: [String], refused: Bool) {
        let message = KhaosanCLI.versionFlagMisuse(arguments)
        #expect((message != nil) == refused)
        if let message { #expect(message.contains("--rev")) }
    }

    /// The slug is never cut, whatever the width; only the name is.
    @Test(arguments: [40, 80, 200, nil] as [Int?])
    func categoryTableKeepsSlugs(width: Int?) {
        let rows = [
            FacetCount(key: "deputy-pm", label: "ข่าวรองนายกรัฐมนตรี  รัฐมนตรีประจำสำนักนายกรัฐมนตรี", count: 1_089),
            FacetCount(key: "economy", label: "ด้านเศรษฐกิจ", count: 16_256),
            FacetCount(key: "", label: "", count: 3),
        ]
        let lines = CategoryTable.lines(rows, style: Style(enabled: false), width: width)
        #expect(lines.count == 3)
        #expect(lines[0].contains(" deputy-pm "))
        #expect(lines[0].contains("1,089"))
        #expect(lines[1].hasSuffix("ด้านเศรษฐกิจ"))
        #expect(lines[2].contains("(no category)"))
        if let width, width >= 80 { for l in lines { #expect(displayWidth(l) <= width, "\(l)") } }
        if width == nil { #expect(lines[0].hasSuffix("ข่าวรองนายกรัฐมนตรี  รัฐมนตรีประจำสำนักนายกรัฐมนตรี")) }
    }
}
