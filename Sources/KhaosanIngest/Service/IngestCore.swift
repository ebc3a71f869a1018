import Foundation
import KhaosanModel
import KhaosanDaemon
import KhaosanRPC
import KhaosanUnixTransport
import KhaosanWire
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Intake, journal, catalog and forwarder: everything behind the socket.
final class IngestCore: Sendable {
    let configuration: IngestServiceConfiguration
    let journal: Journal
    let catalog: Catalog
    let forwarder: Forwarder
    let queryClient: RPCClient
    let health: HealthStatus
    private let counters = Mutex(Counters())
    private let logger: Logger

    struct Counters {
        var accepted: UInt64 = 0
        var duplicate: UInt64 = 0
        var updated: UInt64 = 0
        var rejected: UInt64 = 0
        var titleOnly: UInt64 = 0
    }

    /// `queryClient`: how to reach khaosan-queryd; by default its socket (tests pass an
    /// in-process one).
    init(configuration: IngestServiceConfiguration, logger: Logger, queryClient client: RPCClient? = nil) throws {
        try WireLibrary.checkMinimumVersion()
        self.configuration = configuration
        self.logger = logger
        logger.info("starting", metadata: [
            "khaosan.version": "\(KhaosanVersion.current)",
            "protobuf_c.version": "\(WireLibrary.protobufCVersion)",
            "journal.dir": "\(configuration.stateDirectory)",
        ])
        let dir = configuration.stateDirectory
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        journal = try Journal.open(JournalConfiguration(
            directory: dir + "/journal",
            segmentBytes: configuration.journalSegmentBytes,
            quotaBytes: configuration.journalQuotaBytes,
            // What recovery believes, not what intake accepts (`maxRecordBytes`, checked before
            // the append): a journal written before the limits were derived may hold records up
            // to 8 MiB, which must still open (the forwarder sets them aside, see DeadLetters).
            maxRecordBytes: max(8 << 20, configuration.maxRecordBytes)
        ))
        let recovery = journal.recovery
        if recovery.truncatedBytes > 0 {
            logger.warning("journal recovery cut a torn tail", metadata: [
                "journal.truncated_bytes": "\(recovery.truncatedBytes)",
                "journal.segment": "\(recovery.truncatedSegment ?? "")",
                "journal.saved_tail": "\(recovery.savedTail ?? "")",
                "journal.reason": "\(recovery.reason ?? "")",
            ])
        }
        let health = HealthStatus(services: [KhaosanMethods.ingestService])
        self.health = health
        do {
            catalog = try Catalog(path: dir + "/catalog.bin", onBroken: { error in
                // Nothing more is acknowledged (each call gets the error); the health check says
                // so before anyone sends.
                health.setAll(.notServing)
                logger.critical("intake catalog cannot be written; not serving until fixed and restarted", metadata: ["error": "\(error)"])
            })
            if !catalog.migration.isEmpty {
                logger.warning("intake catalog rewritten", metadata: ["catalog.path": "\(catalog.path)", "catalog.migration": "\(catalog.migration)"])
            }
            try Self.foldUnforwarded(journal: journal, into: catalog)
        } catch let e as CatalogError {
            journal.close()
            throw e
        }
        let source = try Self.sourceID(in: dir)
        queryClient = client ?? RPCClient(configuration: RPCClientConfiguration(socketPath: configuration.querySocketPath), logger: logger)
        let deadLetters = try DeadLetters(directory: dir + "/dead-letters")
        forwarder = Forwarder(journal: journal, client: queryClient, catalog: catalog, deadLetters: deadLetters, configuration: .init(source: source), logger: logger)
        logger.info("journal open", metadata: [
            "journal.last_sequence": "\(journal.lastSequence)", "journal.checkpoint": "\(journal.checkpoint)",
            "catalog.releases": "\(catalog.count)", "journal.source": "\(source)",
        ])
    }

    func stop() async {
        do { try catalog.sync() } catch {
            // Costs labels only: the records after the checkpoint are folded in again at start-up.
            logger.error("cannot sync the intake catalog at shutdown", metadata: ["error": "\(error)"])
        }
        await queryClient.close()
    }

    func close() { journal.close() }

    /// Every journal record after the checkpoint is durable and counts as accepted, even if the
    /// catalog file lost its entry in a crash.
    private static func foldUnforwarded(journal: Journal, into catalog: Catalog) throws {
        var position = journal.checkpoint
        while true {
            let records = try journal.read(after: position, maxRecords: 1024, maxBytes: 64 << 20)
            guard let last = records.last else { break }
            for r in records {
                if let item = try? BatchItem(wireBytes: r.payload) {
                    catalog.fold(id: item.release.id, hash: item.release.contentHash, category: item.release.category.name)
                }
            }
            position = last.sequence
        }
        try catalog.sync()
    }

    /// The journal's identity towards the query service, which tracks applied positions per
    /// source. Made once, kept with the journal.
    private static func sourceID(in dir: String) throws -> String {
        let path = dir + "/source-id"
        if let existing = try? String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines), !existing.isEmpty {
            return existing
        }
        let id = "ingestd-" + UUID().uuidString.lowercased()
        try Data(id.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        return id
    }

    // MARK: Handlers

    func registerHandlers(into router: inout RPCRouter) {
        router.unary(KhaosanMethods.ingest) { [self] (request: IngestRequest, context) in
            try await process(request, context)
        }
        router.bidirectional(KhaosanMethods.ingestStream) { [self] (requests: RequestStream<IngestRequest>, sink: ResponseSink<IngestResult>, context) in
            try await processStream(requests, sink, context)
        }
        router.unary(KhaosanMethods.sync) { [self] (_: SyncRequest, _) in
            let target = journal.lastSequence
            try await forwarder.waitUntilForwarded(target)
            return SyncResponse(appliedSequence: forwarder.forwarded)
        }
        router.unary(KhaosanMethods.ingestStatus) { [self] (_: IngestStatusRequest, context) in
            // Reachability is checked now, not remembered from the last forwarded batch (which,
            // right after start with nothing to forward, said "unreachable" for a query service
            // that serves).
            let live = await probeQueryService(requestID: context.requestID)
            let stats = journal.stats
            let c = counters.withLock { $0 }
            let forwarded = forwarder.forwarded
            let dead = forwarder.deadLetters.current
            return IngestStatusResponse(
                version: KhaosanVersion.current, protobufCVersion: WireLibrary.protobufCVersion,
                journalBytes: UInt64(stats.bytesOnDisk), journalSegments: UInt32(stats.segmentCount),
                lastSequence: stats.lastSequence, forwardedSequence: forwarded,
                lag: stats.lastSequence > forwarded ? stats.lastSequence - forwarded : 0,
                queryReachable: live == nil,
                acceptedTotal: c.accepted, duplicateTotal: c.duplicate, updatedTotal: c.updated, rejectedTotal: c.rejected,
                lastForwardError: forwarder.lastError ?? live,
                deadLetterTotal: UInt64(dead.count), lastDeadLetter: dead.last
            )
        }
    }

    /// nil when khaosan-queryd answers a health check within a second (serving or not: it is
    /// reachable), else why not.
    /// The check carries the Status call's request id: it is part of that user action, and
    /// khaosan-queryd logs it under the same id.
    private func probeQueryService(requestID: String) async -> String? {
        do {
            let _: HealthCheckResponse = try await queryClient.unary(
                KhaosanMethods.healthCheck, HealthCheckRequest(service: ""),
                options: CallOptions(timeout: .seconds(1), metadata: [Metadata.requestIDKey: requestID]))
            return nil
        } catch {
            return "khaosan-queryd does not answer a health check: \(RPCError(wrapping: error).message)"
        }
    }

    /// One result per request, in request order, with up to `streamPipelineDepth` items waiting
    /// for their journal commit at once: that is what lets a single stream share fsyncs. The
    /// items in flight are also bounded by bytes (`streamBudgetBytes`), from reading a request
    /// until its result is sent: a client that stops taking results stops the reading.
    private func processStream(_ requests: RequestStream<IngestRequest>, _ sink: ResponseSink<IngestResult>, _ context: ServerContext) async throws {
        let depth = SendCredit(initial: configuration.streamPipelineDepth)
        // The byte budget in units of 64 KiB, taken by the one reader and given back once a
        // result is sent (a single taker cannot deadlock on a unit count). An item larger than
        // the whole budget takes all of it.
        let unit = 64 << 10
        let totalUnits = max(1, configuration.streamBudgetBytes / unit)
        let budget = SendCredit(initial: totalUnits)
        // What the stream's releases freed stays resident in glibc's heap unless given back (a
        // few milliseconds, once per stream: a CLI run is one stream).
        defer { HeapTrim.returnFreedMemory() }
        let (pending, pendingSink) = AsyncStream.makeStream(of: (Task<Result<IngestResult, any Error>, Never>, units: Int).self)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    defer { pendingSink.finish() }
                    for try await request in requests {
                        try await depth.acquire()
                        let units = min(totalUnits, max(1, (Self.approximateBytes(request) + unit - 1) / unit))
                        for _ in 0..<units { try await budget.acquire() }
                        // Unstructured on purpose: requests are processed concurrently (up to
                        // `depth`) but answered in arrival order, which a task group's completion
                        // order cannot give; the answering child below awaits each task in turn,
                        // and the group does not end before it has awaited them all.
                        let task = Task {
                            do { return Result<IngestResult, any Error>.success(try await self.process(request, context)) } catch { return .failure(error) }
                        }
                        pendingSink.yield((task, units))
                    }
                }
                group.addTask {
                    for await (task, units) in pending {
                        let result = try await task.value.get()
                        try await sink.send(result)
                        budget.grant(units)
                        depth.grant(1)
                    }
                }
                do {
                    try await group.waitForAll()
                } catch {
                    group.cancelAll()
                    throw error
                }
            }
        } catch {
            // Items already read are still being processed, their tasks holding the requests:
            // wait for them (the group's tasks have ended, so this is the stream's only reader)
            // before the memory can be given back.
            for await (task, _) in pending { _ = await task.value }
            throw error
        }
    }

    /// What a request holds in memory, roughly: its file's bytes or its release's text.
    private static func approximateBytes(_ request: IngestRequest) -> Int {
        switch request {
        case .raw(.thaigovFile(let name, let bytes), _), .raw(.structuredJSON(let name, let bytes), _):
            return bytes.count + name.utf8.count
        case .release(let r):
            return r.paragraphs.reduce(r.title.utf8.count) { $0 + $1.utf8.count + 16 }
        }
    }

    private func parse(_ request: IngestRequest) throws(ReleaseError) -> (fileName: String, release: Release) {
        switch request {
        case .raw(let raw, let categoryOverride):
            return (raw.fileName, try ReleaseParser.parse(raw, categoryOverride: categoryOverride, maxBytes: configuration.maxReleaseBytes))
        case .release(let r):
            return ("release \(r.id)", try StructuredInput.validate(r, maxBytes: configuration.maxReleaseBytes))
        }
    }

    /// `context` is the call's: what is logged here carries its request id.
    private func process(_ request: IngestRequest, _ context: ServerContext) async throws -> IngestResult {
        // A Result rather than do/catch: Swift 6.3 crashes compiling a typed-throws catch here.
        let fileName: String
        var release: Release
        switch Result(catching: { () throws(ReleaseError) in try parse(request) }) {
        case .success(let parsed):
            (fileName, release) = parsed
        case .failure(let error):
            tally(.rejected)
            return IngestResult(status: .rejected, id: 0, fileName: Self.name(of: request), error: error)
        }
        var notes: [IngestNote] = []
        if release.category.name.isEmpty, let known = catalog.knownCategory(id: release.id) {
            // A new copy whose file name carries no category must not erase the one known: the
            // release keeps it (and its hash is that of the release with it, so an otherwise
            // unchanged copy is a duplicate), and the sender is told.
            release.category = CategoryCatalog.category(named: known)
            // Hashed with the name as the catalog has it, as the parser hashes the name found.
            release.contentHash = ReleaseParser.contentHash(
                title: release.title, published: release.published, category: known,
                language: release.language, paragraphs: release.paragraphs)
            notes.append(IngestNote(code: IngestNote.categoryKept, field: "category",
                                    message: "no category in this copy; kept \"\(known)\" from the version before"))
        }
        if release.isTitleOnly {
            notes.append(IngestNote(code: IngestNote.titleOnly, field: "paragraphs",
                                    message: "no body text; the title is the release's text"))
        }
        let decision: Catalog.Decision
        let previous: Catalog.Entry?
        do {
            (decision, previous) = try catalog.reserve(id: release.id, hash: release.contentHash, category: release.category.name)
        } catch {
            throw RPCError(code: RPCError(wrapping: error).code, message: "nothing more is acknowledged: \(error)", cause: error)
        }
        if decision == .duplicate {
            tally(.duplicate, titleOnly: release.isTitleOnly)
            return IngestResult(status: .duplicate, id: release.id, fileName: fileName, notes: notes)
        }
        let sequence: UInt64
        do {
            let payload = try BatchItem(sequence: 0, release: release).wireBytes()
            // The input fitted, but parsing can grow a release (a two-byte line costs four
            // encoded): refused here, it is never a record the forwarder cannot send.
            guard payload.count <= configuration.maxRecordBytes else {
                catalog.release(id: release.id, hash: release.contentHash, previous: previous)
                tally(.rejected)
                return IngestResult(status: .rejected, id: release.id, fileName: fileName, error: ReleaseError(
                    code: .tooLarge,
                    message: "the parsed release encodes to \(payload.count) bytes; a journal record may take \(configuration.maxRecordBytes) (the forwarding message limit, \(configuration.maxMessageBytes), less room for framing)"))
            }
            sequence = try await journal.append(payload)
        } catch let e as JournalError {
            catalog.release(id: release.id, hash: release.contentHash, previous: previous)
            switch e.code {
            case .quotaExceeded:
                throw RPCError(code: .resourceExhausted, message: "journal quota of \(configuration.journalQuotaBytes) bytes is full: khaosan-queryd has not taken releases (\(forwarder.lastError ?? "no error yet")); nothing after this item was accepted", cause: e)
            case .noSpace:
                // Passes once space is freed: the journal takes the next append again.
                throw RPCError(code: .resourceExhausted, message: "the disk holding the journal is full; nothing after this item was accepted (\(e.message))", cause: e)
            case .tooLarge:
                tally(.rejected)
                return IngestResult(status: .rejected, id: release.id, fileName: fileName, error: ReleaseError(code: .tooLarge, message: e.message))
            default:
                if e.code != .closed {
                    health.setAll(.notServing)
                    context.logger.critical("journal write failed; not serving", metadata: ["error": "\(e)"])
                }
                throw RPCError(code: e.rpcCode, message: "the journal cannot be written: \(e.message)", cause: e)
            }
        } catch {
            catalog.release(id: release.id, hash: release.contentHash, previous: previous)
            throw RPCError(code: .internal, message: "cannot encode release \(release.id): \(error)")
        }
        do {
            try catalog.committed(id: release.id, hash: release.contentHash, category: release.category.name)
        } catch {
            // Journaled, so it will be forwarded; but with the catalog broken nothing is
            // acknowledged (a resend is harmless: the query service stores a release once).
            throw RPCError(code: RPCError(wrapping: error).code, message: "release \(release.id) is journaled but not acknowledged: \(error)", cause: error)
        }
        let status: IngestResult.Status = decision == .new ? .accepted : .updated
        tally(status, titleOnly: release.isTitleOnly)
        return IngestResult(status: status, id: release.id, fileName: fileName, sequence: sequence, notes: notes)
    }

    /// Counts one item's outcome for Status and for the metrics:
    /// `khaosan_ingest_releases_total{outcome}` (accepted, updated, duplicate, rejected: they sum
    /// to the items processed) and `khaosan_ingest_title_only_total` for the title-only releases
    /// among the first three (counted apart, not as a fifth outcome, so the outcomes still sum).
    private func tally(_ status: IngestResult.Status, titleOnly: Bool = false) {
        let outcome: String
        switch status {
        case .accepted: outcome = "accepted"
        case .updated: outcome = "updated"
        case .duplicate: outcome = "duplicate"
        default: outcome = "rejected"
        }
        counters.withLock { c in
            switch status {
            case .accepted: c.accepted += 1
            case .updated: c.updated += 1
            case .duplicate: c.duplicate += 1
            default: c.rejected += 1
            }
            if titleOnly { c.titleOnly += 1 }
        }
        Counter(label: "khaosan_ingest_releases_total", dimensions: [("outcome", outcome)]).increment()
        if titleOnly { Counter(label: "khaosan_ingest_title_only_total").increment() }
    }

    /// Sets the gauges a scrape reads (see `MetricsExposition.refresh`): what the journal holds
    /// and how far the forwarder is behind it.
    func recordGauges() {
        let stats = journal.stats
        let forwarded = forwarder.forwarded
        Gauge(label: "khaosan_journal_lag_records").record(stats.lastSequence > forwarded ? stats.lastSequence - forwarded : 0)
        Gauge(label: "khaosan_journal_last_sequence").record(stats.lastSequence)
        Gauge(label: "khaosan_journal_forwarded_sequence").record(forwarded)
        Gauge(label: "khaosan_journal_bytes").record(stats.bytesOnDisk)
        Gauge(label: "khaosan_journal_segments").record(stats.segmentCount)
        Gauge(label: "khaosan_ingest_dead_letters").record(forwarder.deadLetters.current.count)
    }

    private static func name(of request: IngestRequest) -> String {
        switch request {
        case .raw(let raw, _): raw.fileName
        case .release(let r): "release \(r.id)"
        }
    }
}
