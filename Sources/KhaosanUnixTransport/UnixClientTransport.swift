package import KhaosanRPC
package import Logging
package import NIOCore
import NIOPosix
import Synchronization

package struct RPCClientConfiguration: Sendable {
    package var socketPath: String
    /// Every call gets a deadline; this one unless the call names its own.
    package var defaultTimeout: Duration = .seconds(30)
    /// Attempts for a call that failed with UNAVAILABLE (idempotent calls, or calls never sent).
    package var maxAttempts: Int = 5
    package var initialBackoff: Duration = .milliseconds(50)
    package var maxBackoff: Duration = .seconds(2)
    package var maxMessageBytes: Int = Frame.defaultMaxPayload
    package var streamWindow: Int = 64
    package var connectTimeout: Duration = .seconds(5)
    /// Sent with every call (`RPCCallPolicy.metadata`): the CLI's `x-request-id`.
    package var metadata: Metadata = [:]

    package init(socketPath: String) { self.socketPath = socketPath }

    /// The part of the configuration that is the client's, not the transport's.
    package var policy: RPCCallPolicy {
        var p = RPCCallPolicy()
        p.defaultTimeout = defaultTimeout
        p.maxAttempts = maxAttempts
        p.initialBackoff = initialBackoff
        p.maxBackoff = maxBackoff
        p.metadata = metadata
        return p
    }
}

extension RPCClient {
    /// A client of the server on `configuration.socketPath`.
    package convenience init(configuration: RPCClientConfiguration, logger: Logger,
                             eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.init(transport: UnixClientTransport(configuration: configuration, logger: logger, eventLoopGroup: eventLoopGroup),
                  policy: configuration.policy, logger: logger)
    }
}

/// Calls to one server socket over one shared connection, opened on first use and re-opened
/// after it breaks.
package final class UnixClientTransport: RPCClientTransport {
    package let configuration: RPCClientConfiguration
    private let group: any EventLoopGroup
    private let logger: Logger
    private let current = Mutex<ClientConnection?>(nil)
    private let connectLock = AsyncLock()

    package init(configuration: RPCClientConfiguration, logger: Logger, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.configuration = configuration
        self.group = eventLoopGroup
        self.logger = logger
    }

    package func close() async {
        let conn = current.withLock { c in defer { c = nil }; return c }
        try? await conn?.channel.close()
    }

    private func connection() async throws -> ClientConnection {
        if let c = current.withLock({ $0 }), c.isUsable { return c }
        return try await connectLock.withLock {
            if let c = current.withLock({ $0 }), c.isUsable { return c }
            let c = try await ClientConnection.connect(configuration: configuration, group: group, logger: logger)
            current.withLock { $0 = c }
            return c
        }
    }

    package func openCall(path: String, deadline: ContinuousClock.Instant, metadata: Metadata,
                          unaryMessage: MessageBuffer?) async throws -> any RPCClientCall {
        try await connection().open(path: path, deadline: deadline, metadata: metadata, unaryMessage: unaryMessage)
    }

    /// Runs `body` as a task on the event loop of this client's connection (see
    /// `RPCClient.withConnectionExecutor`).
    package func withPreferredExecutor<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        let executor = try await connection().executor
        return try await withTaskExecutorPreference(executor) { try await body() }
    }
}

/// A tiny async mutex so concurrent first calls open one connection, not many.
final class AsyncLock: Sendable {
    private let state = Mutex<(locked: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func withLock<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let go = state.withLock { s -> Bool in
                if !s.locked { s.locked = true; return true }
                s.waiters.append(c)
                return false
            }
            if go { c.resume() }
        }
        defer {
            let next = state.withLock { s -> CheckedContinuation<Void, Never>? in
                if s.waiters.isEmpty { s.locked = false; return nil }
                return s.waiters.removeFirst()
            }
            next?.resume()
        }
        return try await body()
    }
}
