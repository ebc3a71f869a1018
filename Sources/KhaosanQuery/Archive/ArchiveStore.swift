package import KhaosanModel

/// Where a node's archive of record lives (issue 19): the node's own SQLite file (the embedded
/// default, `ReleaseStore`) or a shared PostgreSQL (`PostgresArchive`, in KhaosanPostgres, which
/// KhaosanQuery does not depend on). Every stored version change gets the next change sequence,
/// so a node that keeps a local copy (its SQLite store and search index) follows the archive by
/// reading the change feed after the last sequence it applied (`ArchiveFollower`).
package protocol ArchiveStore: Sendable {
    /// "sqlite" or "postgres", as `khaosan status` shows it.
    var kind: String { get }
    /// Where it is, for messages: a path, or a URL without its password.
    var location: String { get }

    /// Stores the batch in one transaction, idempotent per (source, sequence): items at or below
    /// the source's applied sequence are skipped, a known content hash is a duplicate, a new one
    /// a new version. Returns once the transaction is committed.
    func applyBatch(source: String, items: [(sequence: UInt64, release: Release)]) async throws -> ArchiveApplyOutcome
    /// The highest sequence applied from `source` (0 when none).
    func appliedSequence(source: String) async throws -> UInt64
    /// The highest sequence applied from any source.
    func highestAppliedSequence() async throws -> UInt64
    /// Up to `limit` changes with a change sequence above `after`, in change-sequence order.
    func changes(after: UInt64, limit: Int) async throws -> [ArchiveChange]
    /// The newest change sequence, and how long ago the first change after `applied` was made
    /// (nil when there is none: the reader is caught up).
    func feedStatus(applied: UInt64) async throws -> ArchiveFeedStatus
    /// Returns when a change after `after` may exist, or after `timeout` (whichever is first).
    /// PostgreSQL wakes it by NOTIFY; a store without notifications just sleeps.
    func waitForChanges(after: UInt64, timeout: Duration) async
}

/// What one batch did to the archive.
package struct ArchiveApplyOutcome: Sendable, Hashable {
    package var outcome: ApplyOutcome
    /// The archive's newest change sequence when the batch committed (its own last change, or an
    /// earlier batch's when it changed nothing): a local copy that has applied this far shows
    /// the batch.
    package var feedPosition: UInt64

    package init(outcome: ApplyOutcome, feedPosition: UInt64) {
        self.outcome = outcome
        self.feedPosition = feedPosition
    }
}

/// One stored version of a release, in the order the archive stored them.
package struct ArchiveChange: Sendable, Hashable {
    package var sequence: UInt64
    /// The version this change stored (1 for a new release).
    package var version: Int
    package var release: Release
    /// When the archive stored it (Unix time in seconds; 0 when the archive does not say).
    package var storedAt: Double

    package init(sequence: UInt64, version: Int, release: Release, storedAt: Double = 0) {
        self.sequence = sequence
        self.version = version
        self.release = release
        self.storedAt = storedAt
    }
}

package struct ArchiveFeedStatus: Sendable, Hashable {
    /// The newest change sequence (0 for an empty archive).
    package var latestChange: UInt64
    /// Seconds since the oldest change the reader has not applied was stored; 0 when caught up.
    package var lagSeconds: Double

    package init(latestChange: UInt64, lagSeconds: Double) {
        self.latestChange = latestChange
        self.lagSeconds = lagSeconds
    }
}
