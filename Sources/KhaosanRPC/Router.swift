import Logging

/// The methods a server answers. Every call shape is served by one raw handler signature (a
/// stream of request messages in, a writer for responses, trailing metadata out); the typed
/// registrations below adapt it and do the protobuf decoding, so handlers see Swift values only.
package struct RPCRouter: Sendable {
    package typealias RawHandler = @Sendable (InboundMessages, ResponseWriter, ServerContext) async throws -> CallOutcome

    /// What a handler ends with: trailing metadata, and for single-response calls the response
    /// itself, so it goes out with the trailers in one write instead of two.
    package struct CallOutcome: Sendable {
        package var trailers: Metadata
        package var finalMessage: MessageBuffer?
        package init(trailers: Metadata = [:], finalMessage: MessageBuffer? = nil) {
            self.trailers = trailers
            self.finalMessage = finalMessage
        }
    }

    package struct Route: Sendable {
        package var service: String
        package var handler: RawHandler
        /// Runs on the transport's own executor (the Unix transport: the connection's event loop,
        /// see its ServerConnection): calls with one request, where latency is the point. Streaming-request handlers run on Swift's thread pool, so
        /// decoding a stream's messages overlaps with reading them on the event loop.
        package var onEventLoop: Bool
    }

    private var routes: [String: Route] = [:]

    package init() {}

    package func route(for path: String) -> Route? { routes[path] }

    /// Runs a call's handler and turns how it ended into the call's trailers, plus the response
    /// of a single-response call to send with them: the one place both transports end a call.
    /// RPCErrors pass through; anything else is mapped by `RPCError(wrapping:)` and, as an
    /// INTERNAL, logged, since an operator must be able to find it.
    package static func respond(
        with route: Route, _ inbound: InboundMessages, _ writer: ResponseWriter, _ context: ServerContext
    ) async -> (trailers: CallTrailers, finalMessage: MessageBuffer?) {
        do {
            let outcome = try await route.handler(inbound, writer, context)
            return (CallTrailers(code: .ok, message: "", metadata: outcome.trailers), outcome.finalMessage)
        } catch {
            let e = RPCError(wrapping: error)
            if e.code == .internal { context.logger.error("call failed: \(e)") }
            return (CallTrailers(code: e.code, message: e.message, metadata: e.metadata), nil)
        }
    }

    package mutating func register(_ method: MethodDescriptor, onEventLoop: Bool = false, _ handler: @escaping RawHandler) {
        routes[method.path] = Route(service: method.service, handler: handler, onEventLoop: onEventLoop)
    }

    package mutating func unary<Request: RPCMessage, Response: RPCMessage>(
        _ method: MethodDescriptor,
        _ body: @escaping @Sendable (Request, ServerContext) async throws -> Response
    ) {
        register(method, onEventLoop: true) { requests, writer, context in
            let request: Request = try await Self.single(requests)
            let response = try await body(request, context)
            return CallOutcome(finalMessage: try response.encoded())
        }
    }

    package mutating func serverStreaming<Request: RPCMessage, Response: RPCMessage>(
        _ method: MethodDescriptor,
        _ body: @escaping @Sendable (Request, ResponseSink<Response>, ServerContext) async throws -> Void
    ) {
        register(method, onEventLoop: true) { requests, writer, context in
            let request: Request = try await Self.single(requests)
            try await body(request, ResponseSink(writer: writer), context)
            return CallOutcome()
        }
    }

    package mutating func clientStreaming<Request: RPCMessage, Response: RPCMessage>(
        _ method: MethodDescriptor,
        _ body: @escaping @Sendable (RequestStream<Request>, ServerContext) async throws -> Response
    ) {
        register(method) { requests, writer, context in
            let response = try await body(RequestStream(base: requests), context)
            return CallOutcome(finalMessage: try response.encoded())
        }
    }

    package mutating func bidirectional<Request: RPCMessage, Response: RPCMessage>(
        _ method: MethodDescriptor,
        _ body: @escaping @Sendable (RequestStream<Request>, ResponseSink<Response>, ServerContext) async throws -> Void
    ) {
        register(method) { requests, writer, context in
            try await body(RequestStream(base: requests), ResponseSink(writer: writer), context)
            return CallOutcome()
        }
    }

    static func single<Request: RPCMessage>(_ requests: InboundMessages) async throws -> Request {
        var iterator = requests.makeAsyncIterator()
        guard let first = try await iterator.next() else {
            throw RPCError(code: .invalidArgument, message: "the call carried no request message")
        }
        guard try await iterator.next() == nil else {
            throw RPCError(code: .invalidArgument, message: "a unary call carried more than one request message")
        }
        return try Request.decode(first)
    }
}

/// Decoded request messages of a streaming call.
package struct RequestStream<Message: RPCMessage>: AsyncSequence, Sendable {
    package typealias Element = Message
    let base: InboundMessages

    package struct AsyncIterator: AsyncIteratorProtocol {
        var base: InboundMessages.AsyncIterator
        package mutating func next() async throws -> Message? {
            guard let buffer = try await base.next() else { return nil }
            return try Message.decode(buffer)
        }
    }

    package func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator()) }
}

/// Typed response writer of a streaming call.
package struct ResponseSink<Message: RPCMessage>: Sendable {
    let writer: ResponseWriter
    package func send(_ message: Message) async throws { try await writer.write(message.encoded()) }
}
