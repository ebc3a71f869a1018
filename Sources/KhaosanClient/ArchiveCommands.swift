import ArgumentParser
import Foundation
package import KhaosanModel
import KhaosanRPC
import KhaosanThai
import KhaosanWire

/// The thaigov text form of a release, rebuilt from its stored fields: title line, Thai date line,
/// paragraphs, source line. Not byte-identical to the file that was ingested (separators, the
/// repeated title and the printed-date line are not stored).
package func reconstructedThaigovText(_ r: Release) -> String {
    var lines = ["รัฐบาลไทย-ข่าวทำเนียบรัฐบาล-\(r.title)", ThaiCalendar.thaiDateLine(r.published)]
    lines.append(contentsOf: r.paragraphs)
    if !r.sourceURL.isEmpty { lines.append("ที่มา : \(r.sourceURL)") }
    return lines.joined(separator: "\n") + "\n"
}

struct GetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Show one release in full.",
        discussion: """
            --raw prints the release in thaigov text form, reconstructed from the stored fields \
            (title line, Thai date line, paragraphs, ที่มา line); it is not the original file byte \
            for byte.

            With --json, one object with the keys file (always ""), id, source_url, title, \
            published, category, language, paragraphs (as `khaosan parse --json`), then \
            category_slug, entities, content_hash, version (the one shown), versions \
            ([{version, content_hash, stored_at}], filled with --versions; stored_at is ISO 8601 UTC) \
            and current_version (the newest stored). With --rev N, the release keys are those \
            of version N.

            ID is the release id (73500), the id as search prints it (#73500) or the release's \
            thaigov URL (its source_url). `--version` is khaosan's own version, as on every \
            command; a stored version of a release is --rev N (`khaosan get 73500 --versions` \
            lists them).
            """
    )

    @Argument(help: ArgumentHelp("The release: 73500, #73500 or its thaigov URL.", valueName: "id"))
    var reference: String

    @Option(name: .customLong("rev"), help: ArgumentHelp(
        "Show stored version N of the release (1 is the first ingested; see --versions).", valueName: "n"))
    var revision: UInt32?

    @Flag(help: "Print the text in thaigov form, reconstructed from the stored fields.")
    var raw = false

    @Flag(help: "Also list every stored version of the release.")
    var versions = false

    @OptionGroup var output: OutputOptions
    @OptionGroup var service: ServiceOptions

    func validate() throws {
        if case .failure(let e) = ReleaseReference.id(from: reference) { throw ValidationError(e.message) }
        if let revision, revision == 0 { throw ValidationError("--rev counts from 1, got 0") }
        if raw && output.json { throw ValidationError("--raw and --json cannot be used together") }
    }

    func run() async throws {
        let id = try ReleaseReference.id(from: reference).get()
        let versions = self.versions
        let revision = self.revision
        let svc = service.query()
        var response: GetResponse
        do {
            response = try await svc.call { client in
                try await client.unary(KhaosanMethods.get, GetRequest(id: id, includeVersions: versions || revision != nil))
            }
        } catch let e as CLIError where e.message.hasPrefix("NOT_FOUND") {
            throw CLIError("no release with id \(id)")
        }
        guard var r = response.release else { throw CLIError("no release with id \(id)") }
        let current = response.version
        var shown = current
        if let revision {
            guard let v = response.versions.first(where: { $0.version == revision }) else {
                let have = response.versions.map { String($0.version) }.joined(separator: ", ")
                throw CLIError("release \(id) has no stored version \(revision) (it has \(have.isEmpty ? String(current) : have))")
            }
            r = v.release
            shown = revision
            if !versions { response.versions = [] }
        }

        if output.json {
            var pairs = JSONShapes.getPairs(r, version: shown, versions: response.versions)
            pairs.append(("current_version", .uint(UInt64(current))))
            StdOut.line(JSONValue.object(pairs).encoded())
            return
        }
        if raw {
            StdOut.write(reconstructedThaigovText(r))
            if versions { printVersions(response, style: .plain, to: StdErr.line) }
            return
        }
        let style = output.style
        let width = output.width
        // Paragraphs fill the terminal; into a pipe each stays one line, for grep and friends.
        let wrapWidth: Int? = Terminal.stdoutIsTerminal ? min(width, 100) : nil
        if let wrapWidth {
            for l in wrap(r.title, width: wrapWidth, breaks: thaiWordBreaks(r.title)) { StdOut.line(style.bold(l)) }
        } else {
            StdOut.line(style.bold(r.title))
        }
        var meta = "\(bothDateForms(r.published)) · \(r.category.name)"
        if let slug = r.category.slug { meta += " (\(slug))" }
        meta += " · \(r.language.rawValue) · #\(r.id)"
        if shown != current {
            meta += " · version \(shown) of \(current)"
        } else if current > 1 {
            meta += " · version \(current)"
        }
        StdOut.line(style.dim(meta))
        if !r.sourceURL.isEmpty { StdOut.line(style.cyan(r.sourceURL)) }
        if r.isTitleOnly {
            StdOut.line("")
            StdOut.line(style.dim("(no body: a title-only release, its page had only the title; the title is its text)"))
        }
        for p in r.paragraphs {
            StdOut.line("")
            if let wrapWidth {
                for l in wrap(p, width: wrapWidth, breaks: thaiWordBreaks(p)) { StdOut.line(l) }
            } else {
                StdOut.line(p)
            }
        }
        if !r.entities.isEmpty {
            StdOut.line("")
            StdOut.line(style.dim("Names: " + r.entities.joined(separator: ", ")))
        }
        if versions { printVersions(response, style: style, to: StdOut.line) }
    }

    private func printVersions(_ response: GetResponse, style: Style, to out: (String) -> Void) {
        out("")
        out(style.bold("Versions"))
        if response.versions.isEmpty { out("  (none listed)") }
        for v in response.versions {
            let mark = v.version == response.version ? " (current)" : ""
            out("  v\(v.version)  \(isoTimestamp(unixMillis: v.storedAtUnixMs))  \(v.contentHash.prefix(16))\(mark)")
        }
    }
}

struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Show what the archive holds.",
        discussion: """
            With --json, one object: version, protobuf_c_version, releases, versions, \
            database_bytes, text_bytes, first, last (YYYY-MM-DD or null), applied_sequence, \
            categories and languages ([{key, label, count}]).
            """
    )

    @OptionGroup var output: OutputOptions
    @OptionGroup var service: ServiceOptions

    func run() async throws {
        let s: StatsResponse = try await service.query().call { client in
            try await client.unary(KhaosanMethods.stats, StatsRequest())
        }
        if output.json {
            StdOut.line(JSONValue.object([
                ("version", .string(s.version)),
                ("protobuf_c_version", .string(s.protobufCVersion)),
                ("releases", .uint(s.releases)),
                ("versions", .uint(s.versions)),
                ("database_bytes", .uint(s.databaseBytes)),
                ("text_bytes", .uint(s.textBytes)),
                ("first", .string(s.first?.description)),
                ("last", .string(s.last?.description)),
                ("applied_sequence", .uint(s.appliedSequence)),
                ("categories", JSONShapes.facets(s.categories)),
                ("languages", JSONShapes.facets(s.languages)),
            ]).encoded())
            return
        }
        let style = output.style
        let width = output.width
        let rows: [(String, String)] = [
            ("Releases", groupedDigits(s.releases)),
            ("Versions", groupedDigits(s.versions)),
            ("Published", s.first.map { f in s.last.map { "\(bothDateForms(f)) to \(bothDateForms($0))" } ?? "\(f)" } ?? "-"),
            ("Archive size", "\(formatBytes(s.databaseBytes)) (text \(formatBytes(s.textBytes)))"),
            ("Applied up to", "journal position \(s.appliedSequence)"),
            ("Server", "khaosan-queryd \(s.version), protobuf-c \(s.protobufCVersion)"),
        ]
        for (k, v) in rows { StdOut.line(style.bold(k.padded(toWidth: 14)) + v) }
        if !s.categories.isEmpty {
            StdOut.line("")
            StdOut.line(style.bold("Categories"))
            for line in CategoryTable.lines(s.categories, style: style, width: Terminal.stdoutIsTerminal ? width : nil) { StdOut.line(line) }
        }
        if !s.languages.isEmpty {
            StdOut.line("")
            StdOut.line(style.bold("Languages"))
            let cw = s.languages.map { groupedDigits($0.count).count }.max() ?? 1
            for f in s.languages { StdOut.line("  " + groupedDigits(f.count).leftPadded(toWidth: cw) + "  " + f.key) }
        }
    }
}

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Check that both services are up and the ingester is keeping up.",
        discussion: """
            Exit status 0 when both services are reachable and serving, 1 when one answers but is \
            not serving, 3 when one cannot be reached.

            With --json, one object per service: service (ingestd or queryd), socket, reachable, \
            health (serving, not_serving, unknown), error (when unreachable), version, then for \
            ingestd: protobuf_c_version, journal_bytes, journal_segments, last_sequence, \
            forwarded_sequence, lag, query_reachable, accepted_total, duplicate_total, \
            updated_total, rejected_total, last_forward_error, dead_letter_total, last_dead_letter; for queryd: protobuf_c_version, \
            releases, database_bytes, applied_sequence, and (issue 19) store_kind (sqlite or postgres), store_role \
            (writer or replica), store_location, store_latest_change, store_applied_change, store_lag_changes, \
            store_lag_seconds, store_error. A PostgreSQL-backed khaosan-queryd also shows its store and lag as text.
            """
    )

    @OptionGroup var output: OutputOptions
    @OptionGroup var service: ServiceOptions

    private struct Probe {
        var reachable = false
        var health = "unknown"
        var error: String?
        var details: [(String, JSONValue)] = []
        var lines: [(String, String)] = []
    }

    private static func healthName(_ s: HealthCheckResponse.ServingStatus) -> String {
        switch s {
        case .serving: "serving"
        case .notServing: "not_serving"
        case .serviceUnknown: "service_unknown"
        case .unknown: "unknown"
        }
    }

    private func probe<Status: WireMessage, Req: WireMessage>(
        _ svc: Service, method: MethodDescriptor, request: Req, describe: (Status) -> ([(String, JSONValue)], [(String, String)])
    ) async -> Probe {
        var p = Probe()
        do {
            let (health, status): (HealthCheckResponse, Status) = try await svc.call { client in
                let h: HealthCheckResponse = try await client.unary(KhaosanMethods.healthCheck, HealthCheckRequest(service: ""))
                let s: Status = try await client.unary(method, request)
                return (h, s)
            }
            p.reachable = true
            p.health = Self.healthName(health.status)
            (p.details, p.lines) = describe(status)
        } catch let e as CLIError {
            p.reachable = e.exitCode != 3
            p.error = e.message
        } catch {
            p.error = "\(error)"
        }
        return p
    }

    /// Issue 19: the archive of record and this node's lag (nil from a khaosan-queryd too old to
    /// know StoreStatus, or one that cannot be reached: the stats probe says so).
    private func storeStatus(_ svc: Service) async -> StoreStatusResponse? {
        try? await svc.call { client in
            try await client.unary(KhaosanMethods.storeStatus, StoreStatusRequest()) as StoreStatusResponse
        }
    }

    static func storeDetails(_ s: StoreStatusResponse) -> [(String, JSONValue)] {
        [
            ("store_kind", .string(s.kind)),
            ("store_role", .string(s.replica ? "replica" : "writer")),
            ("store_location", .string(s.location)),
            ("store_latest_change", .uint(s.latestChange)),
            ("store_applied_change", .uint(s.appliedChange)),
            ("store_lag_changes", .uint(s.lagChanges)),
            ("store_lag_seconds", .double(s.lagSeconds)),
            ("store_error", .string(s.error)),
        ]
    }

    /// Only for a shared store: an embedded SQLite archive is its own copy, never behind.
    static func storeLines(_ s: StoreStatusResponse) -> [(String, String)] {
        guard s.kind != "sqlite" else { return [] }
        return [
            ("store", "\(s.kind) (\(s.replica ? "replica" : "writer")) \(s.location)"),
            ("changes", "latest \(s.latestChange), applied here \(s.appliedChange), lag \(groupedDigits(s.lagChanges)) change\(s.lagChanges == 1 ? "" : "s"), "
                + String(format: "%.1f s", s.lagSeconds)),
        ] + (s.error.map { [("store error", $0)] } ?? [])
    }

    func run() async throws {
        let ingest = service.ingest()
        let query = service.query()
        async let ip = probe(ingest, method: KhaosanMethods.ingestStatus, request: IngestStatusRequest()) { (s: IngestStatusResponse) in
            ([
                ("version", .string(s.version)),
                ("protobuf_c_version", .string(s.protobufCVersion)),
                ("journal_bytes", .uint(s.journalBytes)),
                ("journal_segments", .uint(UInt64(s.journalSegments))),
                ("last_sequence", .uint(s.lastSequence)),
                ("forwarded_sequence", .uint(s.forwardedSequence)),
                ("lag", .uint(s.lag)),
                ("query_reachable", .bool(s.queryReachable)),
                ("accepted_total", .uint(s.acceptedTotal)),
                ("duplicate_total", .uint(s.duplicateTotal)),
                ("updated_total", .uint(s.updatedTotal)),
                ("rejected_total", .uint(s.rejectedTotal)),
                ("last_forward_error", .string(s.lastForwardError)),
                ("dead_letter_total", .uint(s.deadLetterTotal)),
                ("last_dead_letter", .string(s.lastDeadLetter)),
            ], [
                ("version", "\(s.version) (protobuf-c \(s.protobufCVersion))"),
                ("journal", "\(formatBytes(s.journalBytes)) in \(s.journalSegments) segment\(s.journalSegments == 1 ? "" : "s"), last position \(s.lastSequence)"),
                ("forwarded", "up to \(s.forwardedSequence), lag \(groupedDigits(s.lag))\(s.queryReachable ? "" : " (queryd unreachable)")"),
                ("totals", "\(groupedDigits(s.acceptedTotal)) accepted, \(groupedDigits(s.duplicateTotal)) duplicate, \(groupedDigits(s.updatedTotal)) updated, \(groupedDigits(s.rejectedTotal)) rejected"),
            ] + (s.lastForwardError.map { [("last error", $0)] } ?? [])
              + (s.deadLetterTotal == 0 ? [] : [("set aside", "\(groupedDigits(s.deadLetterTotal)) record\(s.deadLetterTotal == 1 ? "" : "s") refused by khaosan-queryd (dead-letters/ in the state directory); last: \(s.lastDeadLetter ?? "?")")]))
        }
        async let qp = probe(query, method: KhaosanMethods.stats, request: StatsRequest()) { (s: StatsResponse) in
            ([
                ("version", .string(s.version)),
                ("protobuf_c_version", .string(s.protobufCVersion)),
                ("releases", .uint(s.releases)),
                ("database_bytes", .uint(s.databaseBytes)),
                ("applied_sequence", .uint(s.appliedSequence)),
            ], [
                ("version", "\(s.version) (protobuf-c \(s.protobufCVersion))"),
                ("archive", "\(groupedDigits(s.releases)) releases, \(formatBytes(s.databaseBytes))"),
                ("applied", "up to journal position \(s.appliedSequence)"),
            ])
        }
        async let sp = storeStatus(query)
        var queryProbe = await qp
        if let st = await sp {
            queryProbe.details += Self.storeDetails(st)
            queryProbe.lines += Self.storeLines(st)
        }
        let probes = await [("ingestd", ingest, ip), ("queryd", query, queryProbe)]

        if output.json {
            for (name, svc, p) in probes {
                var pairs: [(String, JSONValue)] = [
                    ("service", .string(name)),
                    ("socket", .string(svc.socketPath)),
                    ("reachable", .bool(p.reachable)),
                    ("health", .string(p.health)),
                ]
                if let e = p.error { pairs.append(("error", .string(e))) }
                StdOut.line(JSONValue.object(pairs + p.details).encoded())
            }
        } else {
            let style = output.style
            for (i, (_, svc, p)) in probes.enumerated() {
                if i > 0 { StdOut.line("") }
                let state: String
                if !p.reachable {
                    state = style.red("unreachable")
                } else if p.health == "serving" {
                    state = style.green("serving")
                } else {
                    state = style.yellow(p.health.replacingOccurrences(of: "_", with: " "))
                }
                StdOut.line(style.bold(svc.name) + "  " + state + "  " + style.dim(svc.socketPath))
                if let e = p.error { StdOut.line("  " + e) }
                for (k, v) in p.lines { StdOut.line("  " + k.padded(toWidth: 11) + v) }
            }
        }
        if probes.contains(where: { !$0.2.reachable }) { throw ExitCode(3) }
        if probes.contains(where: { $0.2.health != "serving" }) { throw ExitCode(1) }
    }
}
