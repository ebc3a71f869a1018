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
    private let pending = Mutex<(keys: Set<FeedKey>, scheduled: Bool)>(([], false))

    package init(directory: String, store: ReleaseStore, ownUID: UInt32, logger: Logger) {
        self.directory = directory
        self.store = store
        self.ownUID = ownUID
        self.logger = logger
    }

    /// Follows the store's saved searches from now on, and writes every feed once.
    package func start() throws {
        store.alerts.setFeedSink { [weak self] keys in self?.changed(keys) }
        changed(Set(try store.allSavedSearches().map { FeedKey(uid: $0.uid, name: $0.search.name) }))
    }

    func changed(_ keys: Set<FeedKey>) {
        let schedule = pending.withLock { p -> Bool in
            p.keys.formUnion(keys)
            if p.scheduled { return false }
            p.scheduled = true
            return true
        }
        // A short wait gathers the batches of a bulk load into one rewrite per feed.
        if schedule { queue.asyncAfter(deadline: .now() + Self.gather) { self.flush() } }
    }

    /// Waits for the rewrites asked for so far (tests).
    package func drain() {
        store.alerts.drain()
        while pending.withLock({ $0.scheduled }) { usleep(5_000) }
        queue.sync {}
    }

    private func flush() {
        let keys = pending.withLock { p -> Set<FeedKey> in
            defer { p = ([], false) }
            return p.keys
        }
        for key in keys.sorted(by: { ($0.uid, $0.name) < ($1.uid, $1.name) }) {
            do { try write(key) } catch {
                logger.warning("feed not written", metadata: ["feed": "\(path(key))", "error": "\(error)"])
            }
        }
    }

    package func path(_ key: FeedKey) -> String {
        key.uid == ownUID ? "\(directory)/\(key.name).atom" : "\(directory)/uid-\(key.uid)/\(key.name).atom"
    }

    private func write(_ key: FeedKey) throws {
        let file = path(key)
        guard let saved = try store.savedSearches(uid: key.uid, name: key.name).first else {
            if unlink(file) != 0 && errno != ENOENT { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            return
        }
        let entries = try store.feedEntries(try StandingQuery(saved), limit: Self.entries)
        let dir = (file as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        try Self.atomicWrite(Array(Self.render(saved, entries).utf8), to: file)
    }

    static func render(_ s: SavedSearch, _ entries: [(hit: SearchResultHit, storedAt: Int64)]) -> String {
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
        for (h, storedAt) in entries {
            let id = h.sourceURL.isEmpty ? "urn:khaosan:release:\(h.id)" : h.sourceURL
            o += "  <entry>\n"
            o += "    <id>\(escape(id))</id>\n"
            o += "    <title>\(escape(h.title))</title>\n"
            if !h.sourceURL.isEmpty { o += "    <link rel=\"alternate\" href=\"\(escape(h.sourceURL))\"/>\n" }
            o += "    <published>\(h.published.description)T00:00:00+07:00</published>\n"
            o += "    <updated>\(timestamp(storedAt))</updated>\n"
            o += "    <category term=\"\(escape(h.category.slug ?? h.category.name))\" label=\"\(escape(h.category.name))\"/>\n"
            o += "    <summary>\(escape(h.snippet))</summary>\n"
            o += "  </entry>\n"
        }
        o += "</feed>\n"
        return o
    }

    static func escape(_ s: String) -> String {
        var o = ""
        o.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": o += "&amp;"
            case "<": o += "&lt;"
            case ">": o += "&gt;"
            case "\"": o += "&quot;"
            // Characters XML 1.0 does not allow at all.
            case "\u{0}"..."\u{8}", "\u{B}", "\u{C}", "\u{E}"..."\u{1F}", "\u{FFFE}", "\u{FFFF}": continue
            default: o.unicodeScalars.append(c)
            }
        }
        return o
    }

    /// RFC 3339 in UTC, millisecond precision.
    static func timestamp(_ ms: Int64) -> String {
        let seconds = Double(ms) / 1000
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: Date(timeIntervalSince1970: seconds))
    }

    static func atomicWrite(_ bytes: [UInt8], to path: String) throws {
        let tmp = path + ".tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        var ok = true
        var off = 0
        while ok && off < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + off, $0.count - off) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { ok = false } else { off += n }
        }
        if ok && fsync(fd) != 0 { ok = false }
        let err = errno
        close(fd)
        guard ok else {
            unlink(tmp)
            throw POSIXError(POSIXErrorCode(rawValue: err) ?? .EIO)
        }
        guard rename(tmp, path) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        let dfd = open((path as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            fsync(dfd)
            close(dfd)
        }
    }
}

extension ReleaseStore {
    /// A feed's entries: the query's newest matches by publication day, with when their current
    /// version was stored (Unix ms).
    func feedEntries(_ query: StandingQuery, limit: Int) throws -> [(hit: SearchResultHit, storedAt: Int64)] {
        var request = query.request(limit: limit)
        request.sort = .newest
        let r = try index.search(request, parallelism: 1)
        return try pool.read { db in
            try r.hits.compactMap { h in
                guard let hit = try Self.hit(db, texts, id: h.releaseID, score: 0, needles: query.compiled.positivePhrases),
                      let storedAt = try Int64.fetchOne(db.cachedStatement(sql: "SELECT stored_at FROM releases WHERE id = ?"), arguments: [h.releaseID])
                else { return nil }
                return (hit, storedAt)
            }
        }
    }
}
