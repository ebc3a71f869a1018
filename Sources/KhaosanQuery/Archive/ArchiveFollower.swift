import Foundation
import Metrics
import KhaosanRPC
package import Logging
package import NIOPosix
import ServiceLifecycle
import Synchronization

/// Feeds a node's local copy (its SQLite `ReleaseStore` and search index) from a shared archive's
/// change feed (issue 19). A service of khaosan-queryd's ServiceGroup when `--store` names a
/// shared archive; the only writer of the local store then.
///
/// Changes are applied in change-sequence order through the store's normal apply path, under
/// source `ArchiveFollower.source` with the change sequence as the sequence: the store's
/// per-(source, sequence) idempotence makes a re-read change a no-op, and its applied position is
/// where a restart resumes (0 for a new or deleted local copy: it is rebuilt from the archive).
/// Woken by the archive's notifications (LISTEN/NOTIFY), or a writer's `wake()`, and polling every
/// `pollInterval` besides, because a hot standby delivers no notifications.
package final class ArchiveFollower: Service, Sendable, CustomStringConvertible {
    /// The local store's source name for what it applied from the archive.
    package static let source = "archive"

    let archive: any ArchiveStore
    let store: ReleaseStore
    let pool: NIOThreadPool
    let logger: Logger
    let batchLimit: Int
    let pollInterval: Duration

    private struct State {
        var applied: UInt64 = 0
        var waiters: [Int: (position: UInt64, continuation: CheckedContinuation<Void, Never>)] = [:]
        var nextWaiter = 0
        var wake: CheckedContinuation<Void, Never>?
        var woken = false
        /// Set while the archive cannot be read: the error, for status and logs.
        var failure: String?
        /// Set at start when the local copy is ahead of the archive (never cleared by itself).
        var divergence: String?
    }
    private let state = Mutex(State())

    package var description: String { "KhaosanQuery.ArchiveFollower" }

    package init(archive: any ArchiveStore, store: ReleaseStore, pool: NIOThreadPool, logger: Logger,
                 batchLimit: Int = 256, pollInterval: Duration = .seconds(1)) {
        self.archive = archive
        self.store = store
        self.pool = pool
        self.logger = logger
        self.batchLimit = batchLimit
        self.pollInterval = pollInterval
    }

    /// The last change sequence the local store has applied (and so made searchable).
    package var appliedChange: UInt64 { state.withLock { $0.applied } }

    /// Why the archive cannot be followed now (nil while it can).
    package var failure: String? { state.withLock { $0.divergence ?? $0.failure } }

    package func run() async throws {
        let applied = try await pool.runIfActive { [store] in try store.appliedSequence(source: Self.source) }
        publish(applied)
        logger.info("following the archive", metadata: [
            "store.kind": "\(archive.kind)", "store.location": "\(archive.location)", "applied_change": "\(applied)",
        ])
        // Releases applied to this file directly (it was the embedded archive before --store):
        // they are not in the shared store, and other nodes never see them.
        let own = try await pool.runIfActive { [store] in try store.sourcesOtherThan(Self.source) }
        if !own.isEmpty {
            let message = "the local copy \(store.path) also holds releases applied directly (from \(own.sorted().joined(separator: ", "))), "
                + "not through the store: they are not in \(archive.location); to follow the store only, stop khaosan-queryd and "
                + "delete \(store.path) (and its -wal, -shm and .index), then re-ingest those releases through the writer"
            logger.warning("local copy holds releases not in the archive", metadata: ["store.location": "\(archive.location)", "error": "\(message)"])
            state.withLock { $0.divergence = message }
        }
        // A copy ahead of its archive was fed from another database, or the archive was restored
        // from an older backup: its extra changes would never be undone. Said loudly (and in
        // StoreStatus), not repaired: only the operator knows which side is right.
        if applied > 0, let feed = try? await archive.feedStatus(applied: applied), feed.latestChange < applied {
            let message = "the local copy \(store.path) has applied change \(applied) but the store's newest is \(feed.latestChange): "
                + "it was fed from another database, or the store was restored from an older backup; "
                + "stop khaosan-queryd and delete \(store.path) (and its -wal, -shm and .index) to rebuild it from the store"
            logger.error("local copy ahead of the archive", metadata: ["store.location": "\(archive.location)", "error": "\(message)"])
            state.withLock { $0.divergence = message }
        }
        await cancelWhenGracefulShutdown { await self.follow() }
        // Whoever still waits gets an answer (the RPC has drained by now; tests may not have).
        let waiters = state.withLock { s in
            defer { s.waiters.removeAll() }
            return Array(s.waiters.values)
        }
        for w in waiters { w.continuation.resume() }
    }

    /// Makes the follower read the feed now instead of at its next poll (after a writer's commit).
    package func wake() {
        let c = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if s.wake == nil { s.woken = true }
            defer { s.wake = nil }
            return s.wake
        }
        c?.resume()
    }

    /// Returns once the local store has applied every change through `position`; throws
    /// UNAVAILABLE (which the ingester retries) after `timeout`.
    package func waitApplied(through position: UInt64, timeout: Duration) async throws {
        if appliedChange >= position { return }
        wake()
        let reached = await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.waitUntil(position); return true }
            group.addTask { try? await Task.sleep(for: timeout); return false }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        if !reached || appliedChange < position {
            throw RPCError(code: .unavailable, message: "stored in \(archive.kind) archive \(archive.location), but the local copy has "
                + "applied only through change \(appliedChange) of \(position) after \(timeout)"
                + (failure.map { ": \($0)" } ?? ""))
        }
    }

    private func waitUntil(_ position: UInt64) async {
        let id = state.withLock { s -> Int in s.nextWaiter += 1; return s.nextWaiter }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let now = state.withLock { s -> Bool in
                    if s.applied >= position || Task.isCancelled { return true }
                    s.waiters[id] = (position, c)
                    return false
                }
                if now { c.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.continuation.resume()
        }
    }

    private func publish(_ applied: UInt64) {
        let ready = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.applied = max(s.applied, applied)
            let done = s.waiters.filter { $0.value.position <= s.applied }
            for k in done.keys { s.waiters.removeValue(forKey: k) }
            return done.values.map(\.continuation)
        }
        for c in ready { c.resume() }
    }

    private func follow() async {
        var backoff = Duration.milliseconds(100)
        while !Task.isCancelled {
            do {
                let applied = appliedChange
                let changes = try await archive.changes(after: applied, limit: batchLimit)
                if !changes.isEmpty {
                    let items = changes.map { (sequence: $0.sequence, release: $0.release) }
                    let outcome = try await pool.runIfActive { [store] in try store.apply(source: Self.source, items: items) }
                    publish(outcome.appliedSequence)
                    // From the archive's commit to searchable here, per change (replica lag).
                    let now = Date().timeIntervalSince1970
                    let lag = Metrics.Timer(label: "khaosan_archive_follow_lag_seconds")
                    for c in changes where c.storedAt > 0 { lag.recordSeconds(max(0, now - c.storedAt)) }
                    Gauge(label: "khaosan_archive_applied_change").record(outcome.appliedSequence)
                }
                let recovered = state.withLock { s -> String? in defer { s.failure = nil }; return s.failure }
                if let recovered {
                    logger.notice("archive reachable again; following", metadata: ["store.location": "\(archive.location)", "was": "\(recovered)"])
                }
                backoff = .milliseconds(100)
                if changes.count < batchLimit { await waitForWork(after: appliedChange) }
            } catch {
                if Task.isCancelled { return }
                let message = "\(error)"
                let first = state.withLock { s -> Bool in defer { s.failure = message }; return s.failure == nil }
                // Once when it starts failing, then at most every few seconds (the back-off's cap).
                if first || backoff >= .seconds(5) {
                    logger.warning("archive not readable; retrying", metadata: [
                        "store.location": "\(archive.location)", "error": "\(message)", "retry_in": "\(backoff)",
                    ])
                }
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(5))
            }
        }
    }

    /// Until the archive notifies, a writer wakes us, or the poll interval passes.
    private func waitForWork(after position: UInt64) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [archive, pollInterval] in await archive.waitForChanges(after: position, timeout: pollInterval) }
            group.addTask { await self.woken() }
            await group.next()
            group.cancelAll()
        }
    }

    private func woken() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let now = state.withLock { s -> Bool in
                    if s.woken || Task.isCancelled { s.woken = false; return true }
                    s.wake = c
                    return false
                }
                if now { c.resume() }
            }
        } onCancel: {
            state.withLock { s -> CheckedContinuation<Void, Never>? in defer { s.wake = nil }; return s.wake }?.resume()
        }
    }
}
