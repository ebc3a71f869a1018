import Foundation
import KhaosanRPC
import Logging
import PostgresNIO

/// One PostgreSQL connection, opened when first needed and again after it was lost, used by one
/// caller at a time (a transaction must not interleave with another caller's statements). Each
/// role of a node has its own: the writer's batches, the follower's reads, the listener.
actor PostgresSession {
    let configuration: PostgresConnection.Configuration
    let url: PostgresStoreURL
    let logger: Logger
    private var connection: PostgresConnection?
    private var busy = false
    private var queue: [CheckedContinuation<Void, Never>] = []
    private var nextID = 0

    init(configuration: PostgresConnection.Configuration, url: PostgresStoreURL, logger: Logger) {
        self.configuration = configuration
        self.url = url
        self.logger = logger
    }

    /// Runs `body` on the connection; a failure that lost the connection closes it, so the next
    /// call connects anew. Errors come out as `PostgresStoreError`s naming the store.
    func run<T: Sendable>(_ what: String, timeout: Duration = PostgresSession.callTimeout,
                          _ body: @Sendable @escaping (PostgresConnection) async throws -> T) async throws -> T {
        if busy { await withCheckedContinuation { queue.append($0) } } else { busy = true }
        defer { if queue.isEmpty { busy = false } else { queue.removeFirst().resume() } }
        let conn: PostgresConnection
        if let c = connection, !c.isClosed { conn = c } else {
            connection = nil
            conn = try await connect()
            connection = conn
        }
        do { return try await Self.bounded(conn, timeout: timeout, body) } catch let refusal as RPCError {
            // The caller's own answer (e.g. ALREADY_EXISTS), not a database failure.
            throw refusal
        } catch {
            if conn.isClosed || !Self.isServerError(error) {
                connection = nil
                try? await conn.close()
            }
            throw PostgresErrors.describe(error, url: url, doing: what)
        }
    }

    /// Longest one call may hold its connection. A primary restarted during a bulk ingest left
    /// a batch's query waiting for ever in 7 of 10 runs (the server had gone; the connection
    /// never failed it), and the writer with it; past this the connection is closed, which fails
    /// what waits on it, and the call fails as retryable.
    static let callTimeout: Duration = .seconds(30)

    struct CallTimedOut: Error, CustomStringConvertible {
        var after: Duration
        var description: String { "no answer from the server within \(after); the connection was closed" }
    }

    /// Runs `body`, closing `conn` if it has not finished within `timeout`: a query blocked on a
    /// dead connection does not see task cancellation, only the connection's closing.
    static func bounded<T: Sendable>(_ conn: PostgresConnection, timeout: Duration,
                                     _ body: @Sendable @escaping (PostgresConnection) async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body(conn) }
            group.addTask {
                try await Task.sleep(for: timeout)
                try? await conn.close()
                throw CallTimedOut(after: timeout)
            }
            defer { group.cancelAll() }
            while let next = try await group.next() {
                if let value = next { return value }
            }
            throw CallTimedOut(after: timeout)
        }
    }

    func connect() async throws -> PostgresConnection {
        nextID += 1
        do {
            return try await PostgresConnection.connect(configuration: configuration, id: nextID, logger: logger)
        } catch {
            throw PostgresErrors.describe(error, url: url, doing: "connecting")
        }
    }

    func close() async {
        if let c = connection { try? await c.close() }
        connection = nil
    }

    static func isServerError(_ error: any Error) -> Bool {
        (error as? PSQLError)?.code == .server
    }
}
