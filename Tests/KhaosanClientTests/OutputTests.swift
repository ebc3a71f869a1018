import Foundation
import KhaosanModel
import KhaosanWire
import Testing
@testable import KhaosanClient

private let on = Style(enabled: true)
private let match = "\u{1B}[1;31m"
private let reset = "\u{1B}[0m"

private func byteRange(of needle: String, in text: String) -> Range<Int> {
    let r = text.range(of: needle)!
    let start = text.utf8.distance(from: text.utf8.startIndex, to: r.lowerBound)
    return start..<(start + needle.utf8.count)
}

@Suite struct HighlightTests {
    @Test func ansiAroundExactlyTheHighlightedBytes() {
        let snippet = "นายกรัฐมนตรีเดินทางไปเชียงใหม่เพื่อประชุม"
        let words = ["นายกรัฐมนตรี", "เชียงใหม่"]
        let out = renderHighlighted(snippet, highlights: words.map { byteRange(of: $0, in: snippet) }, style: on)
        #expect(out == "\(match)นายกรัฐมนตรี\(reset)เดินทางไป\(match)เชียงใหม่\(reset)เพื่อประชุม")
    }

    @Test func noEscapeCodesWhenColourIsOff() {
        let snippet = "ข่าว COVID-19 วันนี้"
        let out = renderHighlighted(snippet, highlights: [byteRange(of: "COVID", in: snippet)], style: .plain)
        #expect(out == snippet)
        #expect(!out.contains("\u{1B}"))
    }

    @Test func rangeEndingInsideAClusterColoursTheWholeCluster() {
        // "ที่" is one grapheme cluster of 9 bytes; a range over the first 3 bytes still colours it.
        let snippet = "ที่นี่"
        let out = renderHighlighted(snippet, highlights: [0..<3], style: on)
        #expect(out == "\(match)ที่\(reset)นี่")
    }

    @Test func outOfBoundsAndEmptyRangesAreHarmless() {
        let snippet = "abc"
        #expect(renderHighlighted(snippet, highlights: [2..<99, 1..<1], style: on) == "ab\(match)c\(reset)")
        #expect(renderHighlighted(snippet, highlights: [50..<60], style: on) == "abc")
    }

    @Test func colourChoice() {
        #expect(ColorChoice.auto.enabled(isTerminal: true, environment: [:]))
        #expect(!ColorChoice.auto.enabled(isTerminal: false, environment: [:]))
        #expect(!ColorChoice.auto.enabled(isTerminal: true, environment: ["NO_COLOR": "1"]))
        #expect(ColorChoice.auto.enabled(isTerminal: true, environment: ["NO_COLOR": ""]))
        #expect(!ColorChoice.auto.enabled(isTerminal: true, environment: ["TERM": "dumb"]))
        #expect(ColorChoice.always.enabled(isTerminal: false, environment: ["NO_COLOR": "1"]))
        #expect(!ColorChoice.never.enabled(isTerminal: true, environment: [:]))
    }

    @Test func renderedHitFitsTheWidth() {
        let snippet = String(repeating: "การประชุมคณะรัฐมนตรีวันนี้มีมติอนุมัติโครงการ ", count: 6)
        let hit = SearchHit(
            id: 74_123, title: String(repeating: "นายกรัฐมนตรีแถลงผลการประชุม ", count: 5),
            published: CivilDate(year: 2023, month: 10, day: 18),
            category: Category(name: "ข่าวทำเนียบรัฐบาล", slug: "government-house"), language: .th,
            score: 1.5, snippet: snippet, highlights: [Highlight(start: 0, end: 9)], sourceURL: "")
        for style in [on, Style.plain] {
            let lines = renderHit(hit, rank: 12, rankWidth: 2, width: 80, style: style)
            let plain = lines.map { $0.replacingOccurrences(of: match, with: "").replacingOccurrences(of: reset, with: "")
                .replacingOccurrences(of: "\u{1B}[1m", with: "").replacingOccurrences(of: "\u{1B}[2m", with: "") }
            #expect(plain.allSatisfy { displayWidth($0) <= 80 })
            #expect(plain[1].contains("2023-10-18 (18 ต.ค. 2566)"))
            #expect(plain.count == 2 + 3)
            #expect(style.enabled == lines.joined().contains("\u{1B}"))
        }
    }
}

@Suite struct JSONLineTests {
    @Test func searchHitRoundTrips() throws {
        let snippet = "รัฐบาล \"ยืนยัน\" มาตรการ\tใหม่"
        let hit = SearchHit(
            id: 74_123, title: "นายกฯ ประชุม ครม.", published: CivilDate(year: 2023, month: 10, day: 18),
            category: Category(name: "ข่าวทำเนียบรัฐบาล", slug: "government-house"), language: .th,
            score: 12.5, snippet: snippet, highlights: [Highlight(start: 0, end: 18), Highlight(start: 20, end: 38)],
            sourceURL: "https://www.thaigov.go.th/news/contents/details/74123")
        let line = JSONShapes.hit(hit, rank: 3).encoded()
        #expect(!line.contains("\n"))
        // Thai is written as UTF-8, not \u escapes.
        #expect(line.contains("ข่าวทำเนียบรัฐบาล"))
        #expect(!line.contains("\\u0e"))
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(Set(obj.keys) == ["rank", "id", "title", "published", "published_thai", "category", "category_slug", "language", "score", "snippet", "highlights", "source_url"])
        #expect(obj["id"] as? Int == 74_123)
        #expect(obj["rank"] as? Int == 3)
        #expect(obj["title"] as? String == hit.title)
        #expect(obj["published"] as? String == "2023-10-18")
        #expect(obj["category"] as? String == "ข่าวทำเนียบรัฐบาล")
        #expect(obj["category_slug"] as? String == "government-house")
        #expect(obj["language"] as? String == "th")
        #expect(obj["score"] as? Double == 12.5)
        #expect(obj["snippet"] as? String == snippet)
        #expect(obj["highlights"] as? [[Int]] == [[0, 18], [20, 38]])
        #expect(obj["source_url"] as? String == hit.sourceURL)
        // Key order is stable: id first after rank.
        #expect(line.hasPrefix("{\"rank\":3,\"id\":74123,\"title\":"))
    }

    @Test func unknownSlugIsNull() throws {
        let hit = SearchHit(id: 1, title: "t", published: CivilDate(year: 2020, month: 1, day: 2),
                            category: Category(name: "ใหม่", slug: nil), language: .en)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(JSONShapes.hit(hit).encoded().utf8)) as? [String: Any])
        #expect(obj["category_slug"] is NSNull)
        #expect(obj["rank"] == nil)
        #expect(obj["score"] as? Double == 0)
    }

    @Test func ingestItemHasErrorOnlyWhenRejected() throws {
        let ok = try #require(try JSONSerialization.jsonObject(with: Data(JSONShapes.ingestItem(file: "a b/ข่าว_1.txt", status: "accepted", id: 5, error: nil).encoded().utf8)) as? [String: Any])
        #expect(Set(ok.keys) == ["file", "status", "id"])
        #expect(ok["file"] as? String == "a b/ข่าว_1.txt")
        let bad = try #require(try JSONSerialization.jsonObject(with: Data(JSONShapes.ingestItem(
            file: "x", status: "rejected", id: nil, error: ReleaseError(code: .emptyBody, message: "line 5: nothing")).encoded().utf8)) as? [String: Any])
        #expect(bad["id"] is NSNull)
        #expect((bad["error"] as? [String: String]) == ["code": "empty-body", "message": "line 5: nothing"])
    }

    @Test func getHasParseKeysAndVersions() throws {
        let r = Release(id: 9, sourceURL: "https://www.thaigov.go.th/news/contents/details/9", title: "หัวข้อ",
                        published: CivilDate(year: 2024, month: 2, day: 29), category: Category(name: "ด้านสังคม", slug: "society"),
                        language: .th, paragraphs: ["ย่อหน้า ๑", "ย่อหน้า ๒"], entities: [], contentHash: "abc")
        let v = ReleaseVersion(version: 2, contentHash: "abc", storedAtUnixMs: 1_700_000_000_123, release: r)
        let line = JSONShapes.get(r, version: 2, versions: [v]).encoded()
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        // Every key of `khaosan parse --json`, with the same values.
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(ReleaseParser.jsonLine(file: "", result: .success(r)).utf8)) as? [String: Any])
        for (k, value) in parsed {
            #expect(obj[k] != nil, "missing \(k)")
            #expect("\(obj[k] ?? "")" == "\(value)", "\(k) differs")
        }
        #expect(obj["version"] as? Int == 2)
        let versions = try #require(obj["versions"] as? [[String: Any]])
        #expect(versions.count == 1)
        #expect(versions[0]["stored_at"] as? String == "2023-11-14T22:13:20.123Z")
        #expect(versions[0]["content_hash"] as? String == "abc")
    }

    @Test func rawReconstruction() {
        let r = Release(id: 9, sourceURL: "https://www.thaigov.go.th/news/contents/details/9", title: "หัวข้อ",
                        published: CivilDate(year: 2023, month: 10, day: 18), category: Category(name: "ด้านสังคม", slug: "society"),
                        language: .th, paragraphs: ["ย่อหน้าหนึ่ง", "ย่อหน้าสอง"], entities: [], contentHash: "abc")
        let text = reconstructedThaigovText(r)
        #expect(text == """
            รัฐบาลไทย-ข่าวทำเนียบรัฐบาล-หัวข้อ
            วันพุธที่ 18 ตุลาคม 2566
            ย่อหน้าหนึ่ง
            ย่อหน้าสอง
            ที่มา : https://www.thaigov.go.th/news/contents/details/9

            """)
        // And the parser reads it back to the same fields.
        let back = try? ReleaseParser.parse(.thaigovFile(fileName: "ด้านสังคม_1.txt", bytes: Array(text.utf8)))
        #expect(back?.title == r.title)
        #expect(back?.published == r.published)
        #expect(back?.paragraphs == r.paragraphs)
        #expect(back?.id == r.id)
    }
}

@Suite struct ProgressTests {
    @Test func textHasCountsBytesRateAndETA() {
        let t = ProgressLine.text(done: 250, total: 1000, bytes: 2_500_000, totalBytes: 10_000_000, elapsed: .seconds(5), barWidth: 20)
        #expect(t == "[#####...............]  250/1,000  2.5/10.0 MB  50/s  ETA 0:15")
    }

    @Test func plainModeHasNoEscapesAndWaits() {
        var p = ProgressLine(totalItems: 10, totalBytes: 100, interactive: false, width: 80)
        let t0 = ContinuousClock.now
        #expect(p.update(done: 1, bytes: 10, now: t0) == nil)
        #expect(p.update(done: 2, bytes: 20, now: t0 + .seconds(1)) == nil)
        let line = p.update(done: 5, bytes: 50, now: t0 + .seconds(6))
        #expect(line?.hasSuffix("\n") == true)
        #expect(line?.contains("\u{1B}") == false)
        #expect(line?.contains("\r") == false)
        #expect(p.finish() == "")
    }

    @Test func terminalModeRedrawsInPlace() {
        var p = ProgressLine(totalItems: 10, totalBytes: 100, interactive: true, width: 80)
        let line = p.update(done: 1, bytes: 10, now: .now)
        #expect(line?.hasPrefix("\r\u{1B}[2K") == true)
        #expect(p.finish() == "\r\u{1B}[2K")
    }

    @Test func formatting() {
        #expect(formatBytes(999) == "999 B")
        #expect(formatBytes(12_345_678) == "12 MB")
        #expect(formatBytes(1_500_000) == "1.5 MB")
        #expect(groupedDigits(1_234_567) == "1,234,567")
        #expect(formatClock(seconds: 3725) == "1:02:05")
        #expect(isoTimestamp(unixMillis: 0) == "1970-01-01T00:00:00.000Z")
        #expect(isoTimestamp(unixMillis: -1) == "1969-12-31T23:59:59.999Z")
    }
}
