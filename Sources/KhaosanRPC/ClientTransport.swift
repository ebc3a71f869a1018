/// How `RPCClient` reaches a server: the Unix-socket transport, or the in-process one of the
/// tests. A transport opens calls; the client does everything above that (typed shapes,
/// deadlines over all attempts, retries), so both transports behave the same to a caller.
package protocol RPCClientTransport: Sendable {
    /// Opens a call to `path`. With `unaryMessage`, also sends that one request and half-closes.
    /// Throws an RPCError; UNAVAILABLE when the server could not be reached (the request never
    /// left, so any call may be retried).
    func openCall(path: String, deadline: ContinuousClock.Instant, metadata: Metadata,
                  unaryMessage: MessageBuffer?) async throws -> any RPCClientCall

    /// Runs `body` where the transport's calls are cheapest to make (the Unix transport: as a
    /// task on its connection's event loop); elsewhere just runs it.
    func withPreferredExecutor<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T

    func close() async
}

/// The client side of one open call.
package protocol RPCClientCall: Sendable {
    /// Response messages; ends with the call's status (throws it unless OK).
    var responses: InboundMessages { get }
    /// Trailing metadata; set once the call has ended.
    var trailingMetadata: Metadata { get }
    /// Waits for a credit of the server's window, then sends one request message.
    func send(_ message: MessageBuffer) async throws
    func halfClose()
    func cancel()
    /// The caller is done with the call: anything still open is cancelled on the server.
    func finish()
}

extension RPCClientCall {
    /// Reads what is left so the trailers' status is seen.
    func drainAndCheck() async throws {
        for try await _ in responses {}
    }
}

extension RPCClientTransport {
    package func withPreferredExecutor<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await body()
    }
}
