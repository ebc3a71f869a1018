import Foundation
import KhaosanTestSupport
import Testing
@testable import KhaosanModel

@Suite struct StructuredReleaseTests {
    func parse(_ rel: String) throws(ReleaseError) -> Release {
        try ReleaseParser.parse(.structuredJSON(fileName: rel, bytes: Fixtures.bytes(rel)))
    }

    @Test func validThai() throws {
        let r = try parse("json/valid.json")
        #expect(r.id == 99002)
        #expect(r.title == "ทดสอบข่าว JSON")  // zero-width space removed
        #expect(r.published == CivilDate(year: 2023, month: 10, day: 18))
        #expect(r.category == Category(name: "ด้านเศรษฐกิจ", slug: "economy"))
        #expect(r.paragraphs == ["ย่อหน้าแรก ของข่าว", "ย่อหน้าที่สอง"])
        #expect(r.entities == ["นายทดสอบ ระบบ"])
        #expect(r.language == .th)
    }

    /// A title and no paragraph is a title-only release, as for a thaigov page (issue 15).
    @Test func titleOnlyAccepted() throws {
        let json = #"{"id":7,"source_url":"https://x/7","title":"ภาพข่าว นายกรัฐมนตรี","published":"2023-01-01","category":"c","paragraphs":[" "]}"#
        let r = try ReleaseParser.parseStructured(fileName: "x.json", bytes: Array(json.utf8))
        #expect(r.isTitleOnly)
        #expect(r.title == "ภาพข่าว นายกรัฐมนตรี")
    }

    @Test func validEnglishDetected() throws {
        let r = try parse("json/valid-en.json")
        #expect(r.language == .en)
        #expect(r.category.slug == "government-news")
        #expect(r.entities.isEmpty)
    }

    @Test(arguments: [
        ("json/bad-published.json", ReleaseError.Code.badField, "published"),
        ("json/missing-title.json", .missingField, "title"),
        ("json/bad-id.json", .badField, "id"),
        ("json/bad-language.json", .badField, "language"),
        ("json/not-json.json", .badJSON, nil),
    ] as [(String, ReleaseError.Code, String?)])
    func rejected(file: String, code: ReleaseError.Code, field: String?) {
        do {
            _ = try parse(file)
            Issue.record("\(file) parsed")
        } catch {
            #expect(error.code == code, "\(error)")
            #expect(error.field == field, "\(error)")
        }
    }

    @Test(arguments: [
        (#"{"id":1,"source_url":"https://x/1","title":" ","published":"2023-01-01","category":"c","paragraphs":[""]}"#, ReleaseError.Code.emptyBody),
        (#"{"id":1,"source_url":"https://x/1","title":"t","published":"1970-01-01","category":"c","paragraphs":["p"]}"#, .placeholderPage),
        (#"{"id":1,"source_url":"x/1","title":"t","published":"2023-01-01","category":"c","paragraphs":["p"]}"#, .badSourceURL),
        (#"{"id":2,"source_url":"https://x/1","title":"t","published":"2023-01-01","category":"c","paragraphs":["p"]}"#, .badField),
        (#"{"id":true,"source_url":"https://x/1","title":"t","published":"2023-01-01","category":"c","paragraphs":["p"]}"#, .badField),
        (#"{"id":1.5,"source_url":"https://x/1","title":"t","published":"2023-01-01","category":"c","paragraphs":["p"]}"#, .badField),
        (#"{"id":1,"source_url":"https://x/1","title":"\u200b","published":"2023-01-01","category":"c","paragraphs":["p"]}"#, .missingTitle),
        (#"{"id":1,"source_url":"https://x/1","title":"t","published":"2023-01-01","category":"c","paragraphs":[1]}"#, .badField),
        (#"[1,2]"#, .badJSON),
    ])
    func rejectedInline(json: String, code: ReleaseError.Code) {
        do {
            _ = try ReleaseParser.parseStructured(fileName: "x.json", bytes: Array(json.utf8))
            Issue.record("parsed: \(json)")
        } catch {
            #expect(error.code == code, "\(json): \(error)")
        }
    }

    @Test func jsonLineShapeAndRoundTrip() throws {
        let rel = "corpus/2023/10/18/ด้านสังคม_3_cfd21588-8b89-477a-8859-5f42da947959.txt"
        let r = try ReleaseParser.parseThaigov(fileName: "ด้านสังคม_3_cfd21588-8b89-477a-8859-5f42da947959.txt", bytes: Fixtures.bytes(rel))
        let line = ReleaseParser.jsonLine(file: rel, result: .success(r))
        #expect(!line.contains("\n"))
        #expect(line.contains("ประเสริฐ"))  // UTF-8, not \u-escaped
        // Keys in the documented order.
        let keys = ["\"file\":", "\"id\":", "\"source_url\":", "\"title\":", "\"published\":", "\"category\":", "\"language\":", "\"paragraphs\":"]
        let positions = keys.map { line.range(of: $0)!.lowerBound }
        #expect(positions == positions.sorted())
        #expect(line.hasPrefix("{\"file\":\"corpus/2023/10/18/"))
        #expect(line.contains("\"id\":73500,"))
        #expect(line.contains("\"published\":\"2023-10-18\""))
        #expect(line.contains("\"language\":\"th\""))
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(obj["title"] as? String == r.title)
        #expect(obj["paragraphs"] as? [String] == r.paragraphs)
        // The parse output is itself valid structured input for the same release.
        let again = try ReleaseParser.parseStructured(fileName: "x.json", bytes: Array(line.utf8))
        #expect(again.contentHash == r.contentHash)
        #expect(again.id == r.id && again.published == r.published && again.category == r.category)
    }

    @Test func jsonLineError() throws {
        let e = ReleaseError(code: .badDateLine, field: "published", line: 4, message: "line 4: \"วันพุธที่ 31 กุมภาพันธ์ 2566\"")
        let line = ReleaseParser.jsonLine(file: "a\tb.txt", result: .failure(e))
        #expect(line == #"{"file":"a\tb.txt","error":{"code":"bad-date-line","message":"line 4: \"วันพุธที่ 31 กุมภาพันธ์ 2566\""}}"#)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect((obj["error"] as? [String: Any])?["code"] as? String == "bad-date-line")
    }

    @Test func jsonStringEscapes() throws {
        var o = ""
        ReleaseParser.appendJSONString("q\"b\\s\n\u{01}ไทย", to: &o)
        #expect(o == "\"q\\\"b\\\\s\\n\\u0001ไทย\"")
        let back = try JSONSerialization.jsonObject(with: Data(("[" + o + "]").utf8)) as? [String]
        #expect(back == ["q\"b\\s\n\u{01}ไทย"])
    }
}

@Suite struct RawReleaseTests {
    @Test func dispatchByNameOrContent() throws {
        let json = Fixtures.bytes("json/valid.json")
        #expect(ReleaseParser.rawRelease(fileName: "a.json", bytes: json) == .structuredJSON(fileName: "a.json", bytes: json))
        #expect(ReleaseParser.rawRelease(fileName: "a.txt", bytes: json) == .structuredJSON(fileName: "a.txt", bytes: json))
        let txt = Fixtures.bytes("corpus/2020/09/17/ด้านกฎหมายฯ_2.txt")
        let raw = ReleaseParser.rawRelease(fileName: "ด้านกฎหมายฯ_2.txt", bytes: txt)
        #expect(raw == .thaigovFile(fileName: "ด้านกฎหมายฯ_2.txt", bytes: txt))
        #expect(try ReleaseParser.parse(raw).id == 34542)
        #expect(try ReleaseParser.parse(raw, categoryOverride: "ด้านสังคม").category.slug == "society")
    }

    @Test func printBeforeSlashDate() throws {
        let text = "รัฐบาลไทย-ข่าวทำเนียบรัฐบาล-หัวข้อข่าวทดสอบ\n\nวันพุธที่ 18 ตุลาคม 2566\nพิมพ์\n18/10/2566\nหัวข้อข่าวทดสอบ\nเนื้อหาข่าว\nที่มา : https://www.thaigov.go.th/news/contents/details/5\n"
        let r = try ReleaseParser.parseThaigov(fileName: "ด้านสังคม_1.txt", bytes: Array(text.utf8))
        #expect(r.paragraphs == ["เนื้อหาข่าว"])
    }
}

/// Issue 13, item 8: a NUL in a structured release's string is refused, naming the field.
@Suite("Structured releases: NUL")
struct StructuredNULTests {
    @Test(arguments: [("title", #""title": "ab\u0000cd", "paragraphs": ["x"]"#), ("paragraphs[1]", #""title": "t", "paragraphs": ["x", "y\u0000z"]"#)])
    func nulIsRefusedNamingTheField(field: String, fields: String) {
        let json = #"{"id": 5, "source_url": "https://www.thaigov.go.th/news/contents/details/5", "published": "2024-01-02", "category": "ข่าว", "# + fields + "}"
        let error = #expect(throws: ReleaseError.self) { _ = try ReleaseParser.parseStructured(fileName: "a.json", bytes: Array(json.utf8)) }
        #expect(error?.code == .badField)
        #expect(error?.field == field)
    }
}
