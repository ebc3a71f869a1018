import Foundation
import GRDB
import KhaosanIndex
import KhaosanDaemon
import KhaosanModel
import KhaosanRPC
import KhaosanThai
import Logging

/// How the store keeps its search index whole: open the files, index again what the index log
/// holds beyond them, and rebuild from the stored releases when there are no files or a file is
/// damaged (SQLite is the source of truth).
extension ReleaseStore {
    /// Segments written by a rebuild are cut at about this many bytes of postings (see
    /// `SegmentBuilder.estimatedBytes`): small enough that finding a segment's hot tier stays
    /// within a bounded amount of memory.
    static let rebuildSegmentBytes = 32 << 20

    func openIndex() throws {
        let started = ContinuousClock.now
        var covered: Int64?
        do {
            covered = try index.open()
        } catch {
            logger.warning("search index unusable, rebuilding it from the store", metadata: ["error": "\(error)"])
            covered = nil
        }
        guard let covered else {
            let n = try rebuildIndex()
            // The rebuild's buffers are freed; give the heap back before serving.
            HeapTrim.returnFreedMemory()
            logger.notice("search index rebuilt from the store", metadata: [
                "releases": "\(n)", "seconds": "\(String(format: "%.2f", (ContinuousClock.now - started).inSeconds))",
            ])
            return
        }
        let n = try catchUpIndex(after: covered)
        if n > 0 { logger.info("search index caught up from the index log", metadata: ["releases": "\(n)"]) }
    }

    /// How long a shutdown spends writing the index's memory segments to files: Deploy's unit
    /// gives a stop 90 s (`TimeoutStopSec`) before it kills, and the server's drain comes first.
    /// Generous on purpose: writing a memory segment out costs about a third of indexing its
    /// documents again at the next start (BENCHMARKS.md, "Session 12": a 16 s stop that wrote 9 of the
    /// 13 files made the next start take 44 s before it answered), so the budget only bounds a
    /// stop on a machine too slow to write a bulk load's backlog in time.
    package static let shutdownIndexBudget: Duration = .seconds(60)

    /// Writes the index's memory segments to files (at shutdown), for about `budget`: a file
    /// being written when it ends is finished, none is started after it (see
    /// `SearchIndex.windDown`). A few seconds cover a flush's worth of documents; after a bulk
    /// load the backlog can be minutes of work, and what is left is indexed again at the next start.
    package func writeIndexOut(within budget: Duration = ReleaseStore.shutdownIndexBudget) {
        guard !readOnly else { return }
        do { try index.windDown(by: .now + budget) } catch {
            logger.warning("search index not written at shutdown; it is indexed again from the store at the next start",
                           metadata: ["error": "\(error)"])
            return
        }
        let left = index.stats
        if left.memorySegments > 0 {
            logger.notice("search index partly written at shutdown; the rest is indexed again from the store at the next start",
                          metadata: ["memory_segments": "\(left.memorySegments)", "budget": "\(budget)"])
        }
    }

    /// Indexes the releases the index log names after `covered` (the latest version of each).
    /// Each memory segment it adds names the log sequences it covers: its releases' latest
    /// entries, and the older entries of releases indexed in it or before it, so a flush of the
    /// first segments never claims entries whose releases are still only in memory.
    private func catchUpIndex(after covered: Int64) throws -> Int {
        let entries = try pool.read { db -> [(release: Int64, seq: Int64)] in
            let rows = try Row.fetchAll(db, sql: "SELECT seq, release_id FROM index_log WHERE seq > ? ORDER BY seq", arguments: [covered])
            var seen = Set<Int64>()
            var latest: [(release: Int64, seq: Int64)] = []
            for r in rows.reversed() where seen.insert(r[1]).inserted { latest.append((r[1], r[0])) }
            return latest.reversed()
        }
        guard !entries.isEmpty else { return 0 }
        var docs: [IndexDocument] = []
        var from = covered + 1
        func add(through last: Int64) {
            guard !docs.isEmpty else { return }
            index.add(docs, sequences: from...last)
            docs.removeAll()
            from = last + 1
        }
        for chunk in stride(from: 0, to: entries.count, by: 512) {
            let part = entries[chunk..<min(chunk + 512, entries.count)]
            let releases = try pool.read { db in try part.compactMap { try Self.loadRelease(db, texts, id: $0.release) } }
            docs += releases.map { Self.document($0, body: $0.paragraphs.joined(separator: "\n")) }
            if docs.count >= index.flushDocuments { add(through: part.last!.seq) }
        }
        add(through: entries.last!.seq)
        if !readOnly { try index.maintain() }
        return entries.count
    }

    /// Builds the whole index from the stored releases, in publication order, and returns how
    /// many it indexed. One read transaction: the index log's last sequence is read in the same
    /// snapshot, so the manifest covers exactly what was read.
    @discardableResult
    package func rebuildIndex() throws -> Int {
        var count = 0
        try index.rebuild { emit in
            try pool.read { db in
                let last = try Int64.fetchOne(db, sql: "SELECT max(seq) FROM index_log") ?? 0
                let rows = try Row.fetchCursor(db, sql: """
                    SELECT r.id, r.published_days, r.language, r.category_name, r.category_slug, t.title, t.body, t.title_dictionary, t.body_dictionary
                    FROM releases r JOIN release_texts t ON t.id = r.id ORDER BY r.published_days, r.id
                    """)
                var builder = SegmentBuilder()
                while let row = try rows.next() {
                    let id: Int64 = row[0]
                    builder.add(Self.document(
                        id: id, days: row[1], category: Category(name: row[3], slug: row[4]),
                        language: try Self.language(row[2], id: id), title: try texts.decode(row, blob: 5, dictionary: 7, release: id), body: try texts.decode(row, blob: 6, dictionary: 8, release: id)))
                    count += 1
                    if builder.estimatedBytes >= Self.rebuildSegmentBytes {
                        try emit((consume builder).build())
                        builder = SegmentBuilder()
                    }
                }
                if builder.count > 0 { try emit((consume builder).build()) }
                return last
            }
        }
        return count
    }
}
