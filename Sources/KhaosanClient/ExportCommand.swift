import ArgumentParser
import Foundation
import KhaosanModel
import KhaosanRPC
import KhaosanWire

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write every release matching a query as CSV or JSON Lines, without a cap.",
        discussion: """
            QUERY is in the search language (see `khaosan help search`); without it (or with \
            ""), every release passing the filters is exported. Rows come in publication date \
            then id order, streamed from khaosan-queryd (QueryService/Export) with constant \
            memory on both sides, however many there are.

            Fields (--fields, comma-separated, in the order given): id, version, current, \
            date (YYYY-MM-DD), category (Thai name), slug (English, empty when unknown), \
            language (th or en), title, url, body (the paragraphs joined by line breaks). \
            Default: id,date,category,slug,language,title,url, then body with --full-text; \
            --versions adds version and current after id and writes each stored old version \
            of a release as a row of its own, before its current one (current=false).

            CSV is RFC 4180 (header row, CRLF, quoted fields; Thai text as UTF-8), which \
            LibreOffice and pandas open as is; --bom puts a UTF-8 byte order mark first for \
            Excel. JSON Lines: one object per row, keys as the fields (id and version numbers, \
            an unknown slug null). With -o the file appears only once the export is complete. \
            On a terminal, stderr shows releases written / total. A reader that stops \
            early (`| head`) ends the export quietly, with status 0.
            """
    )

    @Argument(help: "The search query; empty: every release passing the filters.")
    var query: String = ""

    @Option(help: "csv (default) or jsonl.")
    var format: ExportFormat?

    @Flag(help: "The same as --format jsonl.")
    var json = false

    @Option(help: ArgumentHelp("Columns, comma-separated (see below).", valueName: "list"))
    var fields: String?

    @Flag(help: "Include each release's body (the body field).")
    var fullText = false

    @Flag(help: "Also a row for each stored old version of a release (adds the version and current fields).")
    var versions = false

    @Flag(help: "Start the CSV with a UTF-8 byte order mark (for Excel).")
    var bom = false

    @Option(name: .shortAndLong, help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
    var output: String?

    @OptionGroup var filters: TimelineFilterOptions
    @OptionGroup var service: ServiceOptions

    func validate() throws {
        if json, let format, format != .jsonl { throw ValidationError("--json and --format \(format.rawValue) cannot be combined") }
        if bom && resolvedFormat != .csv { throw ValidationError("--bom applies to --format csv only") }
        if let fields {
            do { _ = try ExportField.parse(fields) } catch { throw ValidationError(error.message) }
        }
        if output?.isEmpty == true { throw ValidationError("-o: the file name is empty") }
    }

    var resolvedFormat: ExportFormat { json ? .jsonl : (format ?? .csv) }

    func request(fields: [ExportField]) throws(CLIError) -> ExportRequest {
        let base = try filters.request(queries: [], period: nil, totals: false)
        // A body asked for by name needs the full text; version columns need the versions' rows.
        return ExportRequest(query: query, from: base.from, to: base.to, categories: base.categories, language: base.language,
                             wholeWords: base.wholeWords, fullText: fullText || fields.contains(.body),
                             versions: versions)
    }

    func run() async throws {
        let columns = try fields.map { (s) throws(CLIError) in try ExportField.parse(s) }
            ?? ExportField.defaults(fullText: fullText, versions: versions)
        let request = try request(fields: columns)
        let renderer = ExportRenderer(format: resolvedFormat, fields: columns, bom: bom)
        let out = try output.map { (p) throws(CLIError) in try ExportOutput(path: p) } ?? ExportOutput()
        // An export takes as long as it takes: no deadline unless --timeout says so.
        let options = CallOptions(timeout: service.timeout.map { .milliseconds(Int64($0 * 1000)) } ?? .seconds(7 * 24 * 3600))
        let progress = Terminal.stderrIsTerminal
        let started = ContinuousClock.now
        do {
            let (releases, rows) = try await service.query().call { client in
                try await client.serverStreaming(KhaosanMethods.export, request, options: options) { (responses: ResponseStream<ExportResponse>) in
                    var releases = 0, rows = 0
                    var total: UInt64 = 0
                    var lastDraw: ContinuousClock.Instant?
                    try out.write(renderer.header())
                    for try await message in responses {
                        total = message.total
                        for r in message.rows {
                            try out.write(renderer.row(r))
                            rows += 1
                            if r.current { releases += 1 }
                        }
                        if progress, lastDraw.map({ ContinuousClock.now - $0 >= .milliseconds(100) }) ?? true {
                            lastDraw = .now
                            StdErr.write("\r\u{1B}[2K" + Self.progressText(releases: releases, total: total, rows: rows,
                                                                           bytes: out.bytesWritten, elapsed: .now - started))
                        }
                    }
                    try out.finish()
                    if progress {
                        StdErr.write("\r\u{1B}[2K" + Self.progressText(releases: releases, total: total, rows: rows,
                                                                       bytes: out.bytesWritten, elapsed: .now - started) + "\n")
                    }
                    return (releases, rows)
                }
            }
            _ = (releases, rows)
        } catch {
            out.abandon()
            if progress { StdErr.write("\r\u{1B}[2K") }
            // Closing the call cancels the export on the server too.
            if let e = error as? CLIError, e.exitCode == 0, e.message == ExportOutput.readerGone.message { return }
            throw error
        }
    }

    /// `1,234/5,000 releases  (1,240 rows)  12.3 MB  850/s`.
    static func progressText(releases: Int, total: UInt64, rows: Int, bytes: UInt64, elapsed: Duration) -> String {
        var parts = ["\(groupedDigits(UInt64(releases)))/\(groupedDigits(total)) releases"]
        if rows != releases { parts.append("(\(groupedDigits(UInt64(rows))) rows)") }
        parts.append("\(formatDecimal(Double(bytes) / 1e6, places: 1)) MB")
        let secs = elapsed.inSeconds
        if secs > 0.2 { parts.append("\(formatDecimal(Double(releases) / secs, places: 0))/s") }
        return parts.joined(separator: "  ")
    }
}
