import ArgumentParser
import Foundation
import KhaosanModel
import KhaosanRPC
import KhaosanWire
import Synchronization

struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Send press releases to the archive.",
        discussion: """
            Sends files, and folders recursively (in name order; hidden entries, sockets and \
            other non-files skipped), through one bulk stream to khaosan-ingestd. .json files \
            are structured releases; anything else is a thaigov text file whose name \
            (<category>_<n>_<uuid>.txt) carries the category. - reads one release from \
            standard input (structured when it starts with {).

            Then waits until everything sent is searchable, unless --no-wait.

            With --json, one line per file as its result arrives: file, status (accepted, \
            duplicate, updated, rejected), id (null when unknown) and, when rejected, error \
            ({code, message}); the summary goes to stderr. Files rejected before sending have \
            the codes unreadable and too-large.

            Exit status: 0 every file accepted (duplicates and updates count as accepted), 1 any \
            rejected, 2 usage error, 3 khaosan-ingestd not reachable.
            """
    )

    @Argument(help: ArgumentHelp("Files or folders to ingest, or - for standard input.", valueName: "path"))
    var paths: [String] = []

    @Option(help: ArgumentHelp("Category for files whose name does not carry one (Thai name as on thaigov).", valueName: "name"))
    var category: String?

    @Flag(name: .customLong("no-wait"), help: "Return once the ingester has journaled everything, without waiting until it is searchable.")
    var noWait = false

    @Option(name: .customLong("wait-timeout"), help: ArgumentHelp("Seconds to wait until everything is searchable.", valueName: "seconds"))
    var waitTimeout: Double = 600

    @Flag(name: .shortAndLong, help: "No progress display and no summary.")
    var quiet = false

    @OptionGroup var output: OutputOptions
    @OptionGroup var service: ServiceOptions

    func validate() throws {
        if paths.isEmpty { throw ValidationError("give at least one file or folder (or - for standard input)") }
        guard waitTimeout > 0, waitTimeout.isFinite else { throw ValidationError("--wait-timeout must be a positive number of seconds") }
        if let category, CategoryCatalog.trimmedName(category).isEmpty { throw ValidationError("--category is empty") }
    }

    func run() async throws {
        let files = try expandInputs(paths)
        if files.isEmpty {
            if !quiet { StdErr.line("khaosan: no files found in \(paths.joined(separator: " "))") }
            return
        }
        let style = output.style
        let json = output.json
        let started = ContinuousClock.now
        let progress: ProgressLine? = quiet ? nil : ProgressLine(
            totalItems: files.count, totalBytes: files.reduce(0) { $0 + UInt64(max(0, $1.size)) },
            interactive: Terminal.stderrIsTerminal, width: Terminal.width(fd: 2))
        let tally = IngestTally(json: json, progress: progress)
        let category = self.category
        var svc = service.ingest()
        // The deadline covers the whole stream: by default an hour, or a tenth of a second per
        // file past 36,000 files (the whole corpus takes well under a minute). It was 7 days; a
        // stalled ingester is caught sooner by the stall check below.
        svc.timeout = service.timeout.map { .milliseconds(Int64($0 * 1000)) } ?? .seconds(max(3600, files.count / 10))
        let stallTimeout = IngestTally.stallTimeout
        // Files sent and not yet answered, in 64 KiB units: at most 16 MiB. The server reads no
        // more of a connection holding 32 MiB of requests its handlers have not taken (it would
        // then not see this stream's WINDOW frames either): staying under that keeps a stream of
        // large files flowing instead of stalling.
        let unit = 64 << 10
        let maxUnits = 256
        let inFlight = SendCredit(initial: maxUnits)

        do {
            try await svc.call { client in
                try await client.bidirectional(KhaosanMethods.ingestStream) {
                    (sender: RequestSender<IngestRequest>, responses: ResponseStream<IngestResult>) in
                    // true from the task reading results: the stream is over.
                    try await withThrowingTaskGroup(of: Bool.self) { group in
                        group.addTask {
                            for f in files {
                                try Task.checkCancellation()
                                let bytes: [UInt8]
                                do {
                                    // The ingester's input limit, checked before the file is read
                                    // whole; a request this size fits one message with its name.
                                    switch try readInput(f.path, limit: SizeLimits.maxReleaseInputBytes) as InputBytes {
                                    case .bytes(let b): bytes = b
                                    case .tooLarge(let size):
                                        tally.local(f.path, ReleaseError(code: .tooLarge, message: tooLargeMessage(size: size, limit: SizeLimits.maxReleaseInputBytes)), bytes: UInt64(size))
                                        continue
                                    }
                                } catch {
                                    tally.local(f.path, ReleaseError(code: .init(rawValue: "unreadable"), message: "\(error)"), bytes: 0)
                                    continue
                                }
                                let raw = rawRelease(path: f.path, baseName: f.baseName, bytes: bytes)
                                for _ in 0..<Self.units(bytes.count, unit: unit, max: maxUnits) { try await inFlight.acquire() }
                                tally.sent(f.path, bytes: UInt64(bytes.count))
                                try await sender.send(.raw(raw, categoryOverride: category))
                            }
                            sender.finish()
                            return false
                        }
                        group.addTask {
                            for try await r in responses {
                                if let bytes = tally.received(r) { inFlight.grant(Self.units(Int(bytes), unit: unit, max: maxUnits)) }
                            }
                            return true
                        }
                        // Files sent and nothing answered for a minute: the ingester is stuck
                        // (its disk, its journal); say so rather than wait for the deadline.
                        group.addTask {
                            while true {
                                try await Task.sleep(for: .seconds(1))
                                if let waiting = tally.stalled(for: stallTimeout) {
                                    throw CLIError("khaosan-ingestd has answered nothing for \(stallTimeout) with \(waiting) file(s) waiting; giving up (khaosan status says more)")
                                }
                            }
                        }
                        // The stall check never ends by itself: stop it once the results have.
                        while let streamOver = try await group.next() {
                            if streamOver { group.cancelAll(); break }
                        }
                    }
                }
            }
        } catch {
            tally.finishProgress()
            if !quiet { printSummary(tally.snapshot(), elapsed: ContinuousClock.now - started, style: style, json: json, interrupted: true) }
            throw error
        }
        tally.finishProgress()
        let result = tally.snapshot()
        if result.unanswered > 0 {
            throw CLIError("khaosan-ingestd ended the stream with \(result.unanswered) file(s) unanswered")
        }

        var applied: UInt64?
        if !noWait && result.accepted + result.updated + result.duplicate > 0 {
            if !quiet && Terminal.stderrIsTerminal { StdErr.write("Waiting until searchable…") }
            var syncSvc = service.ingest()
            syncSvc.timeout = .milliseconds(Int64(waitTimeout * 1000))
            do {
                let r: SyncResponse = try await withThrowingTaskGroup(of: SyncResponse?.self) { group in
                    group.addTask { [syncSvc] in
                        try await syncSvc.call { client in try await client.unary(KhaosanMethods.sync, SyncRequest()) }
                    }
                    if !quiet {
                        let ingest = service.ingest()
                        let waitTimeout = self.waitTimeout
                        group.addTask {
                            await Self.explainWait(ingest, waitTimeout: waitTimeout)
                            return nil
                        }
                    }
                    defer { group.cancelAll() }
                    while let next = try await group.next() {
                        if let r = next { return r }
                    }
                    throw CLIError("khaosan-ingestd ended Sync without an answer")
                }
                applied = r.appliedSequence
                if !quiet && Terminal.stderrIsTerminal { StdErr.write("\r\u{1B}[2K") }
            } catch let e as CLIError {
                if !quiet && Terminal.stderrIsTerminal { StdErr.line("") }
                if !quiet { printSummary(result, elapsed: ContinuousClock.now - started, style: style, json: json, interrupted: false) }
                throw CLIError("all files were sent, but waiting until they are searchable failed: \(e.message)", exitCode: e.exitCode)
            }
        }
        if !quiet {
            printSummary(result, elapsed: ContinuousClock.now - started, style: style, json: json, interrupted: false)
            if let applied {
                let line = "Searchable up to journal position \(applied)."
                if json { StdErr.line(line) } else { StdOut.line(line) }
            }
        }
        if result.rejected.count > 0 { throw ExitCode(1) }
    }

    /// While Sync waits, says once why it may take long: the ingester cannot reach the query
    /// service. Everything acknowledged is journaled and goes through when it is back, so the
    /// wait is worth it, but a user left looking at a silent terminal cannot know that.
    private static func explainWait(_ ingest: Service, waitTimeout: Double) async {
        var probe = ingest
        probe.timeout = .seconds(2)
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(2))
            guard !Task.isCancelled else { return }
            guard let status: IngestStatusResponse = try? await probe.call({ client in
                try await client.unary(KhaosanMethods.ingestStatus, IngestStatusRequest())
            }) else { continue }
            guard !status.queryReachable, !Task.isCancelled else { continue }
            let why = status.lastForwardError.map { " (\($0))" } ?? ""
            let lead = Terminal.stderrIsTerminal ? "\r\u{1B}[2K" : ""
            StdErr.line(lead + "khaosan-ingestd cannot reach khaosan-queryd\(why). Everything accepted is journaled "
                + "and becomes searchable once khaosan-queryd is back; waiting up to \(formatDecimal(waitTimeout, places: 0)) s (--wait-timeout).")
            if Terminal.stderrIsTerminal { StdErr.write("Waiting until searchable…") }
            return
        }
    }

    static func units(_ bytes: Int, unit: Int, max: Int) -> Int { Swift.min(max, Swift.max(1, (bytes + unit - 1) / unit)) }

    private func printSummary(_ t: IngestTally.Snapshot, elapsed: Duration, style: Style, json: Bool, interrupted: Bool) {
        let secs = elapsed.inSeconds
        let n = t.accepted + t.duplicate + t.updated + t.rejected.count
        var head = interrupted ? "Interrupted after \(groupedDigits(UInt64(n))) file\(n == 1 ? "" : "s")" : "Ingested \(groupedDigits(UInt64(n))) file\(n == 1 ? "" : "s")"
        head += " (\(formatBytes(t.bytes))) in \(secs < 60 ? formatDecimal(secs, places: 1) + " s" : formatClock(seconds: secs)): "
        // Title-only releases are among those accepted, updated or duplicate, counted apart.
        let titleOnly = t.titleOnly > 0 ? " (\(groupedDigits(UInt64(t.titleOnly))) title-only)" : ""
        let counts = [
            style.green("\(groupedDigits(UInt64(t.accepted))) accepted") + titleOnly,
            "\(groupedDigits(UInt64(t.duplicate))) duplicate",
            "\(groupedDigits(UInt64(t.updated))) updated",
            t.rejected.isEmpty ? "0 rejected" : style.red("\(groupedDigits(UInt64(t.rejected.count))) rejected"),
        ]
        if json {
            // stdout carries only the per-file lines.
            StdErr.line(head + counts.joined(separator: ", ") + ".")
            return
        }
        StdOut.line(head + counts.joined(separator: ", ") + ".")
        if !t.categoryKept.isEmpty {
            StdOut.line("")
            StdOut.line(style.bold("Category kept from the version before (the file name has none)"))
            for (path, message) in t.categoryKept.prefix(10) { StdOut.line("  \(path)\n    \(message)") }
            if t.categoryKept.count > 10 { StdOut.line("  … and \(t.categoryKept.count - 10) more") }
        }
        if !t.rejected.isEmpty {
            printRejections(t.rejected, style: style, width: output.width, limit: 10, to: StdOut.line)
        }
    }
}

/// Results of one ingest run, shared by the sending and the receiving task. Results come back one
/// per request, in order, so the oldest file sent is the one a result belongs to.
final class IngestTally: Sendable {
    struct Snapshot: Sendable {
        var accepted = 0
        var duplicate = 0
        var updated = 0
        var rejected: [(String, ReleaseError)] = []
        /// Accepted, updated or duplicate releases with no body (counted in those too).
        var titleOnly = 0
        /// Files whose release kept the category of its version before (`category-kept`).
        var categoryKept: [(String, String)] = []
        var bytes: UInt64 = 0
        var unanswered = 0
    }

    private struct State {
        var snapshot = Snapshot()
        var pending: [(path: String, bytes: UInt64)] = []
        var pendingHead = 0
        var progress: ProgressLine?
        var lastProgress = ContinuousClock.now
    }

    /// How long files may wait with no result at all before the CLI gives up.
    static let stallTimeout: Duration = .seconds(60)

    /// The number of files waiting, when some are and nothing has come back for `timeout`.
    func stalled(for timeout: Duration) -> Int? {
        state.withLock { s in
            let waiting = s.pending.count - s.pendingHead
            return waiting > 0 && ContinuousClock.now - s.lastProgress > timeout ? waiting : nil
        }
    }

    private let state: Mutex<State>
    private let json: Bool

    init(json: Bool, progress: ProgressLine?) {
        self.json = json
        self.state = Mutex(State(progress: progress))
    }

    func sent(_ path: String, bytes: UInt64) {
        state.withLock { s in
            // The clock starts with the first file waiting, not at the last answer.
            if s.pending.count == s.pendingHead { s.lastProgress = .now }
            s.pending.append((path, bytes))
        }
    }

    /// A file that never left: unreadable or too large.
    func local(_ path: String, _ error: ReleaseError, bytes: UInt64) {
        state.withLock { s in
            s.snapshot.rejected.append((path, error))
            s.snapshot.bytes += bytes
            emit(&s, path: path, status: "rejected", id: nil, error: error)
        }
    }

    /// Returns the size of the file this result answers (nil for an unexpected extra result).
    @discardableResult
    func received(_ r: IngestResult) -> UInt64? {
        state.withLock { s in
            s.lastProgress = .now
            var path = r.fileName
            var answered: UInt64?
            if s.pendingHead < s.pending.count {
                answered = s.pending[s.pendingHead].bytes
                path = s.pending[s.pendingHead].path
                s.snapshot.bytes += s.pending[s.pendingHead].bytes
                s.pendingHead += 1
                // Keep memory flat on huge runs.
                if s.pendingHead > 4096 {
                    s.pending.removeFirst(s.pendingHead)
                    s.pendingHead = 0
                }
            }
            let status: String
            switch r.status {
            case .accepted: status = "accepted"; s.snapshot.accepted += 1
            case .duplicate: status = "duplicate"; s.snapshot.duplicate += 1
            case .updated: status = "updated"; s.snapshot.updated += 1
            case .rejected, .unspecified:
                status = "rejected"
                let e = r.error ?? ReleaseError(code: .init(rawValue: "unknown"), message: "the ingester gave no reason")
                s.snapshot.rejected.append((path, e))
            }
            for note in r.notes {
                if note.code == IngestNote.titleOnly { s.snapshot.titleOnly += 1 }
                if note.code == IngestNote.categoryKept { s.snapshot.categoryKept.append((path, note.message)) }
            }
            emit(&s, path: path, status: status, id: r.id > 0 ? r.id : nil, error: status == "rejected" ? s.snapshot.rejected.last?.1 : nil,
                 notes: r.notes.map { ($0.code, $0.message) })
            return answered
        }
    }

    private func emit(_ s: inout State, path: String, status: String, id: Int64?, error: ReleaseError?, notes: [(code: String, message: String)] = []) {
        if json {
            StdOut.line(JSONShapes.ingestItem(file: path, status: status, id: id, error: error, notes: notes).encoded())
            // Lines must reach a consumer as results arrive, not when the buffer fills.
            StdOut.flush()
        }
        let done = s.snapshot.accepted + s.snapshot.duplicate + s.snapshot.updated + s.snapshot.rejected.count
        if let text = s.progress?.update(done: done, bytes: s.snapshot.bytes) { StdErr.write(text) }
    }

    func finishProgress() {
        state.withLock { s in
            if let text = s.progress?.finish(), !text.isEmpty { StdErr.write(text) }
        }
    }

    func snapshot() -> Snapshot {
        state.withLock { s in
            var snap = s.snapshot
            snap.unanswered = s.pending.count - s.pendingHead
            return snap
        }
    }
}
