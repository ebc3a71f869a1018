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

package struct IngestServiceConfiguration: Sendable {
    package var socketPath: String
    package var querySocketPath: String
    /// Journal segments, checkpoint, catalog and the source id live here.
    package var stateDirectory: String
    /// uids (besides root and our own) that may ingest.
    package var ingestUIDs: Set<UInt32> = []
    /// uids that may only ask for status and health.
    package var readerUIDs: Set<UInt32> = []
    package var journalQuotaBytes: Int = 4 << 30
    package var journalSegmentBytes: Int = 64 << 20
    /// Largest input file (`SizeLimits`).
    package var maxReleaseBytes: Int = SizeLimits.maxReleaseInputBytes
    /// Largest encoded release journaled: one record alone always fits a forwarded message.
    package var maxRecordBytes: Int = SizeLimits.maxRecordBytes
    package var maxMessageBytes: Int = SizeLimits.maxMessageBytes
    /// Items of one bulk stream that may be in flight (parsed, waiting for their journal commit).
    package var streamPipelineDepth: Int = 256
    /// Request bytes of one stream in flight, from being read until their result is sent. A
    /// client that never takes its results stops the stream's reading here (and its socket, by
    /// the RPC server's per-connection budget) instead of pinning 256 releases of 4 MiB.
    package var streamBudgetBytes: Int = 16 << 20
    /// The process's metrics as Prometheus text, from the backend the executable bootstrapped
    /// (a library never does); nil leaves `Observability/Metrics` answering FAILED_PRECONDITION.
    package var renderMetrics: (@Sendable () -> String)?

    package init(socketPath: String, querySocketPath: String, stateDirectory: String) {
        self.socketPath = socketPath
        self.querySocketPath = querySocketPath
        self.stateDirectory = stateDirectory
    }
}
