import Foundation
import GRDB
import KhaosanModel
import KhaosanThai
import Logging

/// Near-duplicate groups (issue 16, "what repeats"). Each release's MinHash signature and group
/// are a row of `near_duplicates`, written in the same transaction as the release: a release
/// joins the group of the most similar stored release whose exact Jaccard similarity is
/// `MinHash.groupThreshold` or more, among the candidates of the LSH buckets
/// (NearDuplicateIndex) whose signatures estimate it at `MinHash.verifyFrom` or more (those
/// few texts are read and analysed again), else starts a group of its own (group = its id). Groups are not merged afterwards: a release that
/// resembles two groups joins the closer one, and a new version keeps the members that joined
/// it. Archives from before the table get their rows in the background (`backfillNearDuplicates`).
extension ReleaseStore {
    static let backfillBatch = 500

    static func shingles(_ r: Release, analyzer: ThaiAnalyzer = .shared) -> [UInt32] {
        MinHash.shingles(title: analyzer.words(r.title), body: analyzer.words(r.paragraphs.joined(separator: "\n")))
    }

    /// Reads every stored signature into the LSH buckets (at open).
    func loadNearDuplicates() throws {
        try pool.read { db in
            let rows = try Row.fetchCursor(db, sql: "SELECT id, signature FROM near_duplicates")
            while let row = try rows.next() {
                let id: Int64 = row[0]
                guard let sig = MinHash.decode(Self.bytes(row[1])) else {
                    throw DatabaseError(message: "\(path): release \(id): near_duplicates.signature is not \(MinHash.size) values")
                }
                nearDuplicates.insert(id: id, keys: MinHash.bandKeys(sig))
            }
        }
    }

    /// Stores the release's signature and group; inside the transaction that writes the release.
    func assignNearDuplicate(_ db: Database, id: Int64, shingles: [UInt32], signature: [UInt32]) throws {
        let keys = MinHash.bandKeys(signature)
        var close: [(estimate: Double, group: Int64, id: Int64)] = []
        for other in nearDuplicates.candidates(keys: keys, excluding: id) {
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT signature, group_id FROM near_duplicates WHERE id = ?"),
                                             arguments: [other]),
                  let sig = MinHash.decode(Self.bytes(row[0])) else { continue }
            let estimate = MinHash.estimate(signature, sig)
            if estimate >= MinHash.verifyFrom { close.append((estimate, row[1], other)) }
        }
        // The estimate's error (about 0.06) decides nothing: the closest few are checked exactly.
        close.sort { ($0.estimate, $1.id) > ($1.estimate, $0.id) }
        var best: (score: Double, group: Int64, id: Int64)?
        for c in close.prefix(MinHash.verifiedCandidates) {
            guard let other = try Self.loadRelease(db, texts, id: c.id) else { continue }
            let score = MinHash.jaccard(shingles, Self.shingles(other))
            guard score >= MinHash.groupThreshold else { continue }
            if best == nil || score > best!.score || (score == best!.score && c.id < best!.id) { best = (score, c.group, c.id) }
        }
        try db.cachedStatement(sql: """
            INSERT INTO near_duplicates(id, signature, group_id) VALUES (?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET signature = excluded.signature, group_id = excluded.group_id
            """).execute(arguments: [id, Data(MinHash.encode(signature)), best?.group ?? id])
        nearDuplicates.insert(id: id, keys: keys)
    }

    /// Schedules the backfill on the maintenance thread when some release has no row yet.
    func scheduleNearDuplicateBackfill() {
        guard !readOnly else { return }
        maintenance.scheduleBackfill { [self] in
            do {
                let n = try backfillNearDuplicates()
                if n > 0 { logger.info("near-duplicate signatures backfilled", metadata: ["releases": "\(n)"]) }
            } catch {
                logger.error("near-duplicate backfill failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Computes the rows of releases stored before near-duplicate detection, oldest id first,
    /// `backfillBatch` per write transaction (the analysis runs outside it). Returns how many.
    @discardableResult
    func backfillNearDuplicates() throws -> Int {
        var done = 0
        var after: Int64 = .min
        while true {
            let releases = try pool.read { db -> [Release] in
                let ids = try Int64.fetchAll(db.cachedStatement(sql: """
                    SELECT r.id FROM releases r WHERE r.id > ? AND NOT EXISTS (SELECT 1 FROM near_duplicates n WHERE n.id = r.id)
                    ORDER BY r.id LIMIT ?
                    """), arguments: [after, Self.backfillBatch])
                return try ids.compactMap { try Self.loadRelease(db, texts, id: $0) }
            }
            guard let last = releases.last else { break }
            let shingles = releases.map { Self.shingles($0) }
            try pool.write { db in
                for (r, sh) in zip(releases, shingles) {
                    // An apply since the read wrote the row of a newer text: keep that one.
                    let exists = try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM near_duplicates WHERE id = ?"), arguments: [r.id]) ?? false
                    if !exists { try assignNearDuplicate(db, id: r.id, shingles: sh, signature: MinHash.signature(sh)) }
                }
            }
            done += releases.count
            after = last.id
            if releases.count < Self.backfillBatch { break }
        }
        return done
    }

    static func bytes(_ value: DatabaseValue) -> [UInt8] {
        (Data.fromDatabaseValue(value)).map { Array($0) } ?? []
    }

    /// Group of each id that has a row.
    func groups(_ db: Database, _ ids: [Int64]) throws -> [Int64: Int64] {
        var out: [Int64: Int64] = [:]
        for id in ids {
            if let g = try Int64.fetchOne(db.cachedStatement(sql: "SELECT group_id FROM near_duplicates WHERE id = ?"), arguments: [id]) {
                out[id] = g
            }
        }
        return out
    }

    /// The other members of a group, lowest id first, at most `limit`.
    func members(_ db: Database, group: Int64, except id: Int64, limit: Int = 20) throws -> [Int64] {
        try Int64.fetchAll(db.cachedStatement(sql: """
            SELECT id FROM near_duplicates WHERE group_id = ? AND id != ? ORDER BY id LIMIT ?
            """), arguments: [group, id, limit])
    }

    /// `khaosan similar`: the releases sharing an LSH band with `id`, most similar first by the
    /// signatures' estimate; the exact Jaccard of the shingle sets is computed from both texts
    /// for the first `verified` of them, and those are ordered by it.
    package func similar(id: Int64, limit: Int, verified: Int = 20) throws -> SimilarReleases {
        let limit = min(max(limit, 1), 100)
        return try pool.read { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT signature, group_id FROM near_duplicates WHERE id = ?"),
                                             arguments: [id]) else {
                if try Self.loadRelease(db, texts, id: id) == nil { throw VersionNotFound("no release with id \(id)") }
                throw VersionNotFound("release \(id) has no near-duplicate signature yet (the backfill is still running)")
            }
            guard let sig = MinHash.decode(Self.bytes(row[0])) else {
                throw DatabaseError(message: "\(path): release \(id): near_duplicates.signature is not \(MinHash.size) values")
            }
            let group: Int64 = row[1]
            let candidates = nearDuplicates.candidates(keys: MinHash.bandKeys(sig), excluding: id)
            var scored: [(id: Int64, estimate: Double, group: Int64)] = []
            for c in candidates {
                guard let r = try Row.fetchOne(db.cachedStatement(sql: "SELECT signature, group_id FROM near_duplicates WHERE id = ?"),
                                               arguments: [c]), let s = MinHash.decode(Self.bytes(r[0])) else { continue }
                scored.append((c, MinHash.estimate(sig, s), r[1]))
            }
            scored.sort { ($0.estimate, $1.id) > ($1.estimate, $0.id) }
            let top = scored.prefix(limit)
            guard let me = try Self.loadRelease(db, texts, id: id) else { throw VersionNotFound("no release with id \(id)") }
            let mine = top.isEmpty ? [] : Self.shingles(me)
            var hits: [SimilarRelease] = []
            for (k, t) in top.enumerated() {
                guard let other = try Self.loadRelease(db, texts, id: t.id) else { continue }
                let exact = k < verified ? MinHash.jaccard(mine, Self.shingles(other)) : nil
                hits.append(SimilarRelease(id: t.id, title: other.title, published: other.published, category: other.category,
                                           estimated: t.estimate, exact: exact, sameGroup: t.group == group))
            }
            let head = hits.prefix(verified).sorted { ($0.exact ?? 0, $1.id) > ($1.exact ?? 0, $0.id) }
            return SimilarReleases(group: group, hits: Array(head) + hits.dropFirst(verified), candidates: candidates.count)
        }
    }
}
