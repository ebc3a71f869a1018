import Foundation
import GRDB
package import KhaosanIndex
import KhaosanModel

extension ReleaseStore {
    /// Compiles the query and takes one snapshot of the index, held for the whole export.
    package func exportPager(_ q: ExportQuery) throws -> HitPager {
        let trimmed = q.text.trimmingCharacters(in: .whitespacesAndNewlines)
        let compiled = trimmed.isEmpty ? nil : try QueryParser.compile(q.text, wholeWords: q.wholeWords, places: Self.placeResolver)
        // Name filters are checked against the stored names after the index (EntitySearch):
        // not done page by page yet, so refused rather than exported unchecked.
        if let compiled, !compiled.entityFilters.isEmpty {
            throw QuerySyntaxError(message: "person:, org: and place: filters are not supported by export yet (use search, names or entity)",
                                   position: 0)
        }
        // The same category check as Search and Timeline: an unknown one is refused with the
        // closest names, any spelling or slug of a known one is the same filter.
        let snapshot = index.snapshot()
        var filter = IndexFilter(categories: try Self.categoryFilter(q.categories, snapshot))
        if let from = q.from { filter.fromDays = Int32(clamping: from.daysSinceEpoch) }
        if let to = q.to { filter.toDays = Int32(clamping: to.daysSinceEpoch) }
        if let l = q.language { filter.language = Self.languageCode(l) }
        return HitPager(snapshot: snapshot, query: compiled?.index, filter: filter)
    }

    /// Runs `body` (an index evaluation) under the caller's deadline and at most
    /// `searchTimeLimit`: an export is long, but each of its evaluations is one search's work.
    package func exportStep<T>(deadline: ContinuousClock.Instant?, _ body: (@escaping @Sendable () -> Bool) throws(IndexError) -> T) throws -> T {
        let started = ContinuousClock.now
        let limitAt = started + Self.searchTimeLimit
        let at = deadline.map { min($0, limitAt) } ?? limitAt
        do { return try body { ContinuousClock.now >= at } } catch {
            if case .cancelled = error { throw SearchCancelled(after: started.duration(to: .now)) }
            throw error
        }
    }

    /// The rows of `hits` (a page of the pager), in the same order, read in one transaction: the
    /// current version of each, preceded by its stored old versions (oldest first) when
    /// `versions`; bodies only when `fullText`. A release gone since the snapshot (none is ever
    /// deleted today) is left out.
    package func exportRows(_ hits: ArraySlice<IndexHit>, fullText: Bool, versions: Bool) throws -> [ExportRecord] {
        try pool.read { db in
            var out: [ExportRecord] = []
            out.reserveCapacity(hits.count)
            let decoder = JSONDecoder()
            // Without the body, the body column is not read at all (nor decompressed).
            let sql = fullText ? """
                SELECT r.published_days, r.language, r.category_name, r.category_slug, r.source_url, r.version,
                       t.title, t.title_dictionary, t.body, t.body_dictionary
                FROM releases r JOIN release_texts t ON t.id = r.id WHERE r.id = ?
                """ : """
                SELECT r.published_days, r.language, r.category_name, r.category_slug, r.source_url, r.version,
                       t.title, t.title_dictionary
                FROM releases r JOIN release_texts t ON t.id = r.id WHERE r.id = ?
                """
            let statement = try db.cachedStatement(sql: sql)
            for hit in hits {
                let id = hit.releaseID
                guard let row = try Row.fetchOne(statement, arguments: [id]) else { continue }
                if versions {
                    let old = try Row.fetchAll(db.cachedStatement(sql: """
                        SELECT version, release FROM release_versions WHERE release_id = ? ORDER BY version
                        """), arguments: [id])
                    for r in old {
                        let data: Data = r[1]
                        let release: Release
                        do { release = try decoder.decode(Release.self, from: data) } catch {
                            throw DatabaseError(message: "release \(id) version \(r[0] as Int): bad JSON in release_versions.release: \(error)")
                        }
                        out.append(ExportRecord(
                            id: id, version: r[0], current: false, published: release.published, category: release.category,
                            language: release.language, title: release.title, sourceURL: release.sourceURL,
                            body: fullText ? release.paragraphs.joined(separator: "\n") : ""))
                    }
                }
                out.append(ExportRecord(
                    id: id, version: row[5], current: true, published: CivilDate(daysSinceEpoch: row[0]),
                    category: Category(name: row[2], slug: row[3]), language: try Self.language(row[1], id: id),
                    title: try texts.decode(row, blob: 6, dictionary: 7, release: id), sourceURL: row[4],
                    body: fullText ? try texts.decode(row, blob: 8, dictionary: 9, release: id) : ""))
            }
            return out
        }
    }
}
