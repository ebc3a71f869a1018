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
                // Not awaited: closing a connection the server dropped mid-query could wait for
                // ever, holding this session (and every later batch) with it.
                Task { try? await conn.close() }
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

    /// Runs `body`, giving up after `timeout`: the connection is then closed (which fails what
    /// waits on it) and the call fails at once. Unstructured tasks on purpose: a task group would
    /// wait for a body stuck on a dead connection before returning, which is the hang this
    /// bounds; the stuck body ends when the closing fails it.
    static func bounded<T: Sendable>(_ conn: PostgresConnection, timeout: Duration,
                                     _ body: @Sendable @escaping (PostgresConnection) async throws -> T) async throws -> T {
        let once = ResumeOnce<T>()
        return try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, any Error>) in
            once.set(c)
            let work = Task {
                do { once.resume(.success(try await body(conn))) } catch { once.resume(.failure(error)) }
            }
            let timer = Task {
                try? await Task.sleep(for: timeout)
                guard !Task.isCancelled, once.resume(.failure(CallTimedOut(after: timeout))) else { return }
                work.cancel()
                try? await conn.close()
            }
            once.onResume { timer.cancel() }
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

