import Foundation
import KhaosanModel
@testable import KhaosanPostgres
@testable import KhaosanQuery
import KhaosanTestSupport
import Logging
import NIOPosix
import Testing

/// One PostgreSQL server for the suites (a database per test), stopped when the test process
/// exits; a test that restarts the server starts its own.
enum SharedPostgres {
    static let logger: Logger = {
        var l = Logger(label: "postgres-tests")
        l.logLevel = ProcessInfo.processInfo.environment["KHAOSAN_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        return l
    }()

    nonisolated(unsafe) private static var started: PostgresServer?
    private static let server: Result<PostgresServer, any Error> = {
        do {
            let s = try PostgresServer()
            started = s
            atexit { SharedPostgres.stopAtExit() }
            return .success(s)
        } catch {
            return .failure(error)
        }
    }()

    static func stopAtExit() { started?.stop() }

    private static let counter = Counter()

    /// A new, empty database on the shared server; returns the server and its `--store` URL.
    static func database() throws -> (server: PostgresServer, url: String) {
        let s = try server.get()
        let name = "khaosan_\(getpid())_\(counter.next())"
        try s.createDatabase(name)
        return (s, s.url(database: name))
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var n = 0
        func next() -> Int { lock.lock(); defer { lock.unlock() }; n += 1; return n }
    }

    /// Real corpus releases, as the CLI would send them.
    static let releases: [Release] = Fixtures.corpusFiles().compactMap { url in
        try? ReleaseParser.parse(RawRelease.thaigovFile(fileName: url.lastPathComponent, bytes: Array(try Data(contentsOf: url))))
    }

    static func open(_ url: String) async throws -> PostgresArchive {
        try await PostgresArchive.open(url: try PostgresStoreURL(url), password: nil, logger: logger)
    }

    /// Opens the archive for `body` and closes its connections after, whatever happens.
    static func withArchive<T: Sendable>(_ url: String, _ body: (PostgresArchive) async throws -> T) async throws -> T {
        let archive = try await open(url)
        do {
            let result = try await body(archive)
            await archive.close()
            return result
        } catch {
            await archive.close()
            throw error
        }
    }
}

/// A local copy (SQLite store + index in a temp directory) following an archive, both running
/// as their services do in the daemon, for the length of `body`.
struct LocalCopy {
    let directory: URL
    let store: ReleaseStore
    let follower: ArchiveFollower

    var databasePath: String { directory.appendingPathComponent("query.db").path }

    static func with<T: Sendable>(_ archive: PostgresArchive, copies: Int = 1, directories: [URL]? = nil,
                                  _ body: ([LocalCopy]) async throws -> T) async throws -> T {
        let pool = NIOThreadPool(numberOfThreads: 2)
        pool.start()
        var locals: [LocalCopy] = []
        for k in 0..<copies {
            let dir = try directories?[k] ?? Fixtures.temporaryDirectory("khpg-copy")
            let store = try ReleaseStore(path: dir.appendingPathComponent("query.db").path, logger: SharedPostgres.logger)
            locals.append(LocalCopy(directory: dir, store: store,
                                    follower: ArchiveFollower(archive: archive, store: store, pool: pool, logger: SharedPostgres.logger)))
        }
        defer { Task { try? await pool.shutdownGracefully() } }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await archive.run() }
            for l in locals { group.addTask { try await l.follower.run() } }
            defer { group.cancelAll() }
            let result = try await body(locals)
            group.cancelAll()
            while let _ = try? await group.next() {}
            return result
        }
    }

    /// Until this copy has applied everything the archive holds now.
    func catchUp(_ archive: PostgresArchive) async throws {
        let latest = try await archive.feedStatus(applied: 0).latestChange
        try await follower.waitApplied(through: latest, timeout: .seconds(20))
    }
}

extension PostgresArchive {
    /// Runs `sql` on the writer's connection and returns the first column of each row.
    func scalars(_ sql: String) async throws -> [Int64] {
        let logger = self.logger
        return try await writer.run("test query") { conn in
            try await conn.query(PostgresQuery(unsafeSQL: sql), logger: logger).collect().map { try $0.decode(Int64.self) }
        }
    }
}

import PostgresNIO
