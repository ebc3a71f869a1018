import Foundation
import KhaosanModel
import KhaosanQuery
import KhaosanRPC
package import KhaosanWire
import PostgresNIO

/// Saved searches in the shared archive (table saved_searches, migration 2): the definitions
/// every node mirrors. The name and the query are checked by the caller (the query handlers),
/// as the local store checks them.
extension PostgresArchive: SavedSearchStore {
    /// As the local store's limit (AlertHub.maxSavedSearchesPerUID).
    static let maxSavedSearchesPerUID: Int64 = 1_000
    /// `pg_advisory_xact_lock` class for one uid's saved searches (with the uid as second key).
    static let savedSearchLockClass: Int32 = 0x6b73

    package func storeSavedSearch(uid: UInt32, _ s: SavedSearch, replace: Bool) async throws -> SavedSearch {
        let logger = self.logger
        let now = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        return try await writer.run("saving a saved search") { conn in
            try await conn.query("BEGIN", logger: logger)
            do {
                // Count and insert as one step per uid: two nodes cannot both pass the limit.
                try await conn.query("SELECT pg_advisory_xact_lock(\(Self.savedSearchLockClass), \(Int32(bitPattern: uid)))", logger: logger)
                let existing = try await conn.query("SELECT created_at FROM saved_searches WHERE uid = \(Int64(uid)) AND name = \(s.name)",
                                                    logger: logger).collect().first?.decode(Int64.self)
                if existing != nil && !replace {
                    throw RPCError(code: .alreadyExists, message: "a saved search named \(s.name) exists (replace it with --replace)")
                }
                if existing == nil {
                    let n = try await conn.query("SELECT count(*)::bigint FROM saved_searches WHERE uid = \(Int64(uid))", logger: logger)
                        .collect().first?.decode(Int64.self) ?? 0
                    guard n < Self.maxSavedSearchesPerUID else {
                        throw RPCError(code: .resourceExhausted, message: "uid \(uid) has \(n) saved searches; the limit is \(Self.maxSavedSearchesPerUID)",
                                       metadata: [Metadata.refusalKey: "saved-searches-per-uid"])
                    }
                }
                var out = s
                out.lastRunPosition = 0
                out.createdAtUnixMs = existing ?? now
                let from = out.from.map { Int64($0.daysSinceEpoch) }, to = out.to.map { Int64($0.daysSinceEpoch) }
                try await conn.query("""
                    INSERT INTO saved_searches(uid, name, query, from_days, to_days, categories, language, whole_words, created_at)
                    VALUES (\(Int64(uid)), \(out.name), \(out.query), \(from), \(to), \(out.categories.joined(separator: "\n")),
                            \(out.language?.rawValue), \(out.wholeWords), \(out.createdAtUnixMs))
                    ON CONFLICT (uid, name) DO UPDATE SET query = excluded.query, from_days = excluded.from_days,
                        to_days = excluded.to_days, categories = excluded.categories, language = excluded.language,
                        whole_words = excluded.whole_words, updated_at = clock_timestamp()
                    """, logger: logger)
                try await conn.query("COMMIT", logger: logger)
                return out
            } catch {
                _ = try? await conn.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }

    package func removeSavedSearch(uid: UInt32, name: String) async throws -> Bool {
        let logger = self.logger
        return try await writer.run("deleting a saved search") { conn in
            let rows = try await conn.query("DELETE FROM saved_searches WHERE uid = \(Int64(uid)) AND name = \(name) RETURNING name",
                                            logger: logger).collect()
            return !rows.isEmpty
        }
    }

    package func everySavedSearch() async throws -> [(uid: UInt32, search: SavedSearch)] {
        let logger = self.logger, url = self.url
        let rows = try await reader.run("reading the saved searches") { conn in
            try await conn.query("""
                SELECT uid, name, query, from_days, to_days, categories, language, whole_words, created_at
                FROM saved_searches ORDER BY uid, name
                """, logger: logger)
                .decode((Int64, String, String, Int64?, Int64?, String, String?, Bool, Int64).self)
                .reduce(into: [(Int64, String, String, Int64?, Int64?, String, String?, Bool, Int64)]()) { $0.append($1) }
        }
        return try rows.map { uid, name, query, from, to, categories, language, wholeWords, createdAt in
            var lang: Language?
            if let language {
                guard let l = Language(rawValue: language) else {
                    throw PostgresStoreError("PostgreSQL store \(url): saved search \(uid)/\(name): unknown language \"\(language)\" in saved_searches.language",
                                             kind: .internalError)
                }
                lang = l
            }
            return (UInt32(truncatingIfNeeded: uid), SavedSearch(
                name: name, query: query, from: from.map { CivilDate(daysSinceEpoch: Int($0)) }, to: to.map { CivilDate(daysSinceEpoch: Int($0)) },
                categories: categories.isEmpty ? [] : categories.split(separator: "\n").map(String.init), language: lang,
                wholeWords: wholeWords, lastRunPosition: 0, createdAtUnixMs: createdAt))
        }
    }
}
