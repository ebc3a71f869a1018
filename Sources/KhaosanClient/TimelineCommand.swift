import ArgumentParser
import Foundation
import KhaosanModel
import KhaosanRPC
import KhaosanWire

extension TimelinePeriod: ExpressibleByArgument {
    package init?(argument: String) {
        guard let p = Self.allCases.first(where: { TimelineTable.periodName($0) == argument }) else { return nil }
        self = p
    }
    package static var allValueStrings: [String] { allCases.map(TimelineTable.periodName) }
}

/// The filters of `search` that a timeline and a count take too.
struct TimelineFilterOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Only releases published on or after this day (and the first period holds it).", valueName: "date"))
    var from: String?

    @Option(help: ArgumentHelp("Only releases published on or before this day.", valueName: "date"))
    var to: String?

    @Option(name: .customLong("category"), help: ArgumentHelp(
        "Only this category: Thai name or English slug (repeatable; any of them matches).", valueName: "name-or-slug"))
    var categories: [String] = []

    @Option(help: "Only releases in this language.")
    var lang: LanguageChoice?

    @Flag(help: "Match whole words only, for every term.")
    var wholeWords = false

    func request(queries: [String], period: TimelinePeriod?, totals: Bool) throws(CLIError) -> TimelineRequest {
        let fromDate = try from.map { (s) throws(CLIError) in try parseDateArgument(s, option: "--from") }
        let toDate = try to.map { (s) throws(CLIError) in try parseDateArgument(s, option: "--to") }
        if let fromDate, let toDate, fromDate > toDate { throw .usage("--from \(fromDate) is after --to \(toDate)") }
        return TimelineRequest(queries: queries, period: period, from: fromDate, to: toDate,
                               categories: categories.map(CategoryCatalog.trimmedName).filter { !$0.isEmpty },
                               language: lang?.language, wholeWords: wholeWords, totals: totals)
    }
}

struct TimelineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timeline",
        abstract: "Matching releases per day, week, month or year, for one or more queries.",
        discussion: """
            Each QUERY is in the language of `khaosan search`. Periods run from --from (else the \
            archive's first release) to --to (else its last); a period without a match counts 0. \
            Weeks are ISO weeks, from Monday. With --ratio, each count is also given as a share \
            of all releases of its period that pass the filters, so a busy month does not look \
            like attention.

            On a terminal: a bar chart per query, the ISO period beside its Thai form \
            (ต.ค. 2566). --csv: RFC 4180, a header `period,QUERY...` (and `releases` with \
            --ratio; the cells are then shares), one row per period. --json: one object per \
            query, {"query","by","total","periods":[{"period","start","thai","count"(,"releases","ratio")}]}; \
            a query that does not parse gives {"query","error","position"}. --svg FILE writes \
            a line chart that a browser opens.
            """
    )

    @Argument(help: "One or more search queries.")
    var queries: [String]

    @Option(help: "Length of a period.")
    var by: TimelinePeriod = .month

    @Flag(help: "Also the share of the period's releases.")
    var ratio = false

    @Flag(help: "Print CSV (RFC 4180), a column per query.")
    var csv = false

    @Option(help: ArgumentHelp("Write a line chart to this SVG file.", valueName: "file"))
    var svg: String?

    @OptionGroup var filters: TimelineFilterOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var service: ServiceOptions

    func validate() throws {
        if queries.contains(where: { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }) {
            throw ValidationError("a query is empty")
        }
        if csv && output.json { throw ValidationError("--csv and --json cannot be combined") }
    }

    func run() async throws {
        let request = try filters.request(queries: queries, period: by, totals: ratio)
        let response: TimelineResponse = try await service.query().call { client in
            try await client.unary(KhaosanMethods.timeline, request)
        }
        let table = TimelineTable(period: by, starts: response.periodStarts, series: response.series, totals: response.totals)
        if let svg {
            let title = "Khaosan: \(queries.joined(separator: ", ")) — per \(TimelineTable.periodName(by))\(ratio ? " (share)" : "")"
            do {
                try Data(TimelineSVG.render(table, title: title).utf8).write(to: URL(fileURLWithPath: svg), options: .atomic)
            } catch {
                throw CLIError("cannot write \(svg): \(error.localizedDescription)")
            }
            StdErr.line("wrote \(svg)")
        }
        if output.json {
            for line in table.jsonLines() { StdOut.line(line.encoded()) }
        } else if csv {
            StdOut.write(table.csv())
        } else if svg == nil {
            if table.starts.isEmpty { StdOut.line("The archive has no releases in that range.") }
            for line in table.bars(width: output.width, style: output.style) { StdOut.line(line) }
        }
        if let bad = response.series.first(where: { !$0.error.isEmpty }) {
            throw CLIError("query \"\(bad.query)\": syntax error at character \(bad.errorPosition): \(bad.error)", exitCode: 2)
        }
    }
}
