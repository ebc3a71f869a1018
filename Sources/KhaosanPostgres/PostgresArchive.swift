import Foundation
package import KhaosanModel
package import KhaosanQuery
package import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// The archive of record in a shared PostgreSQL (issue 19): releases, every version, applied
/// positions per ingester source, and the change feed (`changes`, a bigserial per stored version)
/// that every khaosan-queryd's `ArchiveFollower` reads into its own SQLite store and index.
///
/// Open it with `open` (connects once, migrates or checks the schema, says clearly what is
/// wrong), then run it as a Service: it keeps a LISTEN connection for the writers' NOTIFYs
/// (none on a hot standby, where followers poll). Each role has its own connection (writer,
/// reader), reopened after a failure, so a PostgreSQL restart fails the calls in flight with a
/// retryable error and the next ones reconnect.
package final class PostgresArchive: ArchiveStore, Service, CustomStringConvertible {
    package static let channel = "khaosan_changes"
    /// `pg_advisory_xact_lock` key for writing batches ("khaosanW").
    static let writeLockKey: Int64 = 0x6b68_616f_7361_6e57

    package let url: PostgresStoreURL
    package let logger: Logger
    /// The server was a hot standby when opened (read-only; no LISTEN).
    package let standby: Bool
    let configuration: PostgresConnection.Configuration
    let writer: PostgresSession
    let reader: PostgresSession

    private struct Notify {
        var generation = 0
        /// The newest change sequence a NOTIFY announced: a waiter behind it returns at once, so
        /// a notification that came between a follower's read and its wait is not lost.
        var announced: UInt64 = 0
        /// LISTEN is in place (what a NOTIFY needs to reach us).
        var listening = false
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextID = 0
    }
    private let notify = Mutex(Notify())

    package var kind: String { "postgres" }
    package var location: String { url.description }
    package var description: String { "KhaosanPostgres.PostgresArchive(\(url))" }

    private init(url: PostgresStoreURL, configuration: PostgresConnection.Configuration, standby: Bool, logger: Logger) {
        self.url = url
        self.configuration = configuration
        self.standby = standby
        self.logger = logger
        writer = PostgresSession(configuration: configuration, url: url, logger: logger)
        reader = PostgresSession(configuration: configuration, url: url, logger: logger)
    }

    /// Connects, migrates the schema (on a primary) or checks it (on a standby), and returns the
    /// archive. Every failure names the URL (never the password) and says what to do.
    package static func open(url: PostgresStoreURL, password: String?, logger: Logger) async throws -> PostgresArchive {
        let configuration = try connectionConfiguration(url: url, password: password)
        let probe = PostgresSession(configuration: configuration, url: url, logger: logger)
        let conn = try await probe.connect()
        do {
            let standby = try await conn.query("SELECT pg_is_in_recovery()", logger: logger).collect().first?.decode(Bool.self) ?? false
            let version = try await PostgresMigrations.run(conn, migrate: !standby, url: url, logger: logger)
            try? await conn.close()
            logger.info("PostgreSQL store open", metadata: ["store": "\(url)", "schema.version": "\(version)", "standby": "\(standby)"])
            return PostgresArchive(url: url, configuration: configuration, standby: standby, logger: logger)
        } catch {
            try? await conn.close()
            throw PostgresErrors.describe(error, url: url, doing: "opening")
        }
    }

    static func connectionConfiguration(url: PostgresStoreURL, password: String?) throws -> PostgresConnection.Configuration {
        var c: PostgresConnection.Configuration
        switch url.endpoint {
        case .unixSocket:
            c = .init(unixSocketPath: url.socketPath!, username: url.user, password: password, database: url.database)
        case let .tcp(host, port):
            let tls: PostgresConnection.Configuration.TLS
            switch url.tls {
            case .disable: tls = .disable
            case .require, .verifyFull:
                var t = TLSConfiguration.makeClientConfiguration()
                if url.tls == .require { t.certificateVerification = .none }
                if let file = url.rootCertificateFile { t.trustRoots = .file(file) }
                do { tls = .require(try NIOSSLContext(configuration: t)) } catch {
                    throw PostgresStoreError("PostgreSQL store \(url): TLS set-up failed: \(error)", kind: .precondition)
                }
            }
            c = .init(host: host, port: port, username: url.user, password: password, database: url.database, tls: tls)
        }
        c.options.connectTimeout = .seconds(5)
        return c
    }

    // MARK: - Service: notifications

    package func run() async throws {
        await cancelWhenGracefulShutdown { await self.listen() }
        await close()
        wakeAll()
    }

    /// Closes the writer's and the reader's connections (run() does at its end; PostgresNIO
    /// requires a connection to be closed before it is released). A later call reconnects.
    package func close() async {
        await writer.close()
        await reader.close()
    }

    /// Holds a LISTEN connection and wakes the waiters on each NOTIFY; reconnects with back-off.
    /// A hot standby refuses LISTEN: followers of one rely on polling.
    private func listen() async {
        if standby {
            logger.info("PostgreSQL store is a hot standby: no notifications, followers poll", metadata: ["store": "\(url)"])
            return
        }
        var backoff = Duration.milliseconds(200)
        let session = PostgresSession(configuration: configuration, url: url, logger: logger)
        while !Task.isCancelled {
            do {
                let conn = try await session.connect()
                backoff = .milliseconds(200)
                do {
                    try await conn.listen(on: Self.channel) { notifications in
                        // Changes made while we were not listening are found by this wake-up.
                        self.notify.withLock { $0.listening = true }
                        defer { self.notify.withLock { $0.listening = false } }
                        self.wakeAll()
                        for try await n in notifications { self.wakeAll(announcing: UInt64(n.payload) ?? 0) }
                    }
                } catch {
                    try? await conn.close()
                    throw error
                }
                try? await conn.close()
            } catch {
                if Task.isCancelled { return }
                logger.warning("PostgreSQL store: notifications lost; reconnecting", metadata: [
                    "store": "\(url)", "error": "\(PostgresErrors.describe(error, url: url, doing: "listening"))", "retry_in": "\(backoff)",
                ])
            }
            wakeAll()
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(5))
        }
    }

    private func wakeAll(announcing change: UInt64 = 0) {
        let waiters = notify.withLock { n -> [CheckedContinuation<Void, Never>] in
            n.generation += 1
            n.announced = max(n.announced, change)
            defer { n.waiters.removeAll() }
            return Array(n.waiters.values)
        }
        for w in waiters { w.resume() }
    }

    /// The newest change sequence a NOTIFY announced (0 before any, and on a standby).
    var announcedChange: UInt64 { notify.withLock { $0.announced } }
    var isListening: Bool { notify.withLock { $0.listening } }

    package func waitForChanges(after: UInt64, timeout: Duration) async {
        let id = notify.withLock { n -> Int in n.nextID += 1; return n.nextID }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                        let now = self.notify.withLock { n -> Bool in
                            if Task.isCancelled || n.announced > after { return true }
                            n.waiters[id] = c
                            return false
                        }
                        if now { c.resume() }
                    }
                } onCancel: {
                    self.notify.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
                }
            }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    // MARK: - ArchiveStore

    package func applyBatch(source: String, items: [(sequence: UInt64, release: Release)]) async throws -> ArchiveApplyOutcome {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let encoded = try items.map { (sequence: Int64(bitPattern: $0.sequence), release: $0.release, json: try encoder.encode($0.release)) }
        let logger = self.logger
        return try await writer.run("applying a batch") { conn in
            try await conn.query("BEGIN", logger: logger)
            do {
                let result = try await Self.write(conn, source: source, items: encoded, logger: logger)
                try await conn.query("COMMIT", logger: logger)
                return result
            } catch {
                _ = try? await conn.query("ROLLBACK", logger: logger)
                throw error
            }
        }
    }

    private static func write(_ conn: PostgresConnection, source: String, items: [(sequence: Int64, release: Release, json: Data)],
                              logger: Logger) async throws -> ArchiveApplyOutcome {
        // One writer at a time from first change to commit: change sequences commit in order.
        try await conn.query("SELECT pg_advisory_xact_lock(\(writeLockKey))", logger: logger)
        let stored = try await conn.query("SELECT applied_sequence FROM positions WHERE source = \(source)", logger: logger)
            .collect().first?.decode(Int64.self) ?? 0
        var outcome = ApplyOutcome()
        var position = stored
        var changed = false
        for item in items {
            guard UInt64(bitPattern: item.sequence) > UInt64(bitPattern: stored) else { outcome.skipped += 1; continue }
            position = max(position, item.sequence)
            let r = item.release
            let existing = try await conn.query("SELECT version, content_hash FROM releases WHERE id = \(r.id)", logger: logger)
                .collect().first?.decode((Int64, String).self)
            let version: Int64
            if let existing {
                if existing.1 == r.contentHash { outcome.duplicates += 1; continue }
                version = existing.0 + 1
            } else {
                version = 1
            }
            let published = String(format: "%04d-%02d-%02d", r.published.year, r.published.month, r.published.day)
            try await conn.query("""
                INSERT INTO release_versions(release_id, version, content_hash, stored_at, release)
                VALUES (\(r.id), \(version), \(r.contentHash), clock_timestamp(), \(ByteBuffer(bytes: item.json)))
                """, logger: logger)
            try await conn.query("""
                INSERT INTO releases(id, version, content_hash, stored_at, published, language, category_name, source_url)
                VALUES (\(r.id), \(version), \(r.contentHash), clock_timestamp(), \(published)::date, \(r.language.rawValue), \(r.category.name), \(r.sourceURL))
                ON CONFLICT (id) DO UPDATE SET version = excluded.version, content_hash = excluded.content_hash,
                    stored_at = excluded.stored_at, published = excluded.published, language = excluded.language,
                    category_name = excluded.category_name, source_url = excluded.source_url
                """, logger: logger)
            try await conn.query("INSERT INTO changes(release_id, version, updated) VALUES (\(r.id), \(version), \(existing != nil))", logger: logger)
            changed = true
            if existing == nil { outcome.inserted += 1 } else { outcome.updated += 1 }
        }
        if position != stored {
            try await conn.query("""
                INSERT INTO positions(source, applied_sequence) VALUES (\(source), \(position))
                ON CONFLICT (source) DO UPDATE SET applied_sequence = excluded.applied_sequence
                """, logger: logger)
        }
        let feed = try await conn.query("SELECT coalesce(max(seq), 0)::bigint FROM changes", logger: logger)
            .collect().first?.decode(Int64.self) ?? 0
        // Delivered to the listeners at COMMIT, not before.
        if changed { try await conn.query("SELECT pg_notify(\(channel), \(String(feed)))", logger: logger) }
        outcome.appliedSequence = UInt64(bitPattern: position)
        return ArchiveApplyOutcome(outcome: outcome, feedPosition: UInt64(feed))
    }

    package func appliedSequence(source: String) async throws -> UInt64 {
        let logger = self.logger
        return try await reader.run("reading the applied position") { conn in
            let v = try await conn.query("SELECT applied_sequence FROM positions WHERE source = \(source)", logger: logger)
                .collect().first?.decode(Int64.self) ?? 0
            return UInt64(bitPattern: v)
        }
    }

    package func highestAppliedSequence() async throws -> UInt64 {
        let logger = self.logger
        return try await reader.run("reading the applied positions") { conn in
            let v = try await conn.query("SELECT coalesce(max(applied_sequence), 0)::bigint FROM positions", logger: logger)
                .collect().first?.decode(Int64.self) ?? 0
            return UInt64(bitPattern: v)
        }
    }

    package func changes(after: UInt64, limit: Int) async throws -> [ArchiveChange] {
        let logger = self.logger, url = self.url
        let rows = try await reader.run("reading the change feed") { conn in
            try await conn.query("""
                SELECT c.seq, c.version, v.release, extract(epoch FROM c.stored_at)::float8 FROM changes c
                JOIN release_versions v ON v.release_id = c.release_id AND v.version = c.version
                WHERE c.seq > \(Int64(bitPattern: after)) ORDER BY c.seq LIMIT \(Int64(max(limit, 1)))
                """, logger: logger).decode((Int64, Int64, ByteBuffer, Double).self)
                .reduce(into: [(Int64, Int64, ByteBuffer, Double)]()) { $0.append($1) }
        }
        let decoder = JSONDecoder()
        return try rows.map { seq, version, buffer, storedAt in
            do {
                let release = try decoder.decode(Release.self, from: Data(buffer.readableBytesView))
                return ArchiveChange(sequence: UInt64(seq), version: Int(version), release: release, storedAt: storedAt)
            } catch {
                throw PostgresStoreError("PostgreSQL store \(url): change \(seq): bad JSON in release_versions.release: \(error)", kind: .internalError)
            }
        }
    }

    package func feedStatus(applied: UInt64) async throws -> ArchiveFeedStatus {
        let logger = self.logger
        return try await reader.run("reading the change feed's status") { conn in
            let row = try await conn.query("""
                SELECT coalesce((SELECT max(seq) FROM changes), 0)::bigint,
                       coalesce(extract(epoch FROM clock_timestamp() - (SELECT stored_at FROM changes WHERE seq > \(Int64(bitPattern: applied)) ORDER BY seq LIMIT 1)), 0)::float8
                """, logger: logger).collect().first?.decode((Int64, Double).self) ?? (Int64(0), 0.0)
            return ArchiveFeedStatus(latestChange: UInt64(row.0), lagSeconds: max(row.1, 0))
        }
    }
}
