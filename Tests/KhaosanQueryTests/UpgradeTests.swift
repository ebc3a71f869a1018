import Foundation
import GRDB
import KhaosanIndex
@testable import KhaosanQuery
import KhaosanModel
import Testing

/// A database written by the previous release (schema v1 with its FTS5 table, made by the FTS5
/// build from the 55 bundled fixture files, 49 accepted: Fixtures/schema-v1-fts5.sqlite) opens
/// with this binary: FTS5 is dropped, the search index is built from the stored releases, and
/// nothing stored is lost.
struct UpgradeTests {
    static let fixture = StoreFixtures.directory.appendingPathComponent("schema-v1-fts5.sqlite")

    @Test func anFTS5DatabaseOpensAndIsIndexed() throws {
        let path = try StoreFixtures.tempPath("upgrade")
        try FileManager.default.copyItem(atPath: Self.fixture.path, toPath: path)
        let before = try DatabaseQueue(path: Self.fixture.path, configuration: { var c = Configuration(); c.readonly = true; return c }())
        let (ids, titles) = try before.read { db in
            (try Int64.fetchAll(db, sql: "SELECT id FROM releases ORDER BY id"),
             try Int.fetchOne(db, sql: "SELECT count(*) FROM release_texts") ?? 0)
        }
        #expect(ids.count == 49 && titles == 49)

        let store = try ReleaseStore(path: path, logger: StoreFixtures.logger)
        let tables = try store.pool.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')") }
        #expect(!tables.contains { $0.hasPrefix("fts") })
        #expect(!tables.contains("release_texts_decoded"))
        #expect(tables.contains("index_log"))
        #expect(try store.stats().releases == 49)
        #expect(Set(store.index.liveReleaseIDs()) == Set(ids))
        #expect(try store.integrityCheck().ok)
        // Every release is found by a phrase from its own body, and by its title.
        for id in ids {
            let r = try #require(try store.get(id: id, includeVersions: false)).release
            let words = r.paragraphs.joined(separator: " ").split(separator: " ")
            if words.count > 8 {
                let phrase = words[3..<7].joined(separator: " ")
                #expect(try store.search(SearchQuery(text: "\"\(phrase)\"", limit: 1000)).hits.contains { $0.id == id }, "\(id): \(phrase)")
            }
            if !r.title.contains("\"") {
                #expect(try store.search(SearchQuery(text: "\"\(r.title)\"", limit: 1000)).hits.contains { $0.id == id })
            }
        }
        // Reopened: the index is read from its files, not rebuilt (the manifest covers it).
        let again = try ReleaseStore(path: path, logger: StoreFixtures.logger)
        #expect(again.index.stats.fileBytes > 0)
        #expect(Set(again.index.liveReleaseIDs()) == Set(ids))
    }
}
