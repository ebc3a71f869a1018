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
        var callTimeout: Duration = .seconds(60)
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

    private func forward() async {
        var position = journal.checkpoint
        var backoff = configuration.initialBackoff
        while !Task.isCancelled {
            let records: [JournalRecord]
            do {
                records = try journal.read(after: position, maxRecords: configuration.maxRecords, maxBytes: configuration.maxBytes)
            } catch {
                logger.error("cannot read the journal", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: configuration.maxBackoff)
                continue
            }
            if records.isEmpty {
                await journal.waitForRecords(after: position)
                continue
            }
            var items: [BatchItem] = []
            items.reserveCapacity(records.count)
            for record in records {
                do {
                    var item = try BatchItem(wireBytes: record.payload)
                    item.sequence = record.sequence
                    items.append(item)
                } catch {
                    // The record passed its checksum, so this is a bug or a format change, not
                    // disk damage; skipping would lose it silently, so stop and say so.
                    logger.critical("journal record does not decode; forwarding stopped", metadata: ["journal.sequence": "\(record.sequence)", "error": "\(error)"])
                    setError("journal record \(record.sequence) does not decode: \(error)")
                    return
                }
            }
            do {
                let response: ApplyBatchResponse = try await client.unary(
                    KhaosanMethods.applyBatch,
                    ApplyBatchRequest(source: configuration.source, items: items),
                    options: CallOptions(timeout: configuration.callTimeout)
                )
                let last = records[records.count - 1].sequence
                guard response.appliedSequence >= last else {
                    throw RPCError(code: .internal, message: "query service applied up to \(response.appliedSequence), expected \(last)")
                }
                position = last
                // Applied means searchable: Sync waiters can go now. The checkpoint (catalog fsync,
                // then checkpoint file and directory fsyncs) runs behind, off the forwarding path,
                // so khaosan-queryd is not left idle waiting for our disk between batches.
                advance(to: last)
                let previous = checkpointing.withLock { $0 }
                let next = Task { [catalog, journal, logger] in
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
                checkpointing.withLock { $0 = next }
                backoff = configuration.initialBackoff
                logger.debug("forwarded", metadata: ["journal.sequence": "\(last)", "batch.items": "\(items.count)"])
            } catch is CancellationError {
                return
            } catch let e as RPCError where e.code == .cancelled && Task.isCancelled {
                return
            } catch {
                setError("\(error)")
                logger.warning("forwarding failed; will retry", metadata: ["error": "\(error)", "retry.in": "\(backoff)"])
                try? await Task.sleep(for: .nanoseconds(Int64.random(in: 0...max(1, Self.nanos(backoff)))) + backoff / 2)
                backoff = min(backoff * 2, configuration.maxBackoff)
            }
        }
    }

    private static func nanos(_ d: Duration) -> Int64 {
        d.components.seconds * 1_000_000_000 + d.components.attoseconds / 1_000_000_000
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

extension Array {
    fileprivate func partitioned(_ isFirst: (Element) -> Bool) -> ([Element], [Element]) {
        var a: [Element] = [], b: [Element] = []
        for e in self { if isFirst(e) { a.append(e) } else { b.append(e) } }
        return (a, b)
    }
}
