import Foundation
import GRDB
package import KhaosanModel

/// The embedded archive: the node's own SQLite file is the archive of record, as before issue 19.
/// Its change feed is `applied_log` (a position per release a batch inserted or changed); it keeps
/// no text per position, so a change carries the release's current version.
extension ReleaseStore: ArchiveStore {
    package var kind: String { "sqlite" }
    package var location: String { path }

    package func applyBatch(source: String, items: [(sequence: UInt64, release: Release)]) async throws -> ArchiveApplyOutcome {
        let outcome = try apply(source: source, prepared: prepare(items))
        return ArchiveApplyOutcome(outcome: outcome, feedPosition: try currentPosition())
    }

    // appliedSequence(source:) and highestAppliedSequence() are the store's own (synchronous).

    package func changes(after: UInt64, limit: Int) async throws -> [ArchiveChange] {
        try await pool.read { [texts] db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT a.position, r.version, a.release_id FROM applied_log a JOIN releases r ON r.id = a.release_id
                WHERE a.position > ? ORDER BY a.position LIMIT ?
                """, arguments: [Int64(bitPattern: after), max(limit, 1)])
            return try rows.compactMap { row -> ArchiveChange? in
                guard let release = try Self.loadRelease(db, texts, id: row[2]) else { return nil }
                return ArchiveChange(sequence: UInt64(row[0] as Int64), version: row[1], release: release)
            }
        }
    }

    package func feedStatus(applied: UInt64) async throws -> ArchiveFeedStatus {
        // The embedded archive is its own copy: never behind.
        ArchiveFeedStatus(latestChange: try currentPosition(), lagSeconds: 0)
    }

    package func waitForChanges(after: UInt64, timeout: Duration) async {
        try? await Task.sleep(for: timeout)
    }
}

extension ReleaseStore {
    /// The sources with an applied position other than `source`.
    func sourcesOtherThan(_ source: String) throws -> [String] {
        try pool.read { db in
            try String.fetchAll(db, sql: "SELECT source FROM positions WHERE source <> ? AND applied_sequence > 0", arguments: [source])
        }
    }
}
