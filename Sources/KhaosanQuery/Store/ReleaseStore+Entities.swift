import GRDB
package import KhaosanModel

/// Typed names in SQLite: `release_entities` (release id, kind, name as written, search key),
/// one row per distinct name of the current version, replaced whenever the release changes.
extension ReleaseStore {
    /// Schema v5. Before it, `releases.entities` held a flat list of names (people from the old
    /// extractor, or whatever a structured release listed); they become typed rows
    /// (`Entity.legacy`). The column stays, written as before, so an older reader still opens
    /// the file. Their organisations and places (and the people the segmenter finds) are
    /// extracted afterwards from the stored texts, in the background (`backfillNames`).
    static func migrateToTypedEntities(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE release_entities (
                release_id INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
                kind INTEGER NOT NULL,
                name TEXT NOT NULL,
                key TEXT NOT NULL,
                PRIMARY KEY (release_id, kind, name)
            ) WITHOUT ROWID;
            CREATE INDEX release_entities_key ON release_entities(kind, key);
            CREATE TABLE names_backfill (
                one INTEGER PRIMARY KEY CHECK (one = 1),
                after_id INTEGER NOT NULL
            );
            """)
        // Releases stored before get their organisations and places in the background
        // (`backfillNames`); a new archive has none to do.
        if try Int.fetchOne(db, sql: "SELECT count(*) FROM releases") ?? 0 > 0 {
            try db.execute(sql: "INSERT INTO names_backfill VALUES (1, ?)", arguments: [Int64.min])
        }
        let rows = try Row.fetchCursor(db, sql: "SELECT id, entities FROM releases WHERE entities <> ''")
        while let row = try rows.next() {
            let id: Int64 = row[0]
            try storeEntities(db, id, splitEntities(row[1]).map(Entity.legacy), replacing: false)
        }
    }

    static func storeEntities(_ db: Database, _ id: Int64, _ entities: [Entity], replacing: Bool = true) throws {
        if replacing {
            try db.cachedStatement(sql: "DELETE FROM release_entities WHERE release_id = ?").execute(arguments: [id])
        }
        let insert = try db.cachedStatement(sql: "INSERT OR IGNORE INTO release_entities(release_id, kind, name, key) VALUES (?, ?, ?, ?)")
        for e in entities {
            try insert.execute(arguments: [id, e.kind.code, e.name, NameExtractor.key(e)])
        }
    }

    /// The typed names of each listed release (in chunks: SQLite's variable limit).
    static func entities(_ db: Database, of ids: [Int64]) throws -> [Int64: [(entity: Entity, key: String)]] {
        var out: [Int64: [(entity: Entity, key: String)]] = [:]
        var start = 0
        while start < ids.count {
            let chunk = Array(ids[start..<min(start + 500, ids.count)])
            start += chunk.count
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            let rows = try Row.fetchCursor(db, sql: "SELECT release_id, kind, name, key FROM release_entities WHERE release_id IN (\(marks))",
                                           arguments: StatementArguments(chunk))
            while let r = try rows.next() {
                guard let kind = Entity.Kind(code: r[1]) else { continue }
                out[r[0], default: []].append((Entity(kind: kind, name: r[2]), r[3]))
            }
        }
        return out
    }

    /// The typed names of one release, in kind order then as stored.
    package func entities(of id: Int64) throws -> [Entity] {
        try pool.read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT kind, name FROM release_entities WHERE release_id = ? ORDER BY kind, name"),
                             arguments: [id]).compactMap { r in Entity.Kind(code: r[0]).map { Entity(kind: $0, name: r[1]) } }
        }
    }
}
