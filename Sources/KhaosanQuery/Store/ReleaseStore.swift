import Foundation
import GRDB
package import KhaosanModel
package import KhaosanIndex
import KhaosanDaemon
import KhaosanThai
package import Logging
import Synchronization

/// The durable archive of khaosan-queryd: releases, their versions, per-source applied positions
/// and an index log, in one SQLite file (WAL, synchronous=FULL), with the search index beside it.
///
/// Layout: `releases` holds the small per-release columns (dense, so stats read few pages);
/// `release_texts` holds title and body once, in CompactText form (one byte per Thai character),
/// bodies then compressed with the archive's dictionary (TextCodec).
/// Superseded versions live whole (JSON) in `release_versions`; the current one is never
/// duplicated. `index_log` lists, in commit order, every release a batch inserted or changed: the
/// search index (`SearchIndex`, files in `<database>.index/`) records how far into the log its
/// files reach, and indexes the rest again from here at start-up, so SQLite stays the one
/// source of truth and the index can always be rebuilt from it.
package final class ReleaseStore: Sendable {
    package let path: String
    package let readOnly: Bool
    let pool: DatabasePool
    let logger: Logger
    package let index: SearchIndex
    /// Runs as a Service of the daemon's group (nil when read-only).
    package let checkpointer: WALCheckpointer?
    let maintenance = IndexMaintenance()
    let texts = TextCodec()
    /// The LSH buckets of the near-duplicate signatures (NearDuplicates.swift).
    let nearDuplicates = NearDuplicateIndex()
    /// Plain bodies the archive gathers before a dictionary is trained on them (TextCompaction).
    let textTrainingThreshold: Int
    /// One compaction at a time (the maintenance thread's, or a caller's).
    let compaction = NSLock()
    /// Held from a batch's commit until its documents are in the index, so the index receives
    /// batches in index-log order: a flush may then say the log is covered up to its newest
    /// sequence without passing over a batch committed earlier but added later (which a kill
    /// would lose from the index once the store forgot its log entries).
    let commitOrder = NSLock()
    /// Standing queries (watches, saved searches) matched against each applied batch.
    package let alerts: AlertHub

    package init(path: String, logger: Logger, readOnly: Bool = false,
                 indexFlushDocuments: Int = SearchIndex.defaultFlushDocuments,
                 textTrainingThreshold: Int = ReleaseStore.trainingThreshold) throws {
        self.path = path
        self.textTrainingThreshold = textTrainingThreshold
        self.readOnly = readOnly
        self.logger = logger
        var config = Configuration()
        config.readonly = readOnly
        config.foreignKeysEnabled = true
        config.label = "khaosan-store"
        config.maximumReaderCount = 3
        config.busyMode = .timeout(5)
        config.prepareDatabase { db in
            // Must be set before the first table exists; ignored on an existing file.
            // 8 KB pages: most compressed rows then fit in a leaf instead of spilling into a part
            // filled overflow page (the corpus's database: 92 -> 86 MB).
            if !db.configuration.readonly { try db.execute(sql: "PRAGMA page_size = 8192; PRAGMA auto_vacuum = INCREMENTAL") }
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA cache_size = -8192")
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
        }
        pool = try DatabasePool(path: path, configuration: config)
        // DatabasePool runs setUpWALMode (synchronous=NORMAL) on the writer after prepareDatabase:
        // set FULL again on the writer, and check it there and on a reader.
        if !readOnly {
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
                try db.execute(sql: "PRAGMA wal_autocheckpoint = \(WALCheckpointer.writerThreshold)")
                let level = try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1
                guard level == 2 else {
                    throw DatabaseError(message: "\(path): PRAGMA synchronous is \(level) after setting FULL (2)")
                }
            }
            try Self.migrator.migrate(pool)
        }
        let readerLevel = try pool.read { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
        guard readerLevel == 2 else {
            throw DatabaseError(message: "\(path): PRAGMA synchronous is \(readerLevel) on a reader, expected FULL (2)")
        }
        if readOnly {
            let applied = try pool.read { db in try Self.migrator.hasCompletedMigrations(db) }
            guard applied else { throw DatabaseError(message: "\(path): schema is missing or older than this program (opened read-only)") }
        }
        index = SearchIndex(directory: IndexDirectory(path: path + ".index"), writable: !readOnly,
                            flushDocuments: indexFlushDocuments, logger: logger)
        alerts = AlertHub(logger: logger)
        let maintenance = self.maintenance
        checkpointer = readOnly ? nil : WALCheckpointer(path: path, logger: logger, onIdle: { [index, logger] in
            // Writes have stopped: put what is left in memory into a file, drop mapped pages.
            maintenance.schedule(index, logger: logger, force: true)
            index.releaseMemory()
        })
        // Before the index: a rebuild reads bodies, which may need the dictionaries.
        try pool.read { db in try texts.load(db) }
        try openIndex()
        try loadNearDuplicates()
        try loadSavedSearches()
        scheduleTextCompaction()
        scheduleNamesBackfill()
        scheduleNearDuplicateBackfill()
        logger.info("release store open", metadata: ["path": "\(path)", "readOnly": "\(readOnly)"])
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE releases (
                    id INTEGER PRIMARY KEY,
                    published_days INTEGER NOT NULL,
                    language TEXT NOT NULL,
                    category_name TEXT NOT NULL,
                    category_slug TEXT,
                    version INTEGER NOT NULL,
                    stored_at INTEGER NOT NULL,
                    content_hash TEXT NOT NULL,
                    text_bytes INTEGER NOT NULL,
                    source_url TEXT NOT NULL,
                    entities TEXT NOT NULL
                );
                CREATE INDEX releases_published ON releases(published_days);
                CREATE INDEX releases_category ON releases(category_name, category_slug);
                CREATE INDEX releases_language ON releases(language);
                CREATE TABLE release_texts (
                    id INTEGER PRIMARY KEY REFERENCES releases(id) ON DELETE CASCADE,
                    title BLOB NOT NULL,
                    body BLOB NOT NULL
                );
                CREATE TABLE release_versions (
                    release_id INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
                    version INTEGER NOT NULL,
                    content_hash TEXT NOT NULL,
                    stored_at INTEGER NOT NULL,
                    release BLOB NOT NULL,
                    PRIMARY KEY (release_id, version)
                ) WITHOUT ROWID;
                CREATE TABLE positions (
                    source TEXT PRIMARY KEY,
                    applied_sequence INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE archive_totals (
                    one INTEGER PRIMARY KEY CHECK (one = 1),
                    text_bytes INTEGER NOT NULL
                );
                INSERT INTO archive_totals VALUES (1, 0);
                """)
            // Schema v1 as released also had an FTS5 table `fts` (tokenizer khaosan_thai) over a
            // view `release_texts_decoded`; v2 drops them. A new database skips straight past.
        }
        m.registerMigration("v2-own-index") { db in
            // From an FTS5 database: drop the FTS5 table (its tokenizer must be registered for
            // that) and its view. The search index is built from release_texts at the next open,
            // because no manifest exists yet.
            if try db.tableExists("fts") {
                db.add(tokenizer: LegacyFTS5Tokenizer.self)
                try db.execute(sql: "DROP TABLE fts")
            }
            try db.execute(sql: "DROP VIEW IF EXISTS release_texts_decoded")
            try db.execute(sql: """
                CREATE TABLE index_log (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    release_id INTEGER NOT NULL
                );
                """)
        }
        m.registerMigration("v3-compressed-text") { db in
            // Bodies become zstd frames once the archive has trained a dictionary on its own
            // bodies (TextCodec, compactTexts); until then, and for rows not yet compacted, NULL
            // (found through the partial index). Not a foreign key: 0 means "plain on purpose".
            // Titles the same, in title_dictionary (NULL exactly when body_dictionary is).
            try db.execute(sql: """
                CREATE TABLE text_dictionaries (
                    id INTEGER PRIMARY KEY,
                    dictionary BLOB NOT NULL,
                    samples INTEGER NOT NULL,
                    created_at INTEGER NOT NULL
                );
                ALTER TABLE release_texts ADD COLUMN body_dictionary INTEGER;
                ALTER TABLE release_texts ADD COLUMN title_dictionary INTEGER;
                CREATE INDEX release_texts_uncompressed ON release_texts(id) WHERE body_dictionary IS NULL;
                """)
        }
        m.registerMigration("v4-category-names") { db in
            // Categories were stored as found: two spellings of one slug were two rows of stats,
            // and a name the catalogue does not list had no slug. Every distinct (name, slug)
            // is rewritten as a newly parsed release would now get it (a few dozen UPDATEs over
            // the category index). Superseded versions (JSON) and the index's segments keep
            // theirs and are normalised where they are read (`get`, `categoryFilter`, facets).
            try Self.normaliseStoredCategories(db)
        }
        m.registerMigration("v5-typed-entities") { db in
            try migrateToTypedEntities(db)
        }
        m.registerMigration("v6-near-duplicates") { db in
            // Issue 16: each release's MinHash signature (64 little-endian u16, or empty when
            // the text is too short to compare) and its near-duplicate group (the id of the
            // release that started it). Rows of releases stored before are backfilled in the
            // background (NearDuplicates.swift).
            try db.execute(sql: """
                CREATE TABLE near_duplicates (
                    id INTEGER PRIMARY KEY REFERENCES releases(id) ON DELETE CASCADE,
                    signature BLOB NOT NULL,
                    group_id INTEGER NOT NULL
                );
                CREATE INDEX near_duplicates_group ON near_duplicates(group_id);
                """)
        }
        m.registerMigration("v7-saved-searches") { db in
            // Issue 17. applied_log gives every release a batch inserts or changes the next
            // position, in the batch's transaction, and keeps it (unlike index_log, emptied as the
            // index's files cover it): watches and `saved run --since-last` resume from it after
            // any restart. Releases stored before this migration get positions in storing order.
            try db.execute(sql: """
                CREATE TABLE applied_log (
                    position INTEGER PRIMARY KEY AUTOINCREMENT,
                    release_id INTEGER NOT NULL,
                    updated INTEGER NOT NULL
                );
                INSERT INTO applied_log(release_id, updated) SELECT id, 0 FROM releases ORDER BY stored_at, id;
                CREATE TABLE saved_searches (
                    uid INTEGER NOT NULL,
                    name TEXT NOT NULL,
                    query TEXT NOT NULL,
                    from_days INTEGER,
                    to_days INTEGER,
                    categories TEXT NOT NULL,
                    language TEXT,
                    whole_words INTEGER NOT NULL,
                    last_run_position INTEGER NOT NULL,
                    created_at INTEGER NOT NULL,
                    PRIMARY KEY (uid, name)
                ) WITHOUT ROWID;
                """)
        }
        return m
    }

    // MARK: - Apply

    /// A batch with the work that needs no database done: bodies joined, compact blobs, and the
    /// search streams of every title and body. Thread-safe and pure, so the query service prepares
    /// the next batch on another thread while the writer commits the current one.
    package struct PreparedBatch: Sendable {
        struct Item: Sendable {
            var sequence: UInt64
            var release: Release
            var body: String
            var titleBlob: Data
            var titleDictionary: Int64?
            var bodyBlob: Data
            var bodyDictionary: Int64?
            var document: IndexDocument
            /// Typed names (`NameExtractor`), for `release_names`.
            var entities: [Entity]
            /// Word 3-shingles and their MinHash signature (NearDuplicates.swift), from the same
            /// tokens as the document's word starts.
            var shingles: [UInt32]
            var signature: [UInt32]
        }
        var items: [Item]
        package var count: Int { items.count }
    }

    /// Prepares a batch on up to `prepareThreads` threads, in contiguous chunks kept in order: the
    /// Thai analysis is most of an ingest's CPU, and the writer and the ingester leave a core
    /// idle part of the time.
    package func prepare(_ items: [(sequence: UInt64, release: Release)]) -> PreparedBatch {
        let texts = texts
        let workers = min(Self.prepareThreads, items.count / Self.prepareChunkMinimum)
        guard workers > 1 else { return PreparedBatch(items: items.map { Self.prepareItem($0.sequence, $0.release, texts) }) }
        let chunks = Mutex([[PreparedBatch.Item]](repeating: [], count: workers))
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let lo = items.count * w / workers, hi = items.count * (w + 1) / workers
            let part = items[lo..<hi].map { Self.prepareItem($0.sequence, $0.release, texts) }
            chunks.withLock { $0[w] = part }
        }
        return PreparedBatch(items: chunks.withLock { $0.flatMap { $0 } })
    }

    static let prepareThreads = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Memory segments may hold this many flushes' worth of documents before the writer
    /// flushes them itself (see `apply`): a cap on memory, not the pace. Flushing during the
    /// load costs its CPU inside the load: with a cap of 2 (8,192 documents) the whole-corpus
    /// ingest took 45 s instead of 29-31 s, with 4 42-45 s, the peak memory 700-790 MB instead
    /// of 890-930 MB (BENCHMARKS.md, "Session 7"). 16 (65,536 documents, about 800 MB of
    /// memory segments) leaves today's corpus to the background and stops a larger one growing
    /// without bound.
    static let memoryFlushesBehind = 16
    /// Fewer releases than this per thread are prepared on the calling thread alone.
    static let prepareChunkMinimum = 16

    private static func prepareItem(_ sequence: UInt64, _ release: Release, _ texts: TextCodec) -> PreparedBatch.Item {
        var release = release
        // A record journaled before category names were normalised (by an older ingester)
        // is stored as a new one would be.
        release.category = CategoryCatalog.normalised(release.category)
        let body = release.paragraphs.joined(separator: "\n")
        let (titleBlob, titleDictionary, bodyBlob, bodyDictionary) = texts.encode(title: release.title, body: body)
        // The analyser runs once per text: its words give both the index's word starts and
        // the near-duplicate shingles.
        let titleTokens = ThaiAnalyzer.shared.words(release.title), bodyTokens = ThaiAnalyzer.shared.words(body)
        let shingles = MinHash.shingles(title: titleTokens, body: bodyTokens)
        let title = SearchText.streamAndWordStarts(release.title, tokens: titleTokens)
        let bodyStream = SearchText.streamAndWordStarts(body, tokens: bodyTokens)
        let document = IndexDocument(releaseID: release.id, days: Int32(release.published.daysSinceEpoch),
                                     categoryName: release.category.name, categorySlug: release.category.slug,
                                     language: Self.languageCode(release.language), title: title.scalars, body: bodyStream.scalars,
                                     titleWords: title.wordStarts, bodyWords: bodyStream.wordStarts)
        let entities = NameExtractor.extract(title: release.title, paragraphs: release.paragraphs, people: release.entities,
                                             tokens: NameExtractor.paragraphTokens(bodyTokens, paragraphs: release.paragraphs).map { [titleTokens] + $0 })
        return PreparedBatch.Item(sequence: sequence, release: release, body: body, titleBlob: titleBlob, titleDictionary: titleDictionary,
                                  bodyBlob: bodyBlob, bodyDictionary: bodyDictionary, document: document, entities: entities,
                                  shingles: shingles, signature: MinHash.signature(shingles))
    }

    static func document(_ r: Release, body: String) -> IndexDocument {
        document(id: r.id, days: r.published.daysSinceEpoch, category: r.category, language: r.language, title: r.title, body: body)
    }

    /// What the index stores of a release: its fields, and the search streams and word starts of
    /// its title and body (`body` is the paragraphs joined by newlines).
    static func document(id: Int64, days: Int, category: Category, language: Language, title: String, body: String) -> IndexDocument {
        let t = SearchText.streamAndWordStarts(title, tokens: ThaiAnalyzer.shared.words(title))
        let b = SearchText.streamAndWordStarts(body, tokens: ThaiAnalyzer.shared.words(body))
        return IndexDocument(releaseID: id, days: Int32(days), categoryName: category.name,
                             categorySlug: category.slug, language: languageCode(language),
                             title: t.scalars, body: b.scalars, titleWords: t.wordStarts, bodyWords: b.wordStarts)
    }

    static func languageCode(_ l: Language) -> UInt8 { l == .th ? 0 : 1 }

    package func apply(source: String, items: [(sequence: UInt64, release: Release)]) throws -> ApplyOutcome {
        try apply(source: source, prepared: prepare(items))
    }

    /// Commits the batch, then puts its new and changed releases into the search index before
    /// returning: once the caller answers, they are searchable.
    package func apply(source: String, prepared: PreparedBatch) throws -> ApplyOutcome {
        let now = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        defer { checkpointer?.committed() }
        commitOrder.lock()
        let written: (ApplyOutcome, [Int], ClosedRange<Int64>?, [(position: UInt64, updated: Bool)])
        do { written = try write(source: source, prepared: prepared, now: now) } catch {
            commitOrder.unlock()
            throw error
        }
        let (outcome, changed, logged, positions) = written
        var added: Segment?
        if let logged { added = index.add(changed.map { prepared.items[$0].document }, sequences: logged) }
        // Still in commit order: the hub matches batches in the order of their positions.
        if !changed.isEmpty && alerts.isActive {
            alerts.applied(zip(changed, positions).map { k, p in
                let item = prepared.items[k]
                return AppliedRelease(position: p.position, updated: p.updated, release: item.release, body: item.body,
                                      document: item.document, storedAt: now)
            }, segment: added)
        }
        commitOrder.unlock()
        if !changed.isEmpty {
            if index.directory != nil && index.memoryDocuments >= index.flushDocuments * Self.memoryFlushesBehind {
                // Back-pressure: the maintenance thread (nice 10) falls behind a bulk load on a
                // busy machine, and memory segments piled up to most of the corpus (115 of them,
                // 770 MB, when they were heap buffers; now spill files in the page cache, but each
                // is still indexed again at a start after a kill). Past this point the writer
                // flushes itself, at its own priority, before it answers, so the ingester waits
                // and the backlog stays bounded.
                do { try index.maintain() } catch {
                    logger.error("search index maintenance failed", metadata: ["error": "\(error)"])
                }
                HeapTrim.returnFreedMemory()
            } else if index.needsMaintenance {
                maintenance.schedule(index, logger: logger)
            }
            // Bodies stored uncompressed (no dictionary yet): train once there are enough.
            if changed.contains(where: { prepared.items[$0].bodyDictionary == nil }) { scheduleTextCompaction() }
        }
        return outcome
    }

    /// Writes the batch in one transaction; returns the outcome, the items indexed anew and the
    /// index-log sequences written (nil when none).
    private func write(source: String, prepared: PreparedBatch, now: Int64) throws
        -> (ApplyOutcome, [Int], ClosedRange<Int64>?, [(position: UInt64, updated: Bool)]) {
        let covered = index.coveredSequence
        return try pool.write { db in
            var outcome = ApplyOutcome()
            var changed: [Int] = []
            var logged: ClosedRange<Int64>?
            var positions: [(position: UInt64, updated: Bool)] = []
            let stored = try Self.appliedSequence(db, source)
            var position = stored
            var addedText: Int64 = 0
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            func log(_ id: Int64, _ k: Int, updated: Bool) throws {
                try db.cachedStatement(sql: "INSERT INTO index_log(release_id) VALUES (?)").execute(arguments: [id])
                let seq = db.lastInsertedRowID
                logged = (logged?.lowerBound ?? seq)...seq
                changed.append(k)
                try db.cachedStatement(sql: "INSERT INTO applied_log(release_id, updated) VALUES (?, ?)").execute(arguments: [id, updated])
                positions.append((UInt64(db.lastInsertedRowID), updated))
            }
            for (k, item) in prepared.items.enumerated() {
                let (sequence, release, body) = (item.sequence, item.release, item.body)
                guard sequence > stored else { outcome.skipped += 1; continue }
                position = max(position, sequence)
                let textBytes = Int64(release.title.utf8.count + body.utf8.count)
                let existing = try Row.fetchOne(
                    db.cachedStatement(sql: "SELECT content_hash, version, stored_at, text_bytes FROM releases WHERE id = ?"),
                    arguments: [release.id])
                guard let existing else {
                    try Self.insertRow(db, release, body: body, textBytes: textBytes, version: 1, now: now)
                    try db.cachedStatement(sql: """
                        INSERT INTO release_texts(id, title, body, title_dictionary, body_dictionary) VALUES (?, ?, ?, ?, ?)
                        """).execute(arguments: [release.id, item.titleBlob, item.bodyBlob, item.titleDictionary, item.bodyDictionary])
                    try Self.storeEntities(db, release.id, item.entities, texts: texts)
                    try log(release.id, k, updated: false)
                    try assignNearDuplicate(db, id: release.id, shingles: item.shingles, signature: item.signature)
                    addedText += textBytes
                    outcome.inserted += 1
                    continue
                }
                let oldHash: String = existing[0]
                if oldHash == release.contentHash { outcome.duplicates += 1; continue }
                // A new version: keep the old one whole, then replace the current row.
                let oldVersion: Int = existing[1]
                let oldStoredAt: Int64 = existing[2]
                let oldTextBytes: Int64 = existing[3]
                guard let old = try Self.loadRelease(db, texts, id: release.id) else {
                    throw DatabaseError(message: "\(path): release \(release.id) has a row but no text")
                }
                try db.cachedStatement(sql: """
                    INSERT INTO release_versions(release_id, version, content_hash, stored_at, release) VALUES (?, ?, ?, ?, ?)
                    """).execute(arguments: [release.id, oldVersion, oldHash, oldStoredAt, try encoder.encode(old)])
                try db.cachedStatement(sql: """
                    UPDATE releases SET published_days = ?, language = ?, category_name = ?, category_slug = ?,
                        version = ?, stored_at = ?, content_hash = ?, text_bytes = ?, source_url = ?, entities = ?
                    WHERE id = ?
                    """).execute(arguments: [
                        release.published.daysSinceEpoch, release.language.rawValue, release.category.name,
                        release.category.slug, oldVersion + 1, now, release.contentHash, textBytes,
                        release.sourceURL, Self.joinEntities(release.entities), release.id,
                    ])
                try db.cachedStatement(sql: "UPDATE release_texts SET title = ?, body = ?, title_dictionary = ?, body_dictionary = ? WHERE id = ?")
                    .execute(arguments: [item.titleBlob, item.bodyBlob, item.titleDictionary, item.bodyDictionary, release.id])
                try Self.storeEntities(db, release.id, item.entities, texts: texts)
                try log(release.id, k, updated: true)
                try assignNearDuplicate(db, id: release.id, shingles: item.shingles, signature: item.signature)
                addedText += textBytes - oldTextBytes
                outcome.updated += 1
            }
            if addedText != 0 {
                try db.cachedStatement(sql: "UPDATE archive_totals SET text_bytes = text_bytes + ? WHERE one = 1")
                    .execute(arguments: [addedText])
            }
            if position != stored {
                try db.cachedStatement(sql: """
                    INSERT INTO positions(source, applied_sequence) VALUES (?, ?)
                    ON CONFLICT(source) DO UPDATE SET applied_sequence = excluded.applied_sequence
                    """).execute(arguments: [source, Int64(bitPattern: position)])
            }
            // What the index's files cover need not be indexed again after a restart.
            if covered > 0 {
                try db.cachedStatement(sql: "DELETE FROM index_log WHERE seq <= ?").execute(arguments: [covered])
            }
            outcome.appliedSequence = position
            return (outcome, changed, logged, positions)
        }
    }

    private static func insertRow(_ db: Database, _ r: Release, body: String, textBytes: Int64, version: Int, now: Int64) throws {
        try db.cachedStatement(sql: """
            INSERT INTO releases(id, published_days, language, category_name, category_slug, version, stored_at,
                content_hash, text_bytes, source_url, entities) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                r.id, r.published.daysSinceEpoch, r.language.rawValue, r.category.name, r.category.slug, version, now,
                r.contentHash, textBytes, r.sourceURL, joinEntities(r.entities),
            ])
    }

    // Entities are names; none contains a newline, so a newline-joined column is enough.
    static func joinEntities(_ e: [String]) -> String { e.joined(separator: "\n") }
    static func splitEntities(_ s: String) -> [String] {
        s.isEmpty ? [] : s.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    package func appliedSequence(source: String) throws -> UInt64 {
        try pool.read { db in try Self.appliedSequence(db, source) }
    }

    /// The furthest journal position applied from any source (one ingester in the usual setup).
    package func highestAppliedSequence() throws -> UInt64 {
        try pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT max(applied_sequence) FROM positions").map { UInt64(bitPattern: $0) } ?? 0
        }
    }

    static func appliedSequence(_ db: Database, _ source: String) throws -> UInt64 {
        let v = try Int64.fetchOne(db.cachedStatement(sql: "SELECT applied_sequence FROM positions WHERE source = ?"),
                                   arguments: [source])
        return v.map { UInt64(bitPattern: $0) } ?? 0
    }

    // MARK: - Reads

    static func loadRelease(_ db: Database, _ texts: TextCodec, id: Int64) throws -> Release? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT r.id, r.published_days, r.language, r.category_name, r.category_slug, r.content_hash,
                   r.source_url, r.entities, t.title, t.body, t.title_dictionary, t.body_dictionary
            FROM releases r JOIN release_texts t ON t.id = r.id WHERE r.id = ?
            """), arguments: [id]) else { return nil }
        let title = try texts.decode(row, blob: 8, dictionary: 10, release: id)
        let body = try texts.decode(row, blob: 9, dictionary: 11, release: id)
        return Release(
            id: row[0], sourceURL: row[6], title: title,
            published: CivilDate(daysSinceEpoch: row[1]),
            category: Category(name: row[3], slug: row[4]),
            language: try language(row[2], id: id),
            paragraphs: body.isEmpty ? [] : body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init),
            entities: splitEntities(row[7]),
            contentHash: row[5])
    }

    static func language(_ raw: String, id: Int64) throws -> Language {
        guard let l = Language(rawValue: raw) else {
            throw DatabaseError(message: "release \(id): unknown language '\(raw)' in column releases.language")
        }
        return l
    }

    package func get(id: Int64, includeVersions: Bool) throws -> StoredRelease? {
        try pool.read { db in
            guard let release = try Self.loadRelease(db, texts, id: id),
                  let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT version, stored_at FROM releases WHERE id = ?"), arguments: [id])
            else { return nil }
            var stored = StoredRelease(release: release, version: row[0], storedAt: row[1], versions: [])
            if includeVersions {
                let decoder = JSONDecoder()
                let rows = try Row.fetchAll(db.cachedStatement(sql: """
                    SELECT version, content_hash, stored_at, release FROM release_versions WHERE release_id = ? ORDER BY version
                    """), arguments: [id])
                for r in rows {
                    let data: Data = r[3]
                    var old: Release
                    do { old = try decoder.decode(Release.self, from: data) } catch {
                        throw DatabaseError(message: "release \(id) version \(r[0] as Int): bad JSON in release_versions.release: \(error)")
                    }
                    // Stored as it was then; shown under today's name for its category.
                    old.category = CategoryCatalog.normalised(old.category)
                    stored.versions.append(StoredVersion(version: r[0], contentHash: r[1], storedAt: r[2], release: old))
                }
                stored.versions.append(StoredVersion(version: stored.version, contentHash: release.contentHash, storedAt: stored.storedAt, release: release))
            }
            return stored
        }
    }

    package func latest(limit: Int) throws -> [SearchResultHit] {
        let limit = min(max(limit, 1), SearchQuery.maxLimit)
        return try pool.read { db in
            let ids = try Int64.fetchAll(db.cachedStatement(sql: "SELECT id FROM releases ORDER BY published_days DESC, id DESC LIMIT ?"),
                                         arguments: [limit])
            return try ids.compactMap { try Self.hit(db, texts, id: $0, score: 0, needles: []) }
        }
    }

    /// A result row with its snippet: from the body around the first match, or the title when
    /// only the title matches, or the body's opening when nothing is highlighted (latest).
    static func hit(_ db: Database, _ texts: TextCodec, id: Int64, score: Double, needles: [[UInt32]]) throws -> SearchResultHit? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT r.published_days, r.language, r.category_name, r.category_slug, r.source_url, t.title, t.body,
                   t.title_dictionary, t.body_dictionary
            FROM releases r JOIN release_texts t ON t.id = r.id WHERE r.id = ?
            """), arguments: [id]) else { return nil }
        let title = try texts.decode(row, blob: 5, dictionary: 7, release: id)
        let body = try texts.compact(row, blob: 6, dictionary: 8, release: id)
        let (snippet, highlights) = Snippet.make(compact: body, needles: needles)
            ?? Snippet.make(text: title, needles: needles)
            ?? Snippet.opening(body.isEmpty ? title : CompactText.decode(body))
        return SearchResultHit(
            id: id, title: title, published: CivilDate(daysSinceEpoch: row[0]),
            category: Category(name: row[2], slug: row[3]), language: try language(row[1], id: id),
            score: score, snippet: snippet, highlights: highlights, sourceURL: row[4])
    }

    // MARK: - Maintenance

    package func stats() throws -> ArchiveStats {
        var stats = try pool.read { db -> ArchiveStats in
            let releases = try Int.fetchOne(db, sql: "SELECT count(*) FROM releases") ?? 0
            let old = try Int.fetchOne(db, sql: "SELECT count(*) FROM release_versions") ?? 0
            let text = try Int64.fetchOne(db, sql: "SELECT text_bytes FROM archive_totals") ?? 0
            let range = try Row.fetchOne(db, sql: "SELECT min(published_days), max(published_days) FROM releases")
            let cats = Self.mergedCategories(try Row.fetchAll(db, sql: """
                SELECT category_name, category_slug, count(*) FROM releases GROUP BY category_name, category_slug
                """).map { (Category(name: $0[0], slug: $0[1]), $0[2] as Int) })
            let langs = try Row.fetchAll(db, sql: "SELECT language, count(*) FROM releases GROUP BY language")
                .map { StoreFacet(key: $0[0], label: $0[0], count: $0[1]) }
            return ArchiveStats(
                releases: releases, versions: releases + old, databaseBytes: 0, textBytes: UInt64(max(text, 0)),
                firstPublished: (range?[0] as Int?).map(CivilDate.init(daysSinceEpoch:)),
                lastPublished: (range?[1] as Int?).map(CivilDate.init(daysSinceEpoch:)),
                categories: Self.sortFacets(cats), languages: Self.sortFacets(langs))
        }
        stats.databaseBytes = fileSize(path) + fileSize(path + "-wal") + UInt64(index.stats.fileBytes)
        return stats
    }

    static func sortFacets(_ f: [StoreFacet]) -> [StoreFacet] {
        f.sorted { ($0.count, $1.key) > ($1.count, $0.key) }
    }

    private func fileSize(_ p: String) -> UInt64 {
        ((try? FileManager.default.attributesOfItem(atPath: p))?[.size] as? NSNumber)?.uint64Value ?? 0
    }

    /// `PRAGMA integrity_check` on the file, then the search index against the store: every
    /// stored release is in the index exactly once (live), and nothing else is.
    package func integrityCheck() throws -> (ok: Bool, detail: String) {
        let lines = try pool.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
        if lines != ["ok"] { return (false, "integrity_check: " + lines.prefix(20).joined(separator: "; ")) }
        let (stored, live) = try pool.read { db in
            // The snapshot is taken inside the read, so no batch commits between the two.
            (Set(try Int64.fetchAll(db, sql: "SELECT id FROM releases")), index.liveReleaseIDs())
        }
        let liveSet = Set(live)
        if live.count != liveSet.count {
            return (false, "integrity_check: ok; search index: \(live.count - liveSet.count) releases are live twice")
        }
        if liveSet != stored {
            let missing = stored.subtracting(liveSet).sorted().prefix(10), extra = liveSet.subtracting(stored).sorted().prefix(10)
            return (false, "integrity_check: ok; search index: \(stored.subtracting(liveSet).count) stored releases missing "
                + "(e.g. \(Array(missing))), \(liveSet.subtracting(stored).count) unknown (e.g. \(Array(extra)))")
        }
        let st = index.stats
        return (true, "integrity_check: ok; search index: ok (\(live.count) releases in \(st.segments) segments)")
    }

    /// Writes the index's memory segments to files and merges small files, then hands free pages
    /// back: call after a bulk load.
    package func optimize() throws {
        try index.maintain(force: true)
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA incremental_vacuum")
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
    }

    /// A consistent online copy (VACUUM INTO) at `path`, which must not exist. Returns its size.
    package func backup(to target: String) throws -> UInt64 {
        if FileManager.default.fileExists(atPath: target) {
            throw DatabaseError(message: "backup target \(target) already exists")
        }
        // A reader sees one snapshot, so writers keep going while the copy is made.
        try pool.unsafeReentrantRead { db in try db.execute(sql: "VACUUM INTO ?", arguments: [target]) }
        return fileSize(target)
    }

    /// False when the store was opened read-only or the file cannot take a write lock now.
    package func checkWritable() -> Bool {
        guard !readOnly, FileManager.default.isWritableFile(atPath: path) else { return false }
        do {
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "BEGIN IMMEDIATE")
                try db.execute(sql: "ROLLBACK")
            }
            return true
        } catch {
            logger.warning("release store not writable", metadata: ["path": "\(path)", "error": "\(error)"])
            return false
        }
    }
}
