import KhaosanModel
import KhaosanRPC
import KhaosanWire
import Logging
import Synchronization

/// Moves journal records to khaosan-queryd in batches, at least once, and checkpoints what the
/// query service confirms. The query service applies by (source, sequence), so a batch resent
/// after a crash or a lost reply changes nothing there.
final class Forwarder: Sendable {
    struct Configuration: Sendable {
        var source: String
        var maxRecords: Int = 512
        /// Under the RPC message limit (4 MiB) with room for framing.
        var maxBytes: Int = 3 * 1024 * 1024
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
    private let configuration: Configuration
    private let logger: Logger
    private let state: Mutex<State>
    /// The checkpoint being written, chained so checkpoints land in order.
    private let checkpointing = Mutex<Task<Void, Never>?>(nil)

    init(journal: Journal, client: RPCClient, catalog: Catalog, configuration: Configuration, logger: Logger) {
        self.journal = journal
        self.client = client
        self.catalog = catalog
        self.configuration = configuration
        self.logger = logger
        self.state = Mutex(State(forwarded: journal.checkpoint))
    }

    var forwarded: UInt64 { state.withLock { $0.forwarded } }
    var queryReachable: Bool { state.withLock { $0.reachable } }
    var lastError: String? { state.withLock { $0.lastError } }

    func run() async {
        await forward()
        // The last checkpoint finishes before the caller closes the journal.
        await checkpointing.withLock { $0 }?.value
    }

    /// Why a stream stopped that is not the query service's fault.
    private enum LocalFailure: Error {
        case journalUnreadable(any Error)
        case undecodable(sequence: UInt64, error: any Error)
    }

    private func forward() async {
        var backoff = configuration.initialBackoff
        while !Task.isCancelled {
            let position = forwarded
            if journal.lastSequence <= position {
                await journal.waitForRecords(after: position)
                continue
            }
            do {
                try await stream(after: position)
                backoff = configuration.initialBackoff
            } catch is CancellationError {
                return
            } catch let e as RPCError where e.code == .cancelled && Task.isCancelled {
                return
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
    private func stream(after start: UInt64) async throws {
        let slots = SendCredit(initial: configuration.maxInFlight)
        let pending = PendingBatches()
        try await client.bidirectional(KhaosanMethods.applyStream, options: CallOptions(timeout: configuration.callTimeout)) {
            (sender: RequestSender<ApplyBatchRequest>, responses: ResponseStream<ApplyBatchResponse>) in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        for try await response in responses {
                            guard let last = pending.popFirst() else {
                                throw RPCError(code: .internal, message: "query service answered a batch that was not sent")
                            }
                            guard response.appliedSequence >= last else {
                                throw RPCError(code: .internal, message: "query service applied up to \(response.appliedSequence), expected \(last)")
                            }
                            self.acknowledged(last)
                            slots.grant(1)
                        }
                        if let last = pending.first {
                            throw RPCError(code: .internal, message: "query service ended the stream before answering the batch up to \(last)")
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
                        guard let (request, last) = try self.batch(after: position) else { break }
                        pending.append(last)
                        try await sender.send(request)
                        position = last
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
    private func batch(after position: UInt64) throws(LocalFailure) -> (ApplyBatchRequest, last: UInt64)? {
        let records: [JournalRecord]
        do {
            records = try journal.read(after: position, maxRecords: configuration.maxRecords, maxBytes: configuration.maxBytes)
        } catch {
            throw .journalUnreadable(error)
        }
        guard let last = records.last?.sequence else { return nil }
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
        return (ApplyBatchRequest(source: configuration.source, items: items), last)
    }

    /// Applied means searchable: Sync waiters can go now. The checkpoint (catalog fsync, then
    /// checkpoint file and directory fsyncs) runs behind, off the forwarding path, so
    /// khaosan-queryd is not left idle waiting for our disk between batches.
    private func acknowledged(_ last: UInt64) {
        advance(to: last)
        logger.debug("forwarded", metadata: ["journal.sequence": "\(last)"])
        checkpointing.withLock { current in
            let previous = current
            current = Task { [catalog, journal, logger] in
                await previous?.value
                // The catalog must be durable before the journal forgets the records it came from.
                catalog.sync()
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

/// The last sequence of each batch sent and not yet answered, in send order.
private final class PendingBatches: Sendable {
    private let lasts = Mutex<[UInt64]>([])
    func append(_ last: UInt64) { lasts.withLock { $0.append(last) } }
    func popFirst() -> UInt64? { lasts.withLock { $0.isEmpty ? nil : $0.removeFirst() } }
    var first: UInt64? { lasts.withLock { $0.first } }
}

extension Array {
    fileprivate func partitioned(_ isFirst: (Element) -> Bool) -> ([Element], [Element]) {
        var a: [Element] = [], b: [Element] = []
        for e in self { if isFirst(e) { a.append(e) } else { b.append(e) } }
        return (a, b)
    }
}
