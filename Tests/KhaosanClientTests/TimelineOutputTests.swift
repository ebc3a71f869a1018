import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import KhaosanClient
import KhaosanModel
import KhaosanWire
import Testing

/// The timeline's output forms from a known table, without a service.
struct TimelineOutputTests {
    static let table = TimelineTable(
        period: .month,
        starts: [CivilDate(year: 2023, month: 9, day: 1), CivilDate(year: 2023, month: 10, day: 1), CivilDate(year: 2023, month: 11, day: 1)],
        series: [TimelineSeries(query: "วัคซีน", total: 5, counts: [2, 0, 3]),
                 TimelineSeries(query: "\"ข้าว, หอม\" <&>", total: 1, counts: [0, 1, 0])],
        totals: [4, 0, 6])

    @Test func csvIsRFC4180WithAColumnPerQuery() {
        let csv = Self.table.csv()
        #expect(csv == "period,วัคซีน,\"\"\"ข้าว, หอม\"\" <&>\",releases\r\n2023-09,0.5,0,4\r\n2023-10,0,0,0\r\n2023-11,0.5,0,6\r\n")
        var counts = Self.table
        counts.totals = []
        #expect(counts.csv().hasPrefix("period,วัคซีน,\"\"\"ข้าว, หอม\"\" <&>\"\r\n2023-09,2,0\r\n"))
    }

    @Test(arguments: [
        (TimelinePeriod.day, CivilDate(year: 2023, month: 10, day: 5), "2023-10-05", "5 ต.ค. 2566"),
        (.week, CivilDate(year: 2023, month: 1, day: 2), "2023-W01", "สัปดาห์ 2 ม.ค. 2566"),
        (.week, CivilDate(year: 2020, month: 12, day: 28), "2020-W53", "สัปดาห์ 28 ธ.ค. 2563"),
        (.week, CivilDate(year: 2024, month: 12, day: 30), "2025-W01", "สัปดาห์ 30 ธ.ค. 2567"),
        (.month, CivilDate(year: 2023, month: 10, day: 1), "2023-10", "ต.ค. 2566"),
        (.year, CivilDate(year: 2023, month: 1, day: 1), "2023", "พ.ศ. 2566"),
    ])
    func periodLabels(period: TimelinePeriod, start: CivilDate, key: String, thai: String) {
        #expect(TimelineTable.key(period, start) == key)
        #expect(TimelineTable.thaiLabel(period, start) == thai)
    }

    @Test func svgIsWellFormedXMLWithTheLegendAndLabels() throws {
        let svg = TimelineSVG.render(Self.table, title: "ข่าว <ทดสอบ> & \"ratio\"")
        final class Texts: NSObject, XMLParserDelegate {
            var texts: [String] = []
            var current = ""
            func parser(_ parser: XMLParser, didStartElement e: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) { current = "" }
            func parser(_ parser: XMLParser, foundCharacters string: String) { current += string }
            func parser(_ parser: XMLParser, didEndElement e: String, namespaceURI: String?, qualifiedName: String?) {
                if e == "text" { texts.append(current) }
            }
        }
        let parser = XMLParser(data: Data(svg.utf8))
        let texts = Texts()
        parser.delegate = texts
        #expect(parser.parse(), "\(String(describing: parser.parserError))")
        #expect(texts.texts.contains("วัคซีน (5)"))
        #expect(texts.texts.contains("\"ข้าว, หอม\" <&> (1)"))
        #expect(texts.texts.contains("ข่าว <ทดสอบ> & \"ratio\""))
        #expect(texts.texts.contains("2023-10") && texts.texts.contains("ต.ค. 2566"))
        #expect(svg.components(separatedBy: "<polyline").count == 3)
    }

    /// librsvg (Debian's librsvg2-bin) renders the chart: it is valid SVG to a real renderer, at
    /// its declared size. (Looked at by hand once: axes, labels, legend; BENCHMARKS.md, issue 16.)
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/rsvg-convert")))
    func svgRendersToAPNG() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("khaosan-svg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let svg = dir.appendingPathComponent("chart.svg"), png = dir.appendingPathComponent("chart.png")
        try Data(TimelineSVG.render(Self.table, title: "ทดสอบ & <test>").utf8).write(to: svg)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/rsvg-convert")
        p.arguments = [svg.path, "-o", png.path]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let bytes = [UInt8](try Data(contentsOf: png))
        #expect(bytes.prefix(8) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        // IHDR: width and height, big-endian, at bytes 16 and 20.
        func u32(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        #expect(u32(16) == 960 && u32(20) == 540)
    }

    @Test func barsScaleToTheLargestPeriod() {
        var t = Self.table
        t.totals = []
        let lines = t.bars(width: 60, style: .plain)
        #expect(lines[0].hasPrefix("วัคซีน"))
        let rows = lines[1...3]
        #expect(rows.allSatisfy { $0.contains("2023-") && $0.contains(" 2566") })
        // 3 is the top: the longest bar; 0 has none.
        #expect(rows[rows.startIndex + 2].filter { $0 == "█" }.count > rows[rows.startIndex].filter { $0 == "█" }.count)
        #expect(!rows[rows.startIndex + 1].contains("█"))
    }

    @Test func nextPeriodStarts() {
        let d = CivilDate(year: 2023, month: 12, day: 25)
        #expect(TimelineTable.next(.day, d).description == "2023-12-26")
        #expect(TimelineTable.next(.week, d).description == "2024-01-01")
        #expect(TimelineTable.next(.month, CivilDate(year: 2023, month: 12, day: 1)).description == "2024-01-01")
        #expect(TimelineTable.next(.year, CivilDate(year: 2023, month: 1, day: 1)).description == "2024-01-01")
    }

    @Test func queryLinesSkipBlanksAndComments() {
        #expect(QueryLine.parse("# list\n\nวัคซีน\n  ข้าว  \n#x\n") == [QueryLine(line: 3, text: "วัคซีน"), QueryLine(line: 4, text: "ข้าว")])
    }
}
