import KhaosanDaemon
import KhaosanWire
import Logging
import NIOPosix
import ServiceLifecycle

/// NOT_SERVING while the database cannot be written (disk gone, read-only remount, ...), so
/// the ingester holds its journal instead of failing batches. A service of khaosan-queryd's
/// ServiceGroup, started in its `run()` and stopped after the RPC server has drained.
struct StorageWatcher: Service, CustomStringConvertible {
    let store: ReleaseStore
    let pool: NIOThreadPool
    let health: HealthStatus
    let databasePath: String
    let interval: Duration
    let logger: Logger

    /// How ServiceLifecycle's log lines name it (a struct would print all its fields).
    var description: String { "KhaosanQuery.StorageWatcher" }

    func run() async {
        await cancelWhenGracefulShutdown { await self.watch() }
    }

    private func watch() async {
        while !Task.isCancelled {
            // The check waits for SQLite's writer: on the database threads, never the
            // cooperative pool the RPC server runs on.
            let store = self.store
            let readOnly = StorageProbe.readOnlyReason(databasePath: databasePath)
            if let readOnly, health.status(of: "") != .notServing {
                logger.warning("database treated as read-only", metadata: ["reason": "\(readOnly)"])
            }
            let ok = readOnly == nil ? ((try? await pool.runIfActive { store.checkWritable() }) ?? false) : false
            let status: HealthCheckResponse.ServingStatus = ok ? .serving : .notServing
            if health.status(of: "") != status {
                logger.warning("health changed", metadata: ["health.status": "\(status)"])
            }
            health.setAll(status)
            try? await Task.sleep(for: interval)
            if Task.isCancelled { return }
        }
    }
}
