import GRDB
import KhaosanDaemon
import Logging
import ServiceLifecycle
import Synchronization

/// Copies committed WAL frames into the database file from a connection of its own, so the single
/// writer does not. Bulk ingest is bound by the writer's core; SQLite's automatic checkpoint ran
/// on that path after nearly every batch and cost about a tenth of the whole-corpus ingest time
/// (BENCHMARKS.md, issue 6).
///
/// A Service of khaosan-queryd's group: its connection opens in `run()` and closes when the group
/// shuts it down (after the RPC server has drained). The writer keeps a high
/// `wal_autocheckpoint` as a backstop: if this one falls behind, or is not running (a store in a
/// test, a tool), the writer still checkpoints, and only the frames not yet copied here. When
/// commits stop, a TRUNCATE checkpoint shrinks the WAL file back to nothing, and the heap the
/// ingest freed goes back to the system.
package final class WALCheckpointer: Service, Sendable {
    /// Pages in the WAL at which the writer checkpoints by itself (128 MiB at the 8 KiB pages of a
    /// database made since session 5; 64 MiB in one made with 4 KiB pages).
    static let writerThreshold = 16_384
    private static let idleDelay = Duration.seconds(2)

    private let path: String
    private let logger: Logger
    private let onIdle: @Sendable () -> Void
    /// One element at most: commits made while a checkpoint runs need one more, not one each.
    private let commits: AsyncStream<Void>
    private let commitSignal: AsyncStream<Void>.Continuation
    /// Wakes the idle watcher after a checkpoint (again at most one pending).
    private let busy: AsyncStream<Void>
    private let busySignal: AsyncStream<Void>.Continuation
    private let lastCommit = Mutex(ContinuousClock.now)

    /// `onIdle` runs once commits have stopped (with the TRUNCATE checkpoint).
    init(path: String, logger: Logger, onIdle: @escaping @Sendable () -> Void = {}) {
        self.path = path
        self.logger = logger
        self.onIdle = onIdle
        (commits, commitSignal) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
        (busy, busySignal) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Called after each write transaction commits.
    func committed() {
        lastCommit.withLock { $0 = .now }
        commitSignal.yield()
    }

    package func run() async throws {
        var config = Configuration()
        config.label = "khaosan-checkpoint"
        // Never waits long for the writer: a busy checkpoint is simply tried again later.
        config.busyMode = .timeout(0.05)
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        let queue = try DatabaseQueue(path: path, configuration: config)
        // GRDB runs the checkpoints on the connection's own dispatch queue: the blocking I/O stays
        // off the cooperative pool.
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask {
                    for await _ in self.commits {
                        await self.checkpoint(queue, "PASSIVE")
                        self.busySignal.yield()
                    }
                }
                group.addTask { await self.truncateWhenIdle(queue) }
            }
        }
        try queue.close()
    }

    /// After each burst of commits, once none has come for `idleDelay`: TRUNCATE, then `onIdle`.
    private func truncateWhenIdle(_ queue: DatabaseQueue) async {
        for await _ in busy {
            while true {
                let quiet = ContinuousClock.now - lastCommit.withLock { $0 }
                if quiet >= Self.idleDelay { break }
                do { try await Task.sleep(for: Self.idleDelay - quiet) } catch { return }
            }
            await checkpoint(queue, "TRUNCATE")
            onIdle()
            // What the ingest freed (prepared batches) goes back to the system.
            HeapTrim.returnFreedMemory()
        }
    }

    private func checkpoint(_ queue: DatabaseQueue, _ mode: String) async {
        do {
            try await queue.writeWithoutTransaction { @Sendable (db: Database) throws -> Void in
                _ = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(\(mode))")
            }
        } catch {
            // SQLITE_BUSY when a reader or the writer holds what it needs: harmless, retried later.
            logger.debug("checkpoint skipped", metadata: ["sqlite.checkpoint": "\(mode)", "error": "\(error)"])
        }
    }
}
