import ArgumentParser
import Foundation
import KhaosanModel
import KhaosanRPC
import KhaosanThai
import KhaosanWire

enum LanguageChoice: String, CaseIterable, ExpressibleByArgument {
    case th, en
    var language: Language { self == .th ? .th : .en }
}

enum SortChoice: String, CaseIterable, ExpressibleByArgument {
    case relevance, newest, oldest
    var wire: SearchRequest.Sort {
        switch self {
        case .relevance: .relevance
        case .newest: .newest
        case .oldest: .oldest
        }
    }
}

/// Word starts of a snippet, so Thai lines wrap between words rather than inside one.
func thaiWordBreaks(_ text: String) -> Set<Int> {
    Set(ThaiAnalyzer.shared.words(text).map(\.utf8Range.lowerBound))
}

/// Loading the dictionary costs about 0.1 s (release build): worth it for a person reading a
/// terminal, not for a pipe, where lines break between clusters instead.
func snippetWordBreaks() -> (String) -> Set<Int> {
    if Terminal.stdoutIsTerminal { return { thaiWordBreaks($0) } }
    return { _ in [] }
}

struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search the archive.",
        discussion: """
            QUERY is free text: words (Thai needs no spaces), "exact phrases", AND, OR, NOT and \
            parentheses. A term matches inside words too (ยา finds ยาง), releases where it is a \
            whole word first; =ยา (or ="...") matches whole words only. Punctuation at the edges \
            of a bare word is ignored; inside quotes it is literal. Thai digits match Arabic \
            digits. A query that does not parse exits with status 2.

            Dates for --from and --to: 2023-10-01, 1/10/2566 (day/month/Buddhist-era year) or \
            1 ต.ค. 2566; both bounds are inclusive.

            With --json, one object per hit with the keys rank, id, title, published \
            (YYYY-MM-DD), published_thai, category, category_slug, language, score, snippet, \
            highlights ([[start,end]] UTF-8 byte offsets into snippet) and source_url; the total \
            and timing go to stderr. With --facets and --json, a last line \
            {"facets":{"categories":[...],"months":[...]},"total":N} follows the hits. When \
            nothing matches, a line {"suggestions":[{"query":...,"term":...,"total":N}]} \
            lists nearby queries that do ("did you mean"). With --total and --json, the very \
            last line is {"total":N,"returned":K,"offset":O,"took_us":T} (the number of \
            matches, the hits on this page, how many came before it, the server's time), for \
            scripts: the summary on stderr is only written to a terminal.

            An unknown --category is an error (exit 2) naming the closest categories; \
            `khaosan categories` lists them all.

            --collapse shows one release per group of near-duplicates (grouped at ingest: a \
            Jaccard similarity of 0.65 or more of their word 3-shingles, see `khaosan \
            similar`), the best-ranked, with the others of its group as "also published as #ID"; \
            with --json the key also_published_as lists them. It covers the first 1,000 hits; \
            the total still counts every matching release.
            """
    )

    @Argument(help: "The search query.")
    var query: String

    @Option(help: ArgumentHelp("Only releases published on or after this day.", valueName: "date"))
    var from: String?

    @Option(help: ArgumentHelp("Only releases published on or before this day.", valueName: "date"))
    var to: String?

    @Option(name: .customLong("category"), help: ArgumentHelp(
        "Only this category: Thai name or English slug (repeatable; any of them matches).",
        valueName: "name-or-slug"))
    var categories: [String] = []

    @Option(help: "Only releases in this language.")
    var lang: LanguageChoice?

    @Option(help: "Order of the hits.")
    var sort: SortChoice = .relevance

    @Option(help: "Hits per page (1-1000).")
    var limit: Int = 10

    @Option(help: "Page of hits to show, from 1.")
    var page: Int = 1

    @Flag(help: "Also print the number of hits per category and per month.")
    var facets = false

    @Flag(help: "One hit per group of near-duplicates (texts about 80% the same), the others listed as \"also published as\".")
    var collapse = false

    @Flag(help: "Match whole words only, for every term (one term: write it =term).")
    var wholeWords = false

    @Flag(help: "With --json, end with a line {\"total\":N,\"returned\":K,\"offset\":O,\"took_us\":T}.")
    var total = false

    @OptionGroup var output: OutputOptions
    @OptionGroup var service: ServiceOptions

    func validate() throws {
        guard (1...1000).contains(limit) else { throw ValidationError("--limit must be between 1 and 1000, got \(limit)") }
        guard page >= 1 else { throw ValidationError("--page starts at 1, got \(page)") }
        guard UInt64(page - 1) * UInt64(limit) <= UInt64(UInt32.max) else { throw ValidationError("--page \(page) is too far") }
        if query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw ValidationError("the query is empty") }
    }

    func request() throws(CLIError) -> SearchRequest {
        let fromDate = try from.map { (s) throws(CLIError) in try parseDateArgument(s, option: "--from") }
        let toDate = try to.map { (s) throws(CLIError) in try parseDateArgument(s, option: "--to") }
        if let fromDate, let toDate, fromDate > toDate {
            throw .usage("--from \(fromDate) is after --to \(toDate)")
        }
        return SearchRequest(
            query: query, from: fromDate, to: toDate,
            categories: categories.map(CategoryCatalog.trimmedName).filter { !$0.isEmpty },
            language: lang?.language, sort: sort.wire, limit: UInt32(limit), offset: UInt32((page - 1) * limit), facets: facets,
            wholeWords: wholeWords, collapse: collapse)
    }

    func run() async throws {
        let req = try request()
        let started = ContinuousClock.now
        let response: SearchResponse = try await service.query().call { client in
            try await client.unary(KhaosanMethods.search, req)
        }
        let elapsed = ContinuousClock.now - started
        let roundTrip = UInt64(max(0, elapsed.microseconds))
        let timing = "\(formatDuration(micros: roundTrip)) (server \(formatDuration(micros: response.tookMicros)))"
        let firstRank = (page - 1) * limit + 1

        if output.json {
            for (i, h) in response.hits.enumerated() {
                var object = JSONShapes.hit(h, rank: firstRank + i)
                if collapse, case .object(var pairs) = object {
                    pairs.append(("also_published_as", .array(h.alsoPublishedAs.map { .int($0) })))
                    object = .object(pairs)
                }
                StdOut.line(object.encoded())
            }
            if !response.suggestions.isEmpty {
                StdOut.line(JSONValue.object([
                    ("suggestions", .array(response.suggestions.map { s in
                        JSONValue.object([("query", .string(s.key)), ("term", .string(s.label)), ("total", .uint(s.count))])
                    })),
                ]).encoded())
            }
            if facets {
                StdOut.line(JSONValue.object([
                    ("facets", .object([
                        ("categories", JSONShapes.facets(response.categoryFacets)),
                        ("months", JSONShapes.facets(response.monthFacets)),
                    ])),
                    ("total", .uint(response.total)),
                ]).encoded())
            }
            if total {
                StdOut.line(JSONValue.object([
                    ("total", .uint(response.total)),
                    ("returned", .uint(UInt64(response.hits.count))),
                    ("offset", .uint(UInt64(firstRank - 1))),
                    ("took_us", .uint(response.tookMicros)),
                ]).encoded())
            }
            if Terminal.stderrIsTerminal {
                StdErr.line("\(groupedDigits(response.total)) results · \(timing)")
            }
            return
        }

        let style = output.style
        let width = output.width
        if response.hits.isEmpty {
            StdOut.line(response.total == 0 ? "No results." : "No results on page \(page) (\(groupedDigits(response.total)) in all).")
            for s in response.suggestions {
                StdOut.line("Did you mean: \(s.key)  (\(groupedDigits(s.count)) results)")
            }
        } else {
            let rankWidth = String(firstRank + response.hits.count - 1).count
            for (i, h) in response.hits.enumerated() {
                if i > 0 { StdOut.line("") }
                for line in renderHit(h, rank: firstRank + i, rankWidth: rankWidth, width: width, style: style, wordBreaks: snippetWordBreaks()) {
                    StdOut.line(line)
                }
                if !h.alsoPublishedAs.isEmpty {
                    let indent = String(repeating: " ", count: rankWidth + 2)
                    StdOut.line(indent + style.dim("also published as " + h.alsoPublishedAs.map { "#\($0)" }.joined(separator: ", ")))
                }
            }
        }
        if facets { printFacets(response, style: style, width: width) }
        StdOut.line("")
        let shown = response.hits.isEmpty ? "" : "\(firstRank)-\(firstRank + response.hits.count - 1) of "
        StdOut.line(style.dim("\(shown)\(groupedDigits(response.total)) results · \(timing)"))
    }

    private func printFacets(_ r: SearchResponse, style: Style, width: Int) {
        func table(_ title: String, _ rows: [FacetCount]) {
            guard !rows.isEmpty else { return }
            StdOut.line("")
            StdOut.line(style.bold(title))
            let countWidth = rows.map { groupedDigits($0.count).count }.max() ?? 1
            let labelRoom = max(10, width - countWidth - 4)
            for f in rows {
                let label = (f.label.isEmpty ? f.key : (f.label == f.key ? f.label : "\(f.label) (\(f.key))"))
                StdOut.line("  " + groupedDigits(f.count).leftPadded(toWidth: countWidth) + "  " + label.truncated(toWidth: labelRoom))
            }
        }
        if !r.categoryFacets.isEmpty {
            StdOut.line("")
            StdOut.line(style.bold("Categories"))
            for line in CategoryTable.lines(r.categoryFacets, style: style, width: Terminal.stdoutIsTerminal ? width : nil) { StdOut.line(line) }
        }
        table("Months", r.monthFacets)
    }
}

struct LatestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "latest",
        abstract: "Show the most recently published releases.",
        discussion: "With --json, one object per release with the keys of `khaosan search --json` (without rank)."
    )

    @Argument(help: ArgumentHelp("How many releases to show (1-1000).", valueName: "n"))
    var count: Int = 10

    @OptionGroup var output: OutputOptions
    @OptionGroup var service: ServiceOptions

    func validate() throws {
        guard (1...1000).contains(count) else { throw ValidationError("N must be between 1 and 1000, got \(count)") }
    }

    func run() async throws {
        let response: LatestResponse = try await service.query().call { client in
            try await client.unary(KhaosanMethods.latest, LatestRequest(limit: UInt32(count)))
        }
        if output.json {
            for h in response.hits { StdOut.line(JSONShapes.hit(h).encoded()) }
            return
        }
        if response.hits.isEmpty {
            StdOut.line("The archive is empty.")
            return
        }
        let style = output.style
        let width = output.width
        let rankWidth = String(response.hits.count).count
        for (i, h) in response.hits.enumerated() {
            if i > 0 { StdOut.line("") }
            for line in renderHit(h, rank: i + 1, rankWidth: rankWidth, width: width, style: style, snippetLines: 2, wordBreaks: snippetWordBreaks()) {
                StdOut.line(line)
            }
        }
    }
}
