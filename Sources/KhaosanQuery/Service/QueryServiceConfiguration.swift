import Foundation
import KhaosanDaemon
import KhaosanIndex
import KhaosanModel
import KhaosanRPC
import KhaosanUnixTransport
import KhaosanWire
import Logging
import Metrics
import NIOPosix
import ServiceLifecycle

package struct QueryServiceConfiguration: Sendable {
    package var socketPath: String
    package var databasePath: String
    /// uids (besides root and our own) that may search; the ingester's uid must be in
    /// `ingestUIDs` to apply batches.
    package var readerUIDs: Set<UInt32> = []
    package var ingestUIDs: Set<UInt32> = []
    package var maxMessageBytes: Int = SizeLimits.maxMessageBytes
    /// Threads that run SQLite work, so the RPC event loops never block on the disk.
    package var databaseThreads: Int = 4
    package var healthCheckInterval: Duration = .seconds(2)
    /// See `SearchIndex.flushDocuments`.
    package var indexFlushDocuments = SearchIndex.defaultFlushDocuments
    /// The process's metrics as Prometheus text, from the backend the executable bootstrapped
    /// (a library never does); nil leaves `Observability/Metrics` answering FAILED_PRECONDITION.
    package var renderMetrics: (@Sendable () -> String)?
    /// Issue 19 (`--store`): the shared archive of record; nil keeps the SQLite file as the archive.
    package var archive: SharedArchive?

    /// Where the saved searches' Atom feeds are written (issue 17): `feeds/` beside the
    /// database, i.e. `$KHAOSAN_HOME/feeds` by default.
    package var feedsDirectory: String

    package init(socketPath: String, databasePath: String) {
        self.socketPath = socketPath
        self.databasePath = databasePath
        let dir = (databasePath as NSString).deletingLastPathComponent
        feedsDirectory = (dir.isEmpty ? "." : dir) + "/feeds"
    }
}
