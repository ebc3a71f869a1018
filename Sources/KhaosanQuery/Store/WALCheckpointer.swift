import Dispatch
import GRDB
import KhaosanDaemon
import Logging
import Synchronization

/// Copies committed WAL frames into the database file from a connection of its own, on its own
/// thread, so the single writer does not. Bulk ingest is bound by the writer's core; SQLite's automatic checkpoint ran on that path after nearly every batch and cost
/// about a tenth of the whole-corpus ingest time (BENCHMARKS.md, issue 6).
///
/// The writer keeps a high `wal_autocheckpoint` as a backstop: if this one falls behind, the
/// writer still checkpoints, and only the frames not yet copied here. When commits stop, a
/// TRUNCATE checkpoint shrinks the WAL file back to nothing, and the heap the ingest freed goes
/// back to the system.
final class WALCheckpointer: Sendable {
    /// Pages in the WAL at which the writer checkpoints by itself (128 MiB at the 8 KiB pages of a
    /// database made since session 5; 64 MiB in one made with 4 KiB pages).
    static let writerThreshold = 16_384
    private static let idleDelay: DispatchTimeInterval = .seconds(2)

    private struct State {
        var running = false
        var again = false
        var generation = 0
    }

    private let queue: DatabaseQueue
    private let state = Mutex(State())
    private let logger: Logger
    private let onIdle: @Sendable () -> Void

    /// `onIdle` runs once commits have stopped (with the TRUNCATE checkpoint).
    init(path: String, logger: Logger, onIdle: @escaping @Sendable () -> Void = {}) throws {
        var config = Configuration()
        config.label = "khaosan-checkpoint"
        // Never waits long for the writer: a busy checkpoint is simply tried again later.
        config.busyMode = .timeout(0.05)
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        queue = try DatabaseQueue(path: path, configuration: config)
        self.logger = logger
        self.onIdle = onIdle
    }

    /// Called after each write transaction commits.
    func committed() {
        let start: Bool = state.withLock { s in
            s.generation += 1
            if s.running { s.again = true; return false }
            s.running = true
            return true
        }
        if start { run() }
    }

    private func run() {
        queue.asyncWriteWithoutTransaction { [self] db in
            checkpoint(db, "PASSIVE")
            let (again, generation): (Bool, Int) = state.withLock { s in
                defer { s.again = false }
                if !s.again { s.running = false }
                return (s.again, s.generation)
            }
            if again { run(); return }
            DispatchQueue.global().asyncAfter(deadline: .now() + Self.idleDelay) { [weak self] in
                self?.truncateIfIdle(since: generation)
            }
        }
    }

    private func truncateIfIdle(since generation: Int) {
        queue.asyncWriteWithoutTransaction { [self] db in
            guard state.withLock({ !$0.running && $0.generation == generation }) else { return }
            checkpoint(db, "TRUNCATE")
            onIdle()
            // What the ingest freed (prepared batches) goes back to the system.
            HeapTrim.returnFreedMemory()
        }
    }

    private func checkpoint(_ db: Database, _ mode: String) {
        do {
            _ = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(\(mode))")
        } catch {
            // SQLITE_BUSY when a reader or the writer holds what it needs: harmless, retried later.
            logger.debug("checkpoint skipped", metadata: ["sqlite.checkpoint": "\(mode)", "error": "\(error)"])
        }
    }
}
