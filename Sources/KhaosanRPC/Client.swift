package import Logging

/// What a client does about deadlines and failures, whatever its transport.
package struct RPCCallPolicy: Sendable {
    /// Every call gets a deadline; this one unless the call names its own.
    package var defaultTimeout: Duration = .seconds(30)
    /// Attempts for a call that failed with UNAVAILABLE (idempotent calls, or calls never sent).
    package var maxAttempts: Int = 5
    package var initialBackoff: Duration = .milliseconds(50)
    package var maxBackoff: Duration = .seconds(2)
    /// Sent with every call, after the call's own entries: where the CLI puts its one
    /// `x-request-id` per invocation. A call's own entry of the same key wins.
    package var metadata: Metadata = [:]

    package init() {}
}

package struct CallOptions: Sendable {
    package var timeout: Duration?
    package var metadata: Metadata
    package init(timeout: Duration? = nil, metadata: Metadata = [:]) {
        self.timeout = timeout
        self.metadata = metadata
    }
}

/// A client of one server, over a transport (`KhaosanUnixTransport`: one socket; calls share one
/// connection, opened on first use and re-opened after it breaks). Calls may run concurrently.
package final class RPCClient: Sendable {
    package let policy: RPCCallPolicy
    private let transport: any RPCClientTransport
    private let logger: Logger

    package init(transport: any RPCClientTransport, policy: RPCCallPolicy = RPCCallPolicy(), logger: Logger) {
        self.transport = transport
        self.policy = policy
        self.logger = logger
    }

    package func close() async { await transport.close() }

    /// Runs `body` where this client's calls are cheapest (the Unix transport: as a task on the
    /// event loop of its connection, so calls made from it go out and come back on that thread,
    /// with no hand-off to or from Swift's thread pool: two thread wake-ups per round trip
    /// instead of four). For callers that make many calls in a row and do little work between
    /// them; `body` must not block.
    package func withConnectionExecutor<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await transport.withPreferredExecutor(body)
    }

    // MARK: Call shapes

    package func unary<Request: RPCMessage, Response: RPCMessage>(
        _ method: MethodDescriptor, _ request: Request, options: CallOptions = CallOptions()
    ) async throws -> Response {
        let payload = try request.encoded()
        return try await withRetries(method, options, unaryMessage: payload) { call in
            try await Self.single(call)
        }
    }

    package func serverStreaming<Request: RPCMessage, Response: RPCMessage, Result: Sendable>(
        _ method: MethodDescriptor, _ request: Request, options: CallOptions = CallOptions(),
        _ body: @Sendable (ResponseStream<Response>) async throws -> Result
    ) async throws -> Result {
        let payload = try request.encoded()
        return try await withRetries(method, options, unaryMessage: payload) { call in
            let result = try await body(ResponseStream(call: call))
            try await call.drainAndCheck()
            return result
        }
    }

    package func clientStreaming<Request: RPCMessage, Response: RPCMessage>(
        _ method: MethodDescriptor, options: CallOptions = CallOptions(),
        _ produce: @Sendable (RequestSender<Request>) async throws -> Void
    ) async throws -> Response {
        try await withRetries(method, options) { call in
            try await produce(RequestSender(call: call))
            call.halfClose()
            return try await Self.single(call)
        }
    }

    /// Runs `body` with a sender and the response stream; the request side is half-closed when
    /// `body` calls `sender.finish()` or returns.
    package func bidirectional<Request: RPCMessage, Response: RPCMessage, Result: Sendable>(
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

    private static func single<Response: RPCMessage>(_ call: any RPCClientCall) async throws -> Response {
        var response: Response?
        for try await buffer in call.responses {
            guard response == nil else { throw RPCError(code: .internal, message: "server sent more than one response to a unary call") }
            response = try Response.decode(buffer)
        }
        guard let response else { throw RPCError(code: .internal, message: "server ended the call without a response") }
        return response
    }

    private func callMetadata(_ options: CallOptions) -> Metadata {
        guard !policy.metadata.isEmpty else { return options.metadata }
        var m = options.metadata
        for (key, value) in policy.metadata where m[key] == nil { m.add(key, value) }
        return m
    }

    /// Opens the call, runs it, and retries on UNAVAILABLE with exponential backoff and full
    /// jitter: always when the request never left (no connection), otherwise only for idempotent
    /// methods. The deadline covers all attempts.
    private func withRetries<Result: Sendable>(
        _ method: MethodDescriptor, _ options: CallOptions, unaryMessage: MessageBuffer? = nil,
        _ body: (any RPCClientCall) async throws -> Result
    ) async throws -> Result {
        let deadline = ContinuousClock.now + (options.timeout ?? policy.defaultTimeout)
        var attempt = 0
        var backoff = policy.initialBackoff
        while true {
            attempt += 1
            var sent = false
            do {
                let call = try await transport.openCall(path: method.path, deadline: deadline, metadata: callMetadata(options), unaryMessage: unaryMessage)
                sent = true
                return try await withTaskCancellationHandler {
                    defer { call.finish() }
                    return try await body(call)
                } onCancel: {
                    call.cancel()
                }
            } catch let error as RPCError {
                let retryable = error.code == .unavailable && (!sent || method.idempotent)
                guard retryable, attempt < policy.maxAttempts else { throw error }
                let jittered = Duration.nanoseconds(Int64.random(in: 0...max(1, backoff.nanoseconds)))
                guard ContinuousClock.now + jittered < deadline else { throw error }
                logger.debug("retrying", metadata: ["rpc.method": "\(method.path)", "rpc.attempt": "\(attempt)", "error": "\(error)"])
                try await Task.sleep(for: jittered)
                backoff = min(backoff * 2, policy.maxBackoff)
            }
        }
    }
}

/// Typed responses of a call.
package struct ResponseStream<Message: RPCMessage>: AsyncSequence, Sendable {
    package typealias Element = Message
    let call: any RPCClientCall

    package struct AsyncIterator: AsyncIteratorProtocol {
        var base: InboundMessages.AsyncIterator
        package mutating func next() async throws -> Message? {
            guard let buffer = try await base.next() else { return nil }
            return try Message.decode(buffer)
        }
    }

    package func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: call.responses.makeAsyncIterator()) }
    /// Trailing metadata; set once the stream has ended.
    package var trailers: Metadata { call.trailingMetadata }
}

/// Typed request side of a streaming call. `send` waits while the server's window is full.
package struct RequestSender<Message: RPCMessage>: Sendable {
    let call: any RPCClientCall
    package func send(_ message: Message) async throws { try await call.send(message.encoded()) }
    package func finish() { call.halfClose() }
}
