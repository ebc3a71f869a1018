@testable import KhaosanClient
import KhaosanModel
import KhaosanWire
import Testing

/// `khaosan export`'s fields and file forms from known rows, without a service (the end-to-end
/// round trip through Python's csv module is Tests/Scripts/export-test.py).
struct ExportOutputTests {
    static let row = ExportRow(
        id: 71_234, version: 2, current: false, published: CivilDate(year: 2023, month: 10, day: 18),
        category: Category(name: "ข่าวทำเนียบรัฐบาล", slug: nil), language: .th,
        title: "นายกฯ กล่าวว่า \"เศรษฐกิจ, การลงทุน\"", sourceURL: "https://www.thaigov.go.th/news/contents/details/71234",
        body: "ย่อหน้าแรก\nย่อหน้าที่สอง, มี \"คำพูด\"")

    @Test func csvQuotesCommasQuotesAndLineBreaksAndEndsLinesWithCRLF() {
        let r = ExportRenderer(format: .csv, fields: [.id, .version, .current, .date, .slug, .title, .body])
        #expect(r.header() == "id,version,current,date,slug,title,body\r\n")
        #expect(r.row(Self.row) == "71234,2,false,2023-10-18,,\"นายกฯ กล่าวว่า \"\"เศรษฐกิจ, การลงทุน\"\"\",\"ย่อหน้าแรก\nย่อหน้าที่สอง, มี \"\"คำพูด\"\"\"\r\n")
    }

    /// The export's byte-level quoting agrees with timeline's (the one rule of the CLI's CSV).
    @Test(arguments: ["", "plain", "ไทย ล้วน", " lead", "trail ", "a,b", "say \"hi\"", "two\nlines", "cr\r", "\"", "กล่าวว่า \"ครับ\", แล้ว\r\nจบ"])
    func csvQuotingAgreesWithTimeline(field: String) {
        #expect(ExportRenderer.csvField(field) == TimelineTable.csvField(field))
    }

    /// The export's byte-level JSON strings agree with the CLI's generic JSON output.
    @Test(arguments: ["", "plain", "ไทย \"อ้าง\" \\ ทาง", "tab\there", "nl\ncr\r", "\u{01}\u{1F}", "line\u{2028}para\u{2029}end", "€ … \u{E2}"])
    func jsonStringsAgreeWithTheCLIsJSON(text: String) {
        var bytes: [UInt8] = []
        ExportRenderer.appendJSONString(text, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == JSONValue.string(text).encoded())
    }

    @Test func bomComesFirstAndOnlyWhenAsked() {
        #expect(ExportRenderer(format: .csv, fields: [.id], bom: true).header().unicodeScalars.first == "\u{FEFF}")
        #expect(ExportRenderer(format: .csv, fields: [.id]).header() == "id\r\n")
        #expect(ExportRenderer(format: .jsonl, fields: [.id]).header() == "")
    }

    @Test func jsonLinesHaveTheFieldsAsKeysInOrder() {
        let r = ExportRenderer(format: .jsonl, fields: [.id, .version, .current, .slug, .language, .title])
        #expect(r.row(Self.row) == #"{"id":71234,"version":2,"current":false,"slug":null,"language":"th","title":"นายกฯ กล่าวว่า \"เศรษฐกิจ, การลงทุน\""}"# + "\n")
    }

    @Test func defaultFieldsFollowTheFlags() {
        #expect(ExportField.defaults(fullText: false, versions: false) == [.id, .date, .category, .slug, .language, .title, .url])
        #expect(ExportField.defaults(fullText: true, versions: true) == [.id, .version, .current, .date, .category, .slug, .language, .title, .url, .body])
    }

    @Test(arguments: [
        ("id, Title ,body", nil),
        ("id,titel", "--fields: unknown field 'titel'; the fields are id, version, current, date, category, slug, language, title, url, body"),
        ("id,,title", "--fields: an empty field name in 'id,,title'"),
        ("id,title,id", "--fields: 'id' is listed twice"),
    ] as [(String, String?)])
    func fieldListsAreCheckedByName(list: String, expected: String?) {
        do {
            let fields = try ExportField.parse(list)
            #expect(expected == nil, "\(list) was accepted")
            #expect(fields == [.id, .title, .body])
        } catch {
            #expect(error.message == expected && error.exitCode == 2)
        }
    }
}
