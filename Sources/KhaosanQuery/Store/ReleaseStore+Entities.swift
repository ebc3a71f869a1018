import Foundation
import GRDB
package import KhaosanModel

/// Typed names in SQLite: `release_names`, one row per release holding every distinct name of
/// its current version ("kind<TAB>name" lines in CompactText, compressed with the archive's text
/// dictionary when there is one: names repeat from release to release, so a row is a few dozen
/// bytes), replaced whenever the release changes. A row per name with a key index was 107 MB
/// for the corpus, a fifth of the archive; searches by name find their candidates through the
/// search index and read the names by release id, so no index on names is needed.
extension ReleaseStore {
    /// Schema v5. Before it, `releases.entities` held a flat list of names (people from the old
    /// extractor, or whatever a structured release listed); they become typed rows
    /// (`Entity.legacy`). The column stays, written as before, so an older reader still opens
    /// the file. Their organisations and places (and the people the segmenter finds) are
    /// extracted afterwards from the stored texts, in the background (`backfillNames`).
    static func migrateToTypedEntities(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE release_names (
                id INTEGER PRIMARY KEY REFERENCES releases(id) ON DELETE CASCADE,
                names BLOB NOT NULL,
                dictionary INTEGER
            );
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
            try storeEntities(db, id, splitEntities(row[1]).map(Entity.legacy), texts: nil)
        }
    }

    /// The stored form of a release's names (`texts` nil: plain CompactText).
    static func encodeNames(_ entities: [Entity], texts: TextCodec?) -> (blob: Data, dictionary: Int64?) {
        var seen = Set<Entity>()
        var text = ""
        for e in entities where seen.insert(e).inserted {
            text += "\(e.kind.code)\t\(e.name)\n"
        }
        let compact = CompactText.encode(text)
        return texts?.encodeCompact(compact) ?? (Data(compact), 0)
    }

    static func decodeNames(_ text: String) -> [Entity] {
        text.split(separator: "\n").compactMap { line in
            guard let tab = line.firstIndex(of: "\t"), let code = Int(line[..<tab]), let kind = Entity.Kind(code: code) else { return nil }
            return Entity(kind: kind, name: String(line[line.index(after: tab)...]))
        }
    }

    static func storeEntities(_ db: Database, _ id: Int64, _ entities: [Entity], texts: TextCodec?) throws {
        guard !entities.isEmpty else {
            try db.cachedStatement(sql: "DELETE FROM release_names WHERE id = ?").execute(arguments: [id])
            return
        }
        let (blob, dictionary) = encodeNames(entities, texts: texts)
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO release_names(id, names, dictionary) VALUES (?, ?, ?)")
            .execute(arguments: [id, blob, dictionary])
    }

    /// The typed names of each listed release, with their search keys.
    static func entities(_ db: Database, _ texts: TextCodec, of ids: [Int64]) throws -> [Int64: [(entity: Entity, key: String)]] {
        var out: [Int64: [(entity: Entity, key: String)]] = [:]
        try forEachRow(db, ids: ids, { "SELECT id, names, dictionary FROM release_names WHERE id IN (\($0))" }) { r in
            let id: Int64 = r[0]
            out[id] = decodeNames(try texts.decode(r, blob: 1, dictionary: 2, release: id)).map { ($0, NameExtractor.key($0)) }
        }
        return out
    }

    /// The typed names of one release, in kind order then by name.
    package func entities(of id: Int64) throws -> [Entity] {
        try pool.read { db in
            (try Self.entities(db, texts, of: [id])[id] ?? []).map(\.entity)
                .sorted { ($0.kind.code, $0.name) < ($1.kind.code, $1.name) }
        }
    }
}
