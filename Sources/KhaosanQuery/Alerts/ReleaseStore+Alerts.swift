import Foundation
import GRDB
import KhaosanIndex
import KhaosanModel
import KhaosanRPC
import Logging
package import KhaosanWire

/// Saved searches (table saved_searches, per uid) and the matches after a position (table
/// applied_log), for `saved run --since-last` and a watch's replay.
extension ReleaseStore {
    /// Names become file names (feeds/NAME.atom): a short, safe alphabet.
    static func checkName(_ name: String) throws {
        let ok = !name.isEmpty && name.utf8.count <= 64 && !name.hasPrefix(".")
            && name.unicodeScalars.allSatisfy { ($0.isASCII && (CharacterSet.alphanumerics.contains($0))) || "._-".unicodeScalars.contains($0) }
        guard ok else {
            throw RPCError(code: .invalidArgument, message: "name: \"\(name)\" is not 1-64 characters of A-Z a-z 0-9 . _ - (not starting with a dot)")
        }
    }

    /// Loads every saved search into the alert hub (at start-up): their feeds follow each batch.
    package func loadSavedSearches() throws {
        for (uid, s) in try allSavedSearches() {
            do { alerts.setSaved(FeedKey(uid: uid, name: s.name), try StandingQuery(s)) } catch {
                logger.warning("saved search does not compile; not followed", metadata: ["uid": "\(uid)", "name": "\(s.name)", "error": "\(error)"])
            }
        }
    }

    package func allSavedSearches() throws -> [(uid: UInt32, search: SavedSearch)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM saved_searches ORDER BY uid, name").map { (UInt32($0["uid"] as Int64), try Self.savedSearch($0)) }
        }
    }

    package func savedSearches(uid: UInt32, name: String? = nil) throws -> [SavedSearch] {
        try pool.read { db in
            let rows = if let name {
                try Row.fetchAll(db, sql: "SELECT * FROM saved_searches WHERE uid = ? AND name = ?", arguments: [Int64(uid), name])
            } else {
                try Row.fetchAll(db, sql: "SELECT * FROM saved_searches WHERE uid = ? ORDER BY name", arguments: [Int64(uid)])
            }
            return try rows.map(Self.savedSearch)
        }
    }

    static func savedSearch(_ row: Row) throws -> SavedSearch {
        let cats: String = row["categories"]
        let lang: String? = row["language"]
        let name: String = row["name"]
        return SavedSearch(
            name: name, query: row["query"],
            from: (row["from_days"] as Int?).map(CivilDate.init(daysSinceEpoch:)),
            to: (row["to_days"] as Int?).map(CivilDate.init(daysSinceEpoch:)),
            categories: cats.isEmpty ? [] : cats.split(separator: "\n").map(String.init),
            language: try lang.map { try language($0, id: 0) },
            wholeWords: row["whole_words"], lastRunPosition: UInt64(row["last_run_position"] as Int64),
            createdAtUnixMs: row["created_at"])
    }

    /// Stores a saved search for `uid` (its query must compile). A replaced one keeps its
    /// last-run position and creation time.
    package func saveSearch(uid: UInt32, _ s: SavedSearch, replace: Bool) throws -> SavedSearch {
        try Self.checkName(s.name)
        let query = try StandingQuery(s)
        let now = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        let saved = try pool.write { db -> SavedSearch in
            let existing = try Row.fetchOne(db, sql: "SELECT * FROM saved_searches WHERE uid = ? AND name = ?", arguments: [Int64(uid), s.name])
            if existing != nil && !replace {
                throw RPCError(code: .alreadyExists, message: "a saved search named \(s.name) exists (replace it with --replace)")
            }
            if existing == nil {
                let n = try Int.fetchOne(db, sql: "SELECT count(*) FROM saved_searches WHERE uid = ?", arguments: [Int64(uid)]) ?? 0
                guard n < AlertHub.maxSavedSearchesPerUID else {
                    throw RPCError(code: .resourceExhausted, message: "uid \(uid) has \(n) saved searches; the limit is \(AlertHub.maxSavedSearchesPerUID)",
                                   metadata: [Metadata.refusalKey: "saved-searches-per-uid"])
                }
            }
            var out = s
            out.lastRunPosition = existing.map { UInt64($0["last_run_position"] as Int64) } ?? 0
            out.createdAtUnixMs = existing?["created_at"] ?? now
            try db.execute(sql: """
                INSERT OR REPLACE INTO saved_searches(uid, name, query, from_days, to_days, categories, language, whole_words,
                    last_run_position, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [Int64(uid), out.name, out.query, out.from?.daysSinceEpoch, out.to?.daysSinceEpoch,
                                 out.categories.joined(separator: "\n"), out.language?.rawValue, out.wholeWords,
                                 Int64(out.lastRunPosition), out.createdAtUnixMs])
            return out
        }
        alerts.setSaved(FeedKey(uid: uid, name: s.name), query)
        return saved
    }

    package func deleteSavedSearch(uid: UInt32, name: String) throws -> Bool {
        let n = try pool.write { db in
            try db.execute(sql: "DELETE FROM saved_searches WHERE uid = ? AND name = ?", arguments: [Int64(uid), name])
            return db.changesCount
        }
        alerts.setSaved(FeedKey(uid: uid, name: name), nil)
        return n > 0
    }

    /// The archive's newest position and an index snapshot holding exactly what was applied up
    /// to it (taken under the commit order, which covers both a batch's commit and its index add).
    func positionAndSnapshot() throws -> (position: UInt64, snapshot: IndexSnapshot) {
        commitOrder.lock()
        defer { commitOrder.unlock() }
        let p = try pool.read { db in try Int64.fetchOne(db, sql: "SELECT max(position) FROM applied_log") ?? 0 }
        return (UInt64(p), index.snapshot())
    }

    package func currentPosition() throws -> UInt64 { try positionAndSnapshot().position }

    /// The releases matching `query` whose latest position is after `after`, oldest position
    /// first, at most `limit`. Returns them, the position they run through (the archive's
    /// position when they are all there), and whether more lie beyond. A release changed more
    /// than once since `after` comes once, at its latest position, with its current text.
    func matches(after: UInt64, query: StandingQuery, limit: Int) throws -> (events: [WatchEvent], through: UInt64, more: Bool) {
        let (position, snapshot) = try positionAndSnapshot()
        guard position > after else { return ([], after, false) }
        let ids = try query.matchingIDs(snapshot)
        return try pool.read { db in
            let rows = try Row.fetchCursor(db, sql: """
                SELECT release_id, max(position) AS p, updated FROM applied_log WHERE position > ? AND position <= ?
                GROUP BY release_id ORDER BY p
                """, arguments: [Int64(after), Int64(position)])
            var events: [WatchEvent] = []
            while let row = try rows.next() {
                let id: Int64 = row[0]
                guard ids.contains(id) else { continue }
                if events.count == limit { return (events, events.last!.position, true) }
                guard let hit = try Self.hit(db, texts, id: id, score: 0, needles: query.compiled.positivePhrases) else { continue }
                events.append(WatchEvent(position: UInt64(row[1] as Int64), id: id, title: hit.title, published: hit.published,
                                         category: hit.category, language: hit.language, snippet: hit.snippet,
                                         sourceURL: hit.sourceURL, updated: row[2]))
            }
            return (events, position, false)
        }
    }

    /// `saved run`: the matches after the last run's position (or all, from position 0), and
    /// the last-run position moved to what they run through.
    package func runSavedSearch(uid: UInt32, name: String, sinceLast: Bool, limit: Int) throws -> RunSavedSearchResponse {
        guard let s = try savedSearches(uid: uid, name: name).first else {
            throw RPCError(code: .notFound, message: "no saved search named \(name)")
        }
        let from = sinceLast ? s.lastRunPosition : 0
        let (events, through, more) = try matches(after: from, query: try StandingQuery(s), limit: limit)
        try pool.write { db in
            try db.execute(sql: "UPDATE saved_searches SET last_run_position = max(last_run_position, ?) WHERE uid = ? AND name = ?",
                           arguments: [Int64(through), Int64(uid), name])
        }
        return RunSavedSearchResponse(events: events, fromPosition: from, toPosition: through, more: more)
    }
}
