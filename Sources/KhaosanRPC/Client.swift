package import KhaosanWire
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
    /// Sent with every call, after the call's own entries: where the CLI puts its one
    /// `x-request-id` per invocation. A call's own entry of the same key wins.
    package var metadata: Metadata = [:]

    package init(socketPath: String) { self.socketPath = socketPath }
}

package struct CallOptions: Sendable {
    package var timeout: Duration?
    package var metadata: Metadata
    package init(timeout: Duration? = nil, metadata: Metadata = [:]) {
        self.timeout = timeout
        self.metadata = metadata
    }
}

/// A client for one server socket. Calls share one connection (opened on first use, re-opened
/// after it breaks) and may run concurrently.
package final class RPCClient: Sendable {
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

    /// Runs `body` as a task on the event loop of this client's connection. Calls made from it
    /// go out and come back on that thread, with no hand-off to or from Swift's thread pool: two
    /// thread wake-ups per round trip instead of four. For callers that make many calls in a row
    /// and do little work between them; `body` must not block.
    package func withConnectionExecutor<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        let executor = try await connection().executor
        return try await withTaskExecutorPreference(executor) { try await body() }
    }

    // MARK: Call shapes

    package func unary<Request: WireMessage, Response: WireMessage>(
        _ method: MethodDescriptor, _ request: Request, options: CallOptions = CallOptions()
    ) async throws -> Response {
        let payload = try RPCRouter.encode(request)
        return try await withRetries(method, options, unaryMessage: payload) { call in
            try await Self.single(call, limits: .default)
        }
    }

    package func serverStreaming<Request: WireMessage, Response: WireMessage, Result: Sendable>(
        _ method: MethodDescriptor, _ request: Request, options: CallOptions = CallOptions(),
        _ body: @Sendable (ResponseStream<Response>) async throws -> Result
    ) async throws -> Result {
        let payload = try RPCRouter.encode(request)
        return try await withRetries(method, options, unaryMessage: payload) { call in
            let result = try await body(ResponseStream(call: call))
            try await call.drainAndCheck()
            return result
        }
    }

    package func clientStreaming<Request: WireMessage, Response: WireMessage>(
        _ method: MethodDescriptor, options: CallOptions = CallOptions(),
        _ produce: @Sendable (RequestSender<Request>) async throws -> Void
    ) async throws -> Response {
        try await withRetries(method, options) { call in
            try await produce(RequestSender(call: call))
            call.halfClose()
            return try await Self.single(call, limits: .default)
        }
    }

    /// Runs `body` with a sender and the response stream; the request side is half-closed when
    /// `body` calls `sender.finish()` or returns.
    package func bidirectional<Request: WireMessage, Response: WireMessage, Result: Sendable>(
        _ method: MethodDescriptor, options: CallOptions = CallOptions(),
        _ body: @Sendable (RequestSender<Request>, ResponseStream<Response>) async throws -> Result
    ) async throws -> Result {
        try await withRetries(method, options) { call in
            let result = try await body(RequestSender(call: call), ResponseStream(call: call))
            call.halfClose()
            try await call.drainAndCheck()
            return result
        }
    }

    private static func single<Response: WireMessage>(_ call: ClientCall, limits: WireLimits) async throws -> Response {
        var response: Response?
        for try await buffer in call.responses {
            guard response == nil else { throw RPCError(code: .internal, message: "server sent more than one response to a unary call") }
            response = try RPCRouter.decode(buffer, limits: limits)
        }
        guard let response else { throw RPCError(code: .internal, message: "server ended the call without a response") }
        return response
    }

    private func callMetadata(_ options: CallOptions) -> Metadata {
        guard !configuration.metadata.isEmpty else { return options.metadata }
        var m = options.metadata
        for (key, value) in configuration.metadata where m[key] == nil { m.add(key, value) }
        return m
    }

    /// Opens the call, runs it, and retries on UNAVAILABLE with exponential backoff and full
    /// jitter: always when the request never left (no connection), otherwise only for idempotent
    /// methods. The deadline covers all attempts.
    private func withRetries<Result: Sendable>(
        _ method: MethodDescriptor, _ options: CallOptions, unaryMessage: ByteBuffer? = nil,
        _ body: (ClientCall) async throws -> Result
    ) async throws -> Result {
        let deadline = ContinuousClock.now + (options.timeout ?? configuration.defaultTimeout)
        var attempt = 0
        var backoff = configuration.initialBackoff
        while true {
            attempt += 1
            var sent = false
            do {
                let conn = try await connection()
                let call = try conn.open(path: method.path, deadline: deadline, metadata: callMetadata(options), unaryMessage: unaryMessage)
                sent = true
                return try await withTaskCancellationHandler {
                    defer { call.finish() }
                    return try await body(call)
                } onCancel: {
                    call.cancel()
                }
            } catch let error as RPCError {
                let retryable = error.code == .unavailable && (!sent || method.idempotent)
                guard retryable, attempt < configuration.maxAttempts else { throw error }
                let jittered = Duration.nanoseconds(Int64.random(in: 0...max(1, backoff.nanoseconds)))
                guard ContinuousClock.now + jittered < deadline else { throw error }
                logger.debug("retrying", metadata: ["rpc.method": "\(method.path)", "rpc.attempt": "\(attempt)", "error": "\(error)"])
                try await Task.sleep(for: jittered)
                backoff = min(backoff * 2, configuration.maxBackoff)
            }
        }
    }
}

extension Duration {
    package var nanoseconds: Int64 {
        let (s, a) = components
        return s * 1_000_000_000 + a / 1_000_000_000
    }
}

/// Typed responses of a call.
package struct ResponseStream<Message: WireMessage>: AsyncSequence, Sendable {
    package typealias Element = Message
    let call: ClientCall

    package struct AsyncIterator: AsyncIteratorProtocol {
        var base: InboundMessages.AsyncIterator
        package mutating func next() async throws -> Message? {
            guard let buffer = try await base.next() else { return nil }
            return try RPCRouter.decode(buffer, limits: .default)
        }
    }

    package func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: call.responses.makeAsyncIterator()) }
    /// Trailing metadata; set once the stream has ended.
    package var trailers: Metadata { call.trailingMetadata }
}

/// Typed request side of a streaming call. `send` waits while the server's window is full.
package struct RequestSender<Message: WireMessage>: Sendable {
    let call: ClientCall
    package func send(_ message: Message) async throws { try await call.send(RPCRouter.encode(message)) }
    package func finish() { call.halfClose() }
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
