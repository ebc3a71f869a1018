/// The server side of one call, as a transport implements it for `ResponseWriter`.
package protocol ServerCallResponses: Sendable {
    /// Sends one response message; waits while the client's window is full, throws once the
    /// call has ended.
    func send(_ message: MessageBuffer) async throws
}

/// Where a handler writes its response messages; waits when the client's window is full.
package struct ResponseWriter: Sendable {
    private let call: any ServerCallResponses
    package init(_ call: any ServerCallResponses) { self.call = call }
    package func write(_ message: MessageBuffer) async throws { try await call.send(message) }
}
