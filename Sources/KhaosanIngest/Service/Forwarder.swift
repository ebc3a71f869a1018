import KhaosanModel
import KhaosanRPC
import KhaosanWire
import Logging
import ServiceLifecycle
import Synchronization

/// Moves journal records to khaosan-queryd in batches, at least once, and checkpoints what the
/// query service confirms. The query service applies by (source, sequence), so a batch resent
/// after a crash or a lost reply changes nothing there. A service of khaosan-ingestd's
/// ServiceGroup, which starts it in `run()` and stops it after the RPC server has drained.
final class Forwarder: Service {
    struct Configuration: Sendable {
        var source: String
        var maxRecords: Int = 512
        /// Under the RPC message limit (4 MiB) with room for framing.
        var maxBytes: Int = 3 * 1024 * 1024
        /// khaosan-queryd's receive limit: a record that cannot fit a message of its own is set
        /// aside without being sent (only a journal written before `SizeLimits` can hold one).
        var maxMessageBytes: Int = SizeLimits.maxMessageBytes
        /// Batches sent and not yet answered on a stream: one committing, one on its way.
        var maxInFlight: Int = 2
        var maxBatchesPerStream: Int = 16
        /// Deadline of one stream (at most `maxBatchesPerStream` batches).
        var callTimeout: Duration = .seconds(120)
        var initialBackoff: Duration = .milliseconds(100)
        var maxBackoff: Duration = .seconds(5)
    }

    private struct State {
        var forwarded: UInt64
        var reachable = false
        var lastError: String?
        var waiters: [(target: UInt64, id: Int, continuation: CheckedContinuation<Void, any Error>)] = []
        var nextWaiter = 0
    }

    private let journal: Journal
    private let client: RPCClient
    private let catalog: Catalog
    let deadLetters: DeadLetters
    private let configuration: Configuration
    private let logger: Logger
    private let state: Mutex<State>
    /// The checkpoint being written, chained so checkpoints land in order.
    private let checkpointing = Mutex<Task<Void, Never>?>(nil)

    init(journal: Journal, client: RPCClient, catalog: Catalog, deadLetters: DeadLetters, configuration: Configuration, logger: Logger) {
        self.journal = journal
        self.client = client
        self.catalog = catalog
        self.deadLetters = deadLetters
        self.configuration = configuration
        self.logger = logger
        self.state = Mutex(State(forwarded: journal.checkpoint))
    }

    var forwarded: UInt64 { state.withLock { $0.forwarded } }
    var queryReachable: Bool { state.withLock { $0.reachable } }
    var lastError: String? { state.withLock { $0.lastError } }

    /// Forwards until cancelled or, in a ServiceGroup, told to shut down gracefully; returns once
    /// the last checkpoint has landed, so the journal may close after it.
    func run() async {
        await cancelWhenGracefulShutdown { await self.forward() }
        await checkpointing.withLock { $0 }?.value
    }

    /// Why a stream stopped that is not the query service's fault.
    private enum LocalFailure: Error {
        case journalUnreadable(any Error)
        case undecodable(sequence: UInt64, error: any Error)
        /// A record too large for any message khaosan-queryd takes.
        case unsendable(JournalRecord)
        /// A lost-record marker written by `repair-journal` in place of an unreadable record.
        case lost(sequence: UInt64, reason: String)
    }

    /// khaosan-queryd refused the content of one of the batches still unanswered. Which one is
    /// known only when a single batch was in flight: a message over the size limit is refused
    /// when its frame arrives, while the batch before it may still be committing.
    private struct BatchRejected: Error {
        var unanswered: [PendingBatches.Batch]
        var error: RPCError
        /// The one record to blame, when the stream carried only that record.
        var culprit: UInt64? {
            guard unanswered.count == 1, unanswered[0].count == 1, unanswered[0].single else { return nil }
            return unanswered[0].first
        }
    }

    /// A refusal of the request's content, which sending it again cannot change: invalid data
    /// (a NUL, bad UTF-8, a field out of range) or a message over a size or decoding budget. A
    /// RESOURCE_EXHAUSTED about the caller (a cap on calls or connections) says so in its
    /// metadata and is retried like UNAVAILABLE.
    static func isContentRejection(_ e: RPCError) -> Bool {
        switch e.code {
        case .invalidArgument: true
        case .resourceExhausted: e.metadata[Metadata.refusalKey] == nil
        default: false
        }
    }

    private func forward() async {
        var backoff = configuration.initialBackoff
        // Batches of one record until this position: set after a batch of several was refused,
        // to find which of its records the query service will not take.
        var singlesThrough: UInt64 = 0
        while !Task.isCancelled {
            let position = forwarded
            if journal.lastSequence <= position {
                await journal.waitForRecords(after: position)
                continue
            }
            do {
                try await stream(after: position, singlesThrough: singlesThrough)
                backoff = configuration.initialBackoff
            } catch is CancellationError {
                return
            } catch let e as RPCError where e.code == .cancelled && Task.isCancelled {
                return
            } catch let rejected as BatchRejected {
                guard let culprit = rejected.culprit else {
                    let through = rejected.unanswered.map(\.last).max() ?? position
                    logger.warning("query service refused a batch; sending its records one by one", metadata: [
                        "batch.after": "\(position)", "batch.through": "\(through)", "error": "\(rejected.error)"])
                    singlesThrough = through
                    continue
                }
                if !(await setAside(sequence: culprit, code: "\(rejected.error.code)", reason: rejected.error.message)) {
                    try? await Task.sleep(for: configuration.maxBackoff)
                }
            } catch LocalFailure.unsendable(let record) {
                let reason = "record of \(record.payload.count) bytes cannot fit a \(configuration.maxMessageBytes)-byte message to khaosan-queryd"
                if !(await setAside(sequence: record.sequence, code: "RESOURCE_EXHAUSTED", reason: reason)) {
                    try? await Task.sleep(for: configuration.maxBackoff)
                }
            } catch LocalFailure.lost(let sequence, let reason) {
                if !(await setAside(sequence: sequence, code: "DATA_LOSS", reason: reason)) {
                    try? await Task.sleep(for: configuration.maxBackoff)
                }
            } catch LocalFailure.journalUnreadable(let error) {
                logger.error("cannot read the journal", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: configuration.maxBackoff)
            } catch LocalFailure.undecodable(let sequence, let error) {
                // The record passed its checksum, so this is a bug or a format change, not disk
                // damage; skipping would lose it silently, so stop and say so.
                logger.critical("journal record does not decode; forwarding stopped", metadata: ["journal.sequence": "\(sequence)", "error": "\(error)"])
                setError("journal record \(sequence) does not decode: \(error)")
                return
            } catch {
                setError("\(error)")
                logger.warning("forwarding failed; will retry", metadata: ["error": "\(error)", "retry.in": "\(backoff)"])
                try? await Task.sleep(for: .nanoseconds(Int64.random(in: 0...max(1, backoff.nanoseconds))) + backoff / 2)
                backoff = min(backoff * 2, configuration.maxBackoff)
            }
        }
    }

    /// One ApplyStream call: sends the batches after `start`, keeping up to `maxInFlight` of them
    /// unanswered so khaosan-queryd receives and decodes the next batch while it commits one.
    /// The query service applies a stream's batches in order, so a batch never commits before the
    /// one sent ahead of it. Ends when the journal has nothing more or after `maxBatchesPerStream`
    /// batches (which bounds the call's duration under its deadline).
    private func stream(after start: UInt64, singlesThrough: UInt64) async throws {
        let pending = PendingBatches()
        do {
            try await stream(after: start, singlesThrough: singlesThrough, pending: pending)
        } catch let e as RPCError where Self.isContentRejection(e) {
            let unanswered = pending.all
            guard !unanswered.isEmpty else { throw e }
            throw BatchRejected(unanswered: unanswered, error: e)
        }
    }

    private func stream(after start: UInt64, singlesThrough: UInt64, pending: PendingBatches) async throws {
        let slots = SendCredit(initial: configuration.maxInFlight)
        try await client.bidirectional(KhaosanMethods.applyStream, options: CallOptions(timeout: configuration.callTimeout)) {
            (sender: RequestSender<ApplyBatchRequest>, responses: ResponseStream<ApplyBatchResponse>) in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        for try await response in responses {
                            guard let last = pending.popFirst() else {
                                throw RPCError(code: .internal, message: "query service answered a batch that was not sent")
                            }
                            guard response.appliedSequence >= last.last else {
                                throw RPCError(code: .internal, message: "query service applied up to \(response.appliedSequence), expected \(last.last)")
                            }
                            self.acknowledged(last.last)
                            slots.grant(1)
                        }
                        if let last = pending.first {
                            throw RPCError(code: .internal, message: "query service ended the stream before answering the batch up to \(last.last)")
                        }
                    } catch {
                        // Wakes the sender if it waits for a slot.
                        slots.fail(RPCError(wrapping: error))
                        throw error
                    }
                }
                do {
                    var position = start
                    for _ in 0..<self.configuration.maxBatchesPerStream {
                        try await slots.acquire()
                        let single = position < singlesThrough
                        let next: (ApplyBatchRequest, PendingBatches.Batch)?
                        do {
                            next = try self.batch(after: position, single: single)
                        } catch where position != start {
                            // A record to set aside (or an unreadable one) behind batches still
                            // unanswered: end the stream so they are answered first; the next
                            // stream starts at that record and meets it with nothing in flight.
                            // Setting it aside now would move the position past them.
                            break
                        }
                        guard let (request, batch) = next else { break }
                        pending.append(batch)
                        try await sender.send(request)
                        position = batch.last
                        // While looking for a refused record, a stream carries one record: the
                        // query service answers a batch once the next one (or the end of the
                        // stream) arrives, so it cannot be one-in-flight on a longer stream.
                        if single { break }
                    }
                    sender.finish()
                } catch {
                    group.cancelAll()
                    throw error
                }
                try await group.waitForAll()
            }
        }
    }

    /// The next batch of journal records after `position`, by count and bytes; nil when there is none.
    private func batch(after position: UInt64, single: Bool) throws(LocalFailure) -> (ApplyBatchRequest, PendingBatches.Batch)? {
        var records: [JournalRecord]
        do {
            records = try journal.read(after: position, maxRecords: single ? 1 : configuration.maxRecords, maxBytes: configuration.maxBytes)
        } catch {
            throw .journalUnreadable(error)
        }
        // A lost-record marker goes alone, to the dead letters; the batch stops before it.
        if let marker = records.firstIndex(where: { JournalRepair.lostReason($0.payload) != nil }) {
            if marker == 0 { throw .lost(sequence: records[0].sequence, reason: JournalRepair.lostReason(records[0].payload) ?? "") }
            records.removeSubrange(marker...)
        }
        guard let first = records.first?.sequence, let last = records.last?.sequence else { return nil }
        // A record over `maxBytes` comes alone (the journal returns a first record whatever its
        // size); one that no message can carry is not sent at all.
        if records.count == 1, records[0].payload.count > configuration.maxMessageBytes - SizeLimits.framingReserveBytes {
            throw .unsendable(records[0])
        }
        var items: [BatchItem] = []
        items.reserveCapacity(records.count)
        for record in records {
            do {
                var item = try BatchItem(wireBytes: record.payload)
                item.sequence = record.sequence
                items.append(item)
            } catch {
                throw .undecodable(sequence: record.sequence, error: error)
            }
        }
        return (ApplyBatchRequest(source: configuration.source, items: items), PendingBatches.Batch(first: first, last: last, count: records.count, single: single))
    }

    /// Writes the record at `sequence` to the dead letters, forgets it in the catalog (so that
    /// ingesting the file again tries again) and moves past it as if applied. False when the
    /// dead letter could not be written: the record stays where it is, and forwarding waits.
    private func setAside(sequence: UInt64, code: String, reason: String) async -> Bool {
        let record: JournalRecord
        do {
            guard let r = try journal.read(after: sequence - 1, maxRecords: 1, maxBytes: 1).first, r.sequence == sequence else {
                logger.error("record to set aside is not in the journal", metadata: ["journal.sequence": "\(sequence)"])
                return false
            }
            record = r
        } catch {
            logger.error("cannot read the journal", metadata: ["error": "\(error)"])
            return false
        }
        let item = try? BatchItem(wireBytes: record.payload)
        do {
            try deadLetters.add(sequence: sequence, releaseID: item?.release.id ?? 0, payload: record.payload, code: code, reason: reason)
        } catch {
            logger.critical("cannot write a dead letter; forwarding waits", metadata: ["journal.sequence": "\(sequence)", "error": "\(error)"])
            setError("record \(sequence) was refused (\(code): \(reason)) and cannot be set aside: \(error)")
            return false
        }
        if let item {
            do { try catalog.forget(id: item.release.id, hash: item.release.contentHash) } catch {
                // The dead letter is written; only a resend of it is called a duplicate. The
                // catalog itself has gone NOT_SERVING (see Catalog) if it is broken.
                logger.error("cannot forget a dead letter in the intake catalog", metadata: ["release.id": "\(item.release.id)", "error": "\(error)"])
            }
        }
        logger.error("query service refused a record for good; set aside", metadata: [
            "journal.sequence": "\(sequence)", "release.id": "\(item?.release.id ?? 0)", "rpc.code": "\(code)",
            "error": "\(reason)", "dead_letters.dir": "\(deadLetters.directory)"])
        acknowledged(sequence)
        return true
    }

    /// Applied means searchable: Sync waiters can go now. The checkpoint (catalog fsync, then
    /// checkpoint file and directory fsyncs) runs behind, off the forwarding path, so
    /// khaosan-queryd is not left idle waiting for our disk between batches.
    private func acknowledged(_ last: UInt64) {
        advance(to: last)
        logger.debug("forwarded", metadata: ["journal.sequence": "\(last)"])
        checkpointing.withLock { current in
            let previous = current
            // Unstructured on purpose: each checkpoint is chained behind the previous one (in
            // order, one at a time) while forwarding goes on; the forwarder's run() awaits the
            // last of the chain before it returns, so none outlives the service.
            current = Task { [catalog, journal, logger] in
                await previous?.value
                // The catalog must be durable before the journal forgets the records it came from.
                do { try catalog.sync() } catch {
                    // The records stay in the journal (they fold back in at start-up) and are
                    // covered by the next checkpoint once the catalog can be written.
                    logger.error("intake catalog not durable; journal checkpoint held back", metadata: ["journal.sequence": "\(last)", "error": "\(error)"])
                    return
                }
                do {
                    try journal.setCheckpoint(last)
                } catch {
                    // Not fatal: the records stay in the journal and are sent again (the query
                    // service skips what it has); the next checkpoint covers them.
                    logger.error("cannot write the journal checkpoint", metadata: ["journal.sequence": "\(last)", "error": "\(error)"])
                }
            }
        }
    }

    private func setError(_ message: String) {
        state.withLock { s in
            s.reachable = false
            s.lastError = message
        }
    }

    private func advance(to sequence: UInt64) {
        let ready = state.withLock { s -> [CheckedContinuation<Void, any Error>] in
            s.forwarded = max(s.forwarded, sequence)
            s.reachable = true
            s.lastError = nil
            let (done, waiting) = s.waiters.partitioned { $0.target <= s.forwarded }
            s.waiters = waiting
            return done.map(\.continuation)
        }
        for c in ready { c.resume() }
    }

    /// Returns once everything up to `sequence` is applied by the query service (searchable).
    func waitUntilForwarded(_ sequence: UInt64) async throws {
        if forwarded >= sequence { return }
        let id = state.withLock { s in s.nextWaiter += 1; return s.nextWaiter }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let now: Result<Void, any Error>? = state.withLock { s in
                    if s.forwarded >= sequence { return .success(()) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    s.waiters.append((sequence, id, c))
                    return nil
                }
                if let now { c.resume(with: now) }
            }
        } onCancel: {
            let c = state.withLock { s -> CheckedContinuation<Void, any Error>? in
                guard let i = s.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return s.waiters.remove(at: i).continuation
            }
            c?.resume(throwing: CancellationError())
        }
    }
}

/// The batches sent and not yet answered, in send order.
private final class PendingBatches: Sendable {
    struct Batch: Sendable {
        var first: UInt64
        var last: UInt64
        var count: Int
        /// Sent while looking for a refused record: alone on its stream.
        var single: Bool
    }
    private let batches = Mutex<[Batch]>([])
    var all: [Batch] { batches.withLock { $0 } }
    func append(_ batch: Batch) { batches.withLock { $0.append(batch) } }
    func popFirst() -> Batch? { batches.withLock { $0.isEmpty ? nil : $0.removeFirst() } }
    var first: Batch? { batches.withLock { $0.first } }
}

extension Array {
    fileprivate func partitioned(_ isFirst: (Element) -> Bool) -> ([Element], [Element]) {
        var a: [Element] = [], b: [Element] = []
        for e in self { if isFirst(e) { a.append(e) } else { b.append(e) } }
        return (a, b)
    }
}
