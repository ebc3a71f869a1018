import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import KhaosanModel
import KhaosanTestSupport
import Testing

/// `khaosan timeline` and `khaosan count` through both real daemons over the fixture corpus,
/// whose dates are known (1970 to 2024, with empty years between).
@Suite("Timeline end to end", .serialized)
struct TimelineEndToEndTests {
    static let queries = ["รัฐบาล", "นายกรัฐมนตรี", "ประชุม"]

    /// The search total for a query and filters (`--facets --json` puts it on its last line).
    func searchTotal(_ args: [String], _ sandbox: Sandbox) async throws -> Int {
        let r = try await khaosan(["search"] + args + ["--json", "--facets", "--limit", "1"], sandbox: sandbox)
        #expect(r.status == 0, "\(r.stderr)")
        return try #require((r.jsonLines.last?["total"] as? NSNumber)?.intValue)
    }

    @Test func timelineAgreesWithSearchAndTheCalendar() async throws {
        try await withServices { sandbox, _, _ in
            let files = Fixtures.corpusFiles()
            let truth = EndToEndTests.Truth(files: files)
            let ingest = try await khaosan(["ingest", "--json"] + files.map(\.path), sandbox: sandbox)
            // Some fixtures are rejected on purpose; the truth knows which.
            #expect(ingest.jsonLines.filter { $0["status"] as? String == "accepted" }.count == truth.releases.count, "\(ingest.stderr)")

            // By year over the whole archive: one period per year from the first release's to
            // the last's, empty years 0, totals equal to the releases of each year.
            let years = try await khaosan(["timeline"] + Self.queries + ["--by", "year", "--ratio", "--json"], sandbox: sandbox)
            #expect(years.status == 0, "\(years.stderr)")
            let lines = years.jsonLines
            #expect(lines.map { $0["query"] as? String } == Self.queries)
            let published = truth.releases.map(\.published)
            let firstYear = try #require(published.map(\.year).min()), lastYear = try #require(published.map(\.year).max())
            for line in lines {
                let periods = try #require(line["periods"] as? [[String: Any]])
                #expect(periods.map { $0["period"] as? String } == (firstYear...lastYear).map { String($0) })
                #expect(periods.map { $0["thai"] as? String } == (firstYear...lastYear).map { "พ.ศ. \($0 + 543)" })
                let query = try #require(line["query"] as? String)
                let total = try await searchTotal([query], sandbox)
                #expect((line["total"] as? NSNumber)?.intValue == total)
                var sum = 0
                for p in periods {
                    let year = Int(p["period"] as! String)!
                    let count = (p["count"] as! NSNumber).intValue, releases = (p["releases"] as! NSNumber).intValue
                    sum += count
                    #expect(releases == published.filter { $0.year == year }.count, "\(year)")
                    #expect(count <= releases)
                    let ratio = (p["ratio"] as! NSNumber).doubleValue
                    #expect(abs(ratio - (releases == 0 ? 0 : Double(count) / Double(releases))) < 1e-9)
                    if releases == 0 { #expect(count == 0) }
                    // A year's count is the search total with that year's bounds.
                    if count > 0 {
                        #expect(count == (try await searchTotal([query, "--from", "\(year)-01-01", "--to", "\(year)-12-31"], sandbox)))
                    }
                }
                #expect(sum == total)
                #expect(periods.contains { ($0["releases"] as! NSNumber).intValue == 0 }, "the fixtures have empty years")
            }

            // By month in bounds, with a filter; an empty month before the first release of 2020 is 0.
            let months = try await khaosan(["timeline", "รัฐบาล", "--by", "month", "--from", "1/7/2563", "--to", "2020-11-30",
                                            "--lang", "th", "--csv"], sandbox: sandbox)
            #expect(months.status == 0, "\(months.stderr)")
            let rows = months.stdout.components(separatedBy: "\r\n").filter { !$0.isEmpty }
            #expect(rows.first == "period,รัฐบาล")
            #expect(rows.dropFirst().map { $0.components(separatedBy: ",")[0] } == ["2020-07", "2020-08", "2020-09", "2020-10", "2020-11"])
            #expect(rows[1] == "2020-07,0")
            let csvSum = rows.dropFirst().map { Int($0.components(separatedBy: ",")[1])! }.reduce(0, +)
            #expect(csvSum == (try await searchTotal(["รัฐบาล", "--from", "2020-07-01", "--to", "2020-11-30", "--lang", "th"], sandbox)))

            // The SVG: well-formed XML holding the legend's texts.
            let svg = sandbox.home.appendingPathComponent("chart.svg")
            let chart = try await khaosan(["timeline"] + Self.queries + ["--by", "month", "--svg", svg.path], sandbox: sandbox)
            #expect(chart.status == 0, "\(chart.stderr)")
            let text = try String(contentsOf: svg, encoding: .utf8)
            let parser = XMLParser(data: Data(text.utf8))
            #expect(parser.parse(), "\(String(describing: parser.parserError))")
            for q in Self.queries { #expect(text.contains(">\(q) (")) }

            // The terminal form, on a real pseudo-terminal (script(1)): a header per query, one
            // row per period with its ISO and Thai labels, bars in colour.
            let bars = try await Self.onTerminal(["timeline", "ประชุม", "--by", "year", "--color", "auto"], sandbox: sandbox)
            #expect(bars.contains("ประชุม"))
            let barRows = bars.components(separatedBy: "\n").filter { $0.contains("พ.ศ. ") }
            #expect(barRows.count == lastYear - firstYear + 1)
            #expect(barRows.contains { $0.contains("\u{1B}[36m█") }, "no coloured bar in \(bars)")
            #expect(barRows.allSatisfy { row in (firstYear...lastYear).contains { row.contains("  \($0)  พ.ศ. \($0 + 543)") } })
        }
    }

    /// Runs the CLI with a pseudo-terminal as its stdout (script(1) from util-linux), 100 columns,
    /// colour allowed; returns what the terminal received.
    static func onTerminal(_ arguments: [String], sandbox: Sandbox) async throws -> String {
        let quoted = ([Binaries.path("khaosan")] + arguments).map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        p.arguments = ["-qec", "stty cols 100; exec " + quoted.joined(separator: " "), "/dev/null"]
        var env = sandbox.environment
        env.removeValue(forKey: "NO_COLOR")
        p.environment = env
        let out = sandbox.home.appendingPathComponent("pty-\(UUID().uuidString.prefix(6)).out")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = FileHandle.nullDevice
        p.standardInput = FileHandle.nullDevice
        try p.run()
        while p.isRunning { try await Task.sleep(for: .milliseconds(10)) }
        #expect(p.terminationStatus == 0)
        return ((try? String(contentsOf: out, encoding: .utf8)) ?? "").replacingOccurrences(of: "\r\n", with: "\n")
    }

    @Test func countReportsEveryQueryOverOneConnectionAndNamesBadLines() async throws {
        try await withServices { sandbox, _, _ in
            let files = Fixtures.corpusFiles()
            _ = try await khaosan(["ingest"] + files.map(\.path), sandbox: sandbox)
            // 600 lines: more than one request's worth, a comment, a blank and a bad line among them.
            var list = ["# keywords", ""]
            for i in 0..<600 { list.append(Self.queries[i % 3]) }
            list.insert("(รัฐบาล", at: 10)
            let input = list.joined(separator: "\n") + "\n"
            let r = try await khaosan(["count", "--queries", "-", "--json"], sandbox: sandbox, stdin: Data(input.utf8))
            #expect(r.status == 2)
            #expect(r.stderr.contains("<stdin>:11: query syntax error"), "\(r.stderr)")
            let lines = r.jsonLines
            #expect(lines.count == 601)
            #expect(lines.filter { $0["error"] != nil }.map { ($0["line"] as? NSNumber)?.intValue } == [11])
            var expected: [String: Int] = [:]
            for q in Self.queries { expected[q] = try await searchTotal([q], sandbox) }
            for l in lines where l["error"] == nil {
                let q = try #require(l["query"] as? String)
                #expect((l["total"] as? NSNumber)?.intValue == expected[q])
            }

            // CSV with --by month from a file: a header with the months, a row per query.
            let file = sandbox.home.appendingPathComponent("queries.txt")
            try Data(Self.queries.joined(separator: "\n").utf8).write(to: file)
            let csv = try await khaosan(["count", "--queries", file.path, "--by", "month", "--from", "2023-10-01", "--to", "2023-12-31"],
                                        sandbox: sandbox)
            #expect(csv.status == 0, "\(csv.stderr)")
            let rows = csv.stdout.components(separatedBy: "\r\n").filter { !$0.isEmpty }
            #expect(rows.first == "line,query,total,2023-10,2023-11,2023-12")
            #expect(rows.count == 4)
            for (i, row) in rows.dropFirst().enumerated() {
                let f = row.components(separatedBy: ",")
                #expect(f[0] == String(i + 1) && f[1] == Self.queries[i])
                #expect(Int(f[2]) == f[3...].map { Int($0)! }.reduce(0, +))
            }
        }
    }
}
