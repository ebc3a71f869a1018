import Dispatch
import Foundation
import GRDB
import KhaosanIndex
import KhaosanModel
import KhaosanWire
package import Logging
import Synchronization

/// An Atom feed per saved search (RFC 4287), `<directory>/NAME.atom` for the daemon's own uid
/// and `<directory>/uid-N/NAME.atom` for another's, rewritten whole (temp file, fsync, rename,
/// fsync of the directory) after each batch that brings the search a match, so a reader never
/// sees half a file. Entries: the 50 newest matches by publication day, id = the source URL,
/// `updated` = when the current version was stored. Rewrites run on a queue of their own, a
/// pass 200 ms after the first batch that marks a feed; searches marked until then (or while
/// a pass runs) are gathered into one pass, so a burst of batches costs one rewrite per search,
/// not one per batch.
package final class AtomFeeds: Sendable {
    package static let entries = 50
    /// How long a rewrite waits for more batches to mark the same feeds.
    static let gather: DispatchTimeInterval = .milliseconds(200)
    let directory: String
    let store: ReleaseStore
    let ownUID: UInt32
    let logger: Logger
    private let queue = DispatchQueue(label: "khaosan-feeds", qos: .utility)
    private struct Pending {
        /// Feeds to build from a search of the archive (new, replaced or deleted searches).
        var reload: Set<FeedKey> = []
        /// The matches batches brought each feed since the last pass.
        var matched: [FeedKey: [FeedEntry]] = [:]
        /// Every release those batches changed: one that no longer matches leaves its feeds.
        var touched: Set<Int64> = []
        var scheduled = false
    }

    private let pending = Mutex(Pending())
    /// Each feed as last written (its search and entries), so a batch's matches are merged in
    /// rather than the archive searched again per feed. Touched on the feed queue only.
    private let written = Mutex<[FeedKey: (search: SavedSearch, entries: [FeedEntry])]>([:])

    package init(directory: String, store: ReleaseStore, ownUID: UInt32, logger: Logger) {
        self.directory = directory
        self.store = store
        self.ownUID = ownUID
        self.logger = logger
    }

    /// Follows the store's saved searches from now on, and writes every feed once.
    package func start() throws {
        store.alerts.setFeedSink { [weak self] update in self?.changed(update) }
        changed(.reload(Set(try store.allSavedSearches().map { FeedKey(uid: $0.uid, name: $0.search.name) })))
    }

    func changed(_ update: FeedUpdate) {
        let schedule = pending.withLock { p -> Bool in
            switch update {
            case .reload(let keys): p.reload.formUnion(keys)
            case .matched(let m, let touched):
                // A match an earlier batch brought that this batch changed into a non-match.
                for (k, e) in p.matched where e.contains(where: { old in touched.contains(old.id) && !(m[k] ?? []).contains { $0.id == old.id } }) {
                    p.reload.insert(k)
                }
                for (k, e) in m { p.matched[k, default: []] += e }
                p.touched.formUnion(touched)
            }
            if p.scheduled { return false }
            p.scheduled = true
            return true
        }
        // A short wait gathers the batches of a bulk load into one rewrite per feed.
        // Nice 10, as index maintenance: a feed may trail a bulk load; the load must not wait.
        if schedule {
            queue.asyncAfter(deadline: .now() + Self.gather) {
                IndexMaintenance.lowerPriority()
                self.flush()
            }
        }
    }

    /// Waits for the rewrites asked for so far (tests).
    package func drain() {
        store.alerts.drain()
        while pending.withLock({ $0.scheduled }) { usleep(5_000) }
        queue.sync {}
    }

    private func flush() {
        let work = pending.withLock { p -> Pending in
            defer { p = Pending() }
            return p
        }
        let keys = work.reload.union(work.matched.keys)
        // Every temp file of the pass first, then one syncfs for all of them, then the renames
        // and one fsync per directory: a thousand feeds cost one journal commit, not a thousand
        // fsyncs, and each file is still on disk before its rename makes it the feed.
        var written: [(tmp: String, file: String)] = []
        var syncFD: Int32 = -1
        for key in keys.sorted(by: { ($0.uid, $0.name) < ($1.uid, $1.name) }) {
            do {
                if let w = try prepare(key, reload: work.reload.contains(key), matched: work.matched[key] ?? [], touched: work.touched) {
                    written.append(w)
                    if syncFD < 0 { syncFD = open(w.tmp, O_RDONLY | O_CLOEXEC) }
                }
            } catch {
                logger.warning("feed not written", metadata: ["feed": "\(path(key))", "error": "\(error)"])
            }
        }
        guard !written.isEmpty else { return }
        if syncFD >= 0 {
            if let syncfs = Self.syncfs {
                if syncfs(syncFD) != 0 { logger.warning("syncfs of the feeds failed", metadata: ["errno": "\(errno)"]) }
            } else {
                for w in written {
                    let fd = open(w.tmp, O_RDONLY | O_CLOEXEC)
                    if fd >= 0 { fsync(fd); close(fd) }
                }
            }
            close(syncFD)
        }
        var dirs = Set<String>()
        for w in written {
            if rename(w.tmp, w.file) == 0 {
                dirs.insert((w.file as NSString).deletingLastPathComponent)
            } else {
                logger.warning("feed not renamed into place", metadata: ["feed": "\(w.file)", "errno": "\(errno)"])
                unlink(w.tmp)
            }
        }
        for d in dirs {
            let fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if fd >= 0 {
                fsync(fd)
                close(fd)
            }
        }
    }

    package func path(_ key: FeedKey) -> String {
        key.uid == ownUID ? "\(directory)/\(key.name).atom" : "\(directory)/uid-\(key.uid)/\(key.name).atom"
    }

    /// Writes the feed's temp file (not yet synced), or removes the feed of a deleted search.
    /// A feed known from its last pass takes the batches' matches merged into its entries;
    /// only a new or changed search, or a release that left it, costs a search of the archive.
    private func prepare(_ key: FeedKey, reload: Bool, matched: [FeedEntry], touched: Set<Int64>) throws -> (tmp: String, file: String)? {
        let file = path(key)
        let known = reload ? nil : written.withLock { $0[key] }
        var merged: (search: SavedSearch, entries: [FeedEntry])?
        if let known {
            let fresh = Set(matched.map(\.id))
            // A release of these batches that was in the feed and no longer matches: the feed
            // needs the archive's next match in its place.
            if !known.entries.contains(where: { touched.contains($0.id) && !fresh.contains($0.id) }) {
                var byID: [Int64: FeedEntry] = [:]
                for e in known.entries + matched { byID[e.id] = e }
                let entries = byID.values.sorted { ($0.published, $0.id) > ($1.published, $1.id) }
                merged = (known.search, Array(entries.prefix(Self.entries)))
            }
        }
        if merged == nil {
            guard let saved = try store.savedSearches(uid: key.uid, name: key.name).first else {
                written.withLock { $0[key] = nil }
                if unlink(file) != 0 && errno != ENOENT { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
                return nil
            }
            merged = (saved, try store.feedEntries(try StandingQuery(saved), limit: Self.entries))
        }
        let (saved, entries) = merged!
        written.withLock { $0[key] = (saved, entries) }
        let dir = (file as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        let tmp = file + ".tmp"
        try Self.writeFile(Array(Self.render(saved, entries).utf8), to: tmp)
        return (tmp, file)
    }

    static func render(_ s: SavedSearch, _ entries: [FeedEntry]) -> String {
        let updated = entries.map(\.storedAt).max() ?? s.createdAtUnixMs
        var o = """
            <?xml version="1.0" encoding="utf-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom">
              <id>urn:khaosan:saved-search:\(escape(s.name))</id>
              <title>\(escape("Khaosan: \(s.name) (\(s.query))"))</title>
              <updated>\(timestamp(updated))</updated>
              <author><name>Khaosan</name></author>
              <generator>khaosan-queryd</generator>

            """
        for h in entries {
            let id = h.sourceURL.isEmpty ? "urn:khaosan:release:\(h.id)" : h.sourceURL
            o += "  <entry>\n"
            o += "    <id>\(escape(id))</id>\n"
            o += "    <title>\(escape(h.title))</title>\n"
            if !h.sourceURL.isEmpty { o += "    <link rel=\"alternate\" href=\"\(escape(h.sourceURL))\"/>\n" }
            o += "    <published>\(h.published.description)T00:00:00+07:00</published>\n"
            o += "    <updated>\(timestamp(h.storedAt))</updated>\n"
            o += "    <category term=\"\(escape(h.category.slug ?? h.category.name))\" label=\"\(escape(h.category.name))\"/>\n"
            o += "  </entry>\n"
        }
        o += "</feed>\n"
        return o
    }

    static func escape(_ s: String) -> String { MarkupText.escape(s) }

    /// RFC 3339 in UTC, millisecond precision. By hand: a formatter made per timestamp (51 per
    /// feed, a thousand feeds a pass) was most of a pass's time.
    package static func timestamp(_ ms: Int64) -> String {
        let days = Int((Double(ms) / 86_400_000).rounded(.down))
        let inDay = Int(ms - Int64(days) * 86_400_000)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let milli = inDay % 1000
        let fraction = milli < 10 ? "00\(milli)" : milli < 100 ? "0\(milli)" : "\(milli)"
        return "\(CivilDate(daysSinceEpoch: days).description)T\(two(inDay / 3_600_000)):\(two(inDay / 60_000 % 60)):\(two(inDay / 1000 % 60)).\(fraction)Z"
    }

    /// glibc's syncfs(2), which Swift's Glibc module does not export (it is behind _GNU_SOURCE);
    /// nil where it is missing, and each file is fsync'ed instead.
    private static let syncfs: (@convention(c) (Int32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "syncfs") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Int32).self)
    }()

    /// Writes `bytes` to `path` (created or truncated); the caller syncs and renames it.
    static func writeFile(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(fd) }
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + off, $0.count - off) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let err = errno
                unlink(path)
                throw POSIXError(POSIXErrorCode(rawValue: err) ?? .EIO)
            }
            off += n
        }
    }
}

extension ReleaseStore {
    /// A feed's entries: the query's newest matches by publication day.
    func feedEntries(_ query: StandingQuery, limit: Int) throws -> [FeedEntry] {
        var request = query.request(limit: limit)
        request.sort = .newest
        let r = try index.search(request, parallelism: 1)
        return try pool.read { db in
            try r.hits.compactMap { h -> FeedEntry? in
                guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                    SELECT r.published_days, r.category_name, r.category_slug, r.source_url, r.stored_at, t.title, t.title_dictionary
                    FROM releases r JOIN release_texts t ON t.id = r.id WHERE r.id = ?
                    """), arguments: [h.releaseID]) else { return nil }
                return FeedEntry(id: h.releaseID, title: try texts.decode(row, blob: 5, dictionary: 6, release: h.releaseID),
                                 published: CivilDate(daysSinceEpoch: row[0]), category: Category(name: row[1], slug: row[2]),
                                 sourceURL: row[3], storedAt: row[4])
            }
        }
    }
}
