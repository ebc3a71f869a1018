import ArgumentParser
import Foundation
import KhaosanModel
import KhaosanRPC
import KhaosanWire

/// One query of a `--queries` file, with the line it came from.
package struct QueryLine: Sendable, Hashable {
    package var line: Int
    package var text: String

    /// Lines that are blank or start with `#` (after spaces) are skipped.
    package static func parse(_ text: String) -> [QueryLine] {
        var out: [QueryLine] = []
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let t = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if t.isEmpty || t.hasPrefix("#") { continue }
            out.append(QueryLine(line: i + 1, text: t))
        }
        return out
    }
}

struct CountCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "count",
        abstract: "The number of matching releases for each query of a list.",
        discussion: """
            FILE has one query per line (`-` reads standard input); blank lines and lines \
            starting with # are skipped. Every query runs over one connection, in requests of \
            many queries each (each bounded by --timeout and the server's 10 s limit). Output: \
            CSV (RFC 4180), a header `line,query,total` (then a column per period with --by), \
            one row per query; --json: one object per query, {"line","query","total"} (and \
            "periods":{"2023-01":N,...} with --by). A query that does not parse is reported \
            with its line number (on stderr; with --json also as {"line","query","error","position"}), \
            the others still run, and the exit status is then 2.
            """
    )

    @Option(name: .customLong("queries"), help: ArgumentHelp("File of queries, one per line, or - for standard input.", valueName: "file"))
    var queriesFile: String

    @Option(help: "Also count per period.")
    var by: TimelinePeriod?

    @OptionGroup var filters: TimelineFilterOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var service: ServiceOptions

    /// Queries per request at most; fewer when periods are many (see `TimelineQuery.maxCells`).
    static let maxPerRequest = 250
    static let maxCells = 400_000

    func readQueries() throws -> [QueryLine] {
        let data: Data
        if queriesFile == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let d = FileManager.default.contents(atPath: queriesFile) else {
                throw CLIError.usage("--queries: cannot read \(queriesFile)")
            }
            data = d
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CLIError.usage("--queries: \(queriesFile) is not UTF-8 text")
        }
        return QueryLine.parse(text)
    }

    func run() async throws {
        let lines = try readQueries()
        let name = queriesFile == "-" ? "<stdin>" : queriesFile
        guard !lines.isEmpty else { throw CLIError.usage("--queries: \(name) has no query") }
        var base = try filters.request(queries: [], period: by, totals: false)
        var printedHeader = false
        var bad = 0
        try await service.query().call { client in
            var at = 0
            // The first request holds one query: its answer says how many periods there are,
            // and so how many queries the next requests may carry.
            var perRequest = 1
            while at < lines.count {
                let chunk = Array(lines[at..<min(lines.count, at + perRequest)])
                var request = base
                request.queries = chunk.map(\.text)
                let response: TimelineResponse = try await client.unary(KhaosanMethods.timeline, request)
                if !printedHeader && !output.json {
                    var header = ["line", "query", "total"]
                    if by != nil { header += response.periodStarts.map { TimelineTable.key(by!, $0) } }
                    StdOut.write(TimelineTable.csvRow(header))
                    printedHeader = true
                }
                for (q, s) in zip(chunk, response.series) {
                    if !s.error.isEmpty {
                        bad += 1
                        StdErr.line("khaosan: \(name):\(q.line): query syntax error at character \(s.errorPosition): \(s.error)")
                        if output.json {
                            StdOut.line(JSONValue.object([("line", .int(Int64(q.line))), ("query", .string(q.text)),
                                                          ("error", .string(s.error)), ("position", .uint(UInt64(s.errorPosition)))]).encoded())
                        }
                        continue
                    }
                    if output.json {
                        var o: [(String, JSONValue)] = [("line", .int(Int64(q.line))), ("query", .string(q.text)), ("total", .uint(s.total))]
                        if let by {
                            o.append(("periods", .object(zip(response.periodStarts, s.counts).map { (TimelineTable.key(by, $0), .uint($1)) })))
                        }
                        StdOut.line(JSONValue.object(o).encoded())
                    } else {
                        StdOut.write(TimelineTable.csvRow([String(q.line), q.text, String(s.total)] + s.counts.map { String($0) }))
                    }
                }
                at += chunk.count
                // Later requests get the first one's periods as bounds, so that every row has the
                // header's columns even if releases arrive meanwhile.
                if let by, let first = response.periodStarts.first, let last = response.periodStarts.last {
                    if base.from == nil { base.from = first }
                    if base.to == nil { base.to = CivilDate(daysSinceEpoch: TimelineTable.next(by, last).daysSinceEpoch - 1) }
                }
                perRequest = max(1, min(Self.maxPerRequest, Self.maxCells / max(1, response.periodStarts.count)))
            }
        }
        if bad > 0 { throw CLIError("\(bad) of \(lines.count) queries in \(name) did not parse", exitCode: 2) }
    }
}
