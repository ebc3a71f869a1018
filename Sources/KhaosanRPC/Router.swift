package import KhaosanWire
package import NIOCore

/// A method's full path, e.g. `/khaosan.v1.QueryService/Search`.
package struct MethodDescriptor: Sendable, Hashable, CustomStringConvertible {
    package var service: String
    package var method: String
    /// Safe to send again after a failure whose outcome is unknown (reads, and writes the server
    /// applies idempotently).
    package var idempotent: Bool

    package init(service: String, method: String, idempotent: Bool) {
        self.service = service
        self.method = method
        self.idempotent = idempotent
    }

    package var path: String { "/\(service)/\(method)" }
    package var description: String { path }
}

/// The methods a server answers. Every call shape is served by one raw handler signature (a
/// stream of request messages in, a writer for responses, trailing metadata out); the typed
/// registrations below adapt it and do the protobuf decoding, so handlers see Swift values only.
package struct RPCRouter: Sendable {
    package typealias RawHandler = @Sendable (InboundMessages, ResponseWriter, ServerContext) async throws -> CallOutcome

    /// What a handler ends with: trailing metadata, and for single-response calls the response
    /// itself, so it goes out with the trailers in one write instead of two.
    package struct CallOutcome: Sendable {
        package var trailers: Metadata
        package var finalMessage: ByteBuffer?
        package init(trailers: Metadata = [:], finalMessage: ByteBuffer? = nil) {
            self.trailers = trailers
            self.finalMessage = finalMessage
        }
    }

    package struct Route: Sendable {
        package var service: String
        package var handler: RawHandler
        /// Runs on the connection's event loop (see ServerConnection): calls with one request,
        /// where latency is the point. Streaming-request handlers run on Swift's thread pool, so
        /// decoding a stream's messages overlaps with reading them on the event loop.
        package var onEventLoop: Bool
    }

    private var routes: [String: Route] = [:]
    package var limits: WireLimits = .default

    package init() {}

    package func route(for path: String) -> Route? { routes[path] }
    package var paths: [String] { routes.keys.sorted() }

    package mutating func register(_ method: MethodDescriptor, onEventLoop: Bool = false, _ handler: @escaping RawHandler) {
        routes[method.path] = Route(service: method.service, handler: handler, onEventLoop: onEventLoop)
    }

    package mutating func unary<Request: WireMessage, Response: WireMessage>(
        _ method: MethodDescriptor,
        _ body: @escaping @Sendable (Request, ServerContext) async throws -> Response
    ) {
        let limits = self.limits
        register(method, onEventLoop: true) { requests, writer, context in
            let request: Request = try await Self.single(requests, limits: limits)
            let response = try await body(request, context)
            return CallOutcome(finalMessage: try Self.encode(response))
        }
    }

    package mutating func serverStreaming<Request: WireMessage, Response: WireMessage>(
        _ method: MethodDescriptor,
        _ body: @escaping @Sendable (Request, ResponseSink<Response>, ServerContext) async throws -> Void
    ) {
        let limits = self.limits
        register(method, onEventLoop: true) { requests, writer, context in
            let request: Request = try await Self.single(requests, limits: limits)
            try await body(request, ResponseSink(writer: writer), context)
            return CallOutcome()
        }
    }

    package mutating func clientStreaming<Request: WireMessage, Response: WireMessage>(
        _ method: MethodDescriptor,
        _ body: @escaping @Sendable (RequestStream<Request>, ServerContext) async throws -> Response
    ) {
        let limits = self.limits
        register(method) { requests, writer, context in
            let response = try await body(RequestStream(base: requests, limits: limits), context)
            return CallOutcome(finalMessage: try Self.encode(response))
        }
    }

    package mutating func bidirectional<Request: WireMessage, Response: WireMessage>(
        _ method: MethodDescriptor,
        _ body: @escaping @Sendable (RequestStream<Request>, ResponseSink<Response>, ServerContext) async throws -> Void
    ) {
        let limits = self.limits
        register(method) { requests, writer, context in
            try await body(RequestStream(base: requests, limits: limits), ResponseSink(writer: writer), context)
            return CallOutcome()
        }
    }

    static func single<Request: WireMessage>(_ requests: InboundMessages, limits: WireLimits) async throws -> Request {
        var iterator = requests.makeAsyncIterator()
        guard let first = try await iterator.next() else {
            throw RPCError(code: .invalidArgument, message: "the call carried no request message")
        }
        guard try await iterator.next() == nil else {
            throw RPCError(code: .invalidArgument, message: "a unary call carried more than one request message")
        }
        return try decode(first, limits: limits)
    }

    static func decode<M: WireMessage>(_ buffer: ByteBuffer, limits: WireLimits) throws(RPCError) -> M {
        do {
            return try buffer.withUnsafeReadableBytes { raw in try M(wireBytes: raw, limits: limits) }
        } catch let e as WireError {
            throw RPCError(wire: e)
        } catch {
            throw RPCError(code: .invalidArgument, message: "\(error)")
        }
    }

    static func encode<M: WireMessage>(_ message: M) throws(RPCError) -> ByteBuffer {
        do {
            return ByteBuffer(bytes: try message.wireBytes())
        } catch {
            throw RPCError(code: .internal, message: "cannot encode the response: \(error)")
        }
    }
}

extension RPCError {
    /// A message that does not decode is the caller's fault; the field path says where.
    package init(wire e: WireError) {
        let code: Code = e.code == .allocationLimit ? .resourceExhausted : .invalidArgument
        self.init(code: code, message: e.field.isEmpty ? e.message : "\(e.field): \(e.message)", cause: e)
    }
}

/// Decoded request messages of a streaming call.
package struct RequestStream<Message: WireMessage>: AsyncSequence, Sendable {
    package typealias Element = Message
    let base: InboundMessages
    let limits: WireLimits

    package struct AsyncIterator: AsyncIteratorProtocol {
        var base: InboundMessages.AsyncIterator
        let limits: WireLimits
        package mutating func next() async throws -> Message? {
            guard let buffer = try await base.next() else { return nil }
            return try RPCRouter.decode(buffer, limits: limits)
        }
    }

    package func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator(), limits: limits) }
}

/// Typed response writer of a streaming call.
package struct ResponseSink<Message: WireMessage>: Sendable {
    let writer: ResponseWriter
    package func send(_ message: Message) async throws { try await writer.write(RPCRouter.encode(message)) }
}
