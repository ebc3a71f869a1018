import Foundation
import GRDB
import KhaosanModel
import Logging

/// The typed names of releases stored before schema v5, extracted from their stored texts on
/// the maintenance thread, `namesBackfillBatch` releases at a time: the texts are read and the
/// names found outside any transaction, then written in one short write transaction, only for
/// releases whose content hash is still the one read (a version applied meanwhile has its own
/// names already). Progress is kept in `names_backfill`, so a restart goes on where it stopped;
/// the row is deleted when every release is done.
extension ReleaseStore {
    static let namesBackfillBatch = 200

    func scheduleNamesBackfill() {
        guard !readOnly else { return }
        maintenance.scheduleStoreWork { [self] in
            do {
                let n = try backfillNames()
                if n > 0 { logger.info("typed names extracted for releases stored before", metadata: ["releases": "\(n)"]) }
            } catch {
                // The flat names stay typed as people and organisations; the next start tries again.
                logger.error("extracting the names of stored releases failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Extracts and stores the names of every release still to do; returns how many were written.
    @discardableResult
    func backfillNames() throws -> Int {
        compaction.lock()
        defer { compaction.unlock() }
        var written = 0
        while true {
            guard let after = try pool.read({ db in try Int64.fetchOne(db, sql: "SELECT after_id FROM names_backfill WHERE one = 1") }) else {
                return written
            }
            let batch: [(id: Int64, hash: String, names: [Entity])] = try pool.read { db in
                let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT id, content_hash FROM releases WHERE id > ? ORDER BY id LIMIT ?"),
                                            arguments: [after, Self.namesBackfillBatch])
                return try rows.compactMap { row in
                    let id: Int64 = row[0]
                    guard let r = try Self.loadRelease(db, texts, id: id) else { return nil }
                    return (id, row[1], NameExtractor.extract(title: r.title, paragraphs: r.paragraphs, people: r.entities))
                }
            }
            let last = batch.last?.id
            try pool.write { db in
                for item in batch {
                    let current = try String.fetchOne(db.cachedStatement(sql: "SELECT content_hash FROM releases WHERE id = ?"), arguments: [item.id])
                    guard current == item.hash else { continue }
                    try Self.storeEntities(db, item.id, item.names, texts: texts)
                    written += 1
                }
                if let last, batch.count == Self.namesBackfillBatch {
                    try db.execute(sql: "UPDATE names_backfill SET after_id = ? WHERE one = 1", arguments: [last])
                } else {
                    try db.execute(sql: "DELETE FROM names_backfill")
                }
            }
        }
    }
}
