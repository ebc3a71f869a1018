import KhaosanModel
import KhaosanWeb
import KhaosanWire
import Testing

@Suite struct ExportFormatTests {
    @Test(arguments: [
        ("plain", "plain"),
        ("a,b", "\"a,b\""),
        ("say \"hi\"", "\"say \"\"hi\"\"\""),
        ("two\r\nlines", "\"two\r\nlines\""),
        ("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\""),
        ("-1", "'-1"),
        ("ข่าว", "ข่าว"),
    ])
    func csvCells(cell: String, expected: String) {
        #expect(ExportFormat.csvCell(cell) == expected)
    }

    @Test func csvRowHasEveryColumn() {
        let h = SearchHit(id: 7, title: "<script>", published: CivilDate(year: 2023, month: 10, day: 18),
                          category: Category(name: "ด้านสังคม", slug: "social"), language: .th, score: 1.5, snippet: "a\nb",
                          sourceURL: "https://www.thaigov.go.th/news/contents/details/7")
        let row = ExportFormat.csv.row(h, rank: 1)
        #expect(row.hasSuffix("\r\n"))
        #expect(row.hasPrefix("1,7,2023-10-18,18 ต.ค. 2566,<script>,ด้านสังคม,social,th,1.5000,https://"))
        #expect(ExportFormat.csv.header.split(separator: ",").count == ExportFormat.csvColumns.count)
        #expect(ExportFormat.jsonl.row(h, rank: 1).contains("\"id\":7"))
    }
}
