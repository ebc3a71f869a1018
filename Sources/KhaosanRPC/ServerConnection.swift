import Logging
package import NIOCore
import Synchronization

/// One accepted connection: reads frames, runs one task per call, and writes responses. Calls on
/// one connection run concurrently; each has its own flow-control window in both directions.
final class ServerConnection: Sendable {
    private let channel: NIOAsyncChannel<Frame, Frame>
    private let peer: PeerCredentials
    private let router: RPCRouter
    private let configuration: RPCServerConfiguration
    private let logger: Logger
    private let state = Mutex(State())
    private let outboundWriter = Mutex<NIOAsyncChannelOutboundWriter<Frame>?>(nil)

    private struct State {
        var streams: [UInt32: ServerStream] = [:]
        var lastStreamID: UInt32 = 0
        var draining = false
        var sawFirstFrame = false
        var lastActivity = ContinuousClock.now
    }

    init(channel: NIOAsyncChannel<Frame, Frame>, peer: PeerCredentials, router: RPCRouter, configuration: RPCServerConfiguration, logger: Logger) {
        self.channel = channel
        self.peer = peer
        self.router = router
        self.configuration = configuration
        self.logger = logger
    }

    func run() async {
        do {
            try await channel.executeThenClose { inbound, outbound in
                outboundWriter.withLock { $0 = outbound }
                let watchdog = Task { await self.watch() }
                defer { watchdog.cancel() }
                do {
                    for try await frame in inbound {
                        try await handle(frame, outbound)
                    }
                } catch let error as FrameError {
                    logger.warning("closing connection: \(error)")
                    if case .tooLarge(_, _, let stream?) = error.reason, stream != 0 {
                        let trailers = CallTrailers(code: .resourceExhausted, message: error.description, metadata: [:])
                        try? await outbound.write(Self.trailersFrame(stream, trailers))
                    }
                } catch {
                    logger.debug("connection ended", metadata: ["error": "\(error)"])
                }
                // The peer is gone or broke the protocol: nobody is left to read the answers.
                let calls = state.withLock { s in s.streams.values.map { $0 } }
                for call in calls { call.abandon() }
                for call in calls { await call.finished() }
            }
        } catch {
            logger.debug("connection closed with error", metadata: ["error": "\(error)"])
        }
    }

    /// Sends GOAWAY; the connection closes when its last call ends.
    func drain() {
        let idle: Bool = state.withLock { s in
            s.draining = true
            return s.streams.isEmpty
        }
        let writer = outboundWriter.withLock { $0 }
        Task {
            try? await writer?.write(Frame(kind: .goAway, stream: 0))
            if idle { try? await self.channel.channel.close() }
        }
    }

    func forceClose(reason: String) {
        logger.notice("closing connection", metadata: ["reason": "\(reason)"])
        channel.channel.close(promise: nil)
    }

    private func watch() async {
        let start = ContinuousClock.now
        let tick = min(configuration.firstFrameTimeout, configuration.idleTimeout) / 4
        while !Task.isCancelled {
            try? await Task.sleep(for: max(tick, .milliseconds(10)))
            let (seen, idleFor, busy) = state.withLock { s in (s.sawFirstFrame, ContinuousClock.now - s.lastActivity, !s.streams.isEmpty) }
            if !seen, ContinuousClock.now - start > configuration.firstFrameTimeout {
                forceClose(reason: "no frame within \(configuration.firstFrameTimeout)")
                return
            }
            if seen, !busy, idleFor > configuration.idleTimeout {
                forceClose(reason: "idle for \(configuration.idleTimeout)")
                return
            }
        }
    }

    static func trailersFrame(_ stream: UInt32, _ trailers: CallTrailers) -> Frame {
        var payload = ByteBuffer()
        trailers.encode(into: &payload)
        return Frame(kind: .trailers, stream: stream, payload: payload)
    }

    private func reject(_ stream: UInt32, _ code: RPCError.Code, _ message: String, _ outbound: NIOAsyncChannelOutboundWriter<Frame>) async throws {
        try await outbound.write(Self.trailersFrame(stream, CallTrailers(code: code, message: message, metadata: [:])))
    }

    private func handle(_ frame: Frame, _ outbound: NIOAsyncChannelOutboundWriter<Frame>) async throws {
        let stream = state.withLock { s -> ServerStream? in
            s.sawFirstFrame = true
            s.lastActivity = .now
            return s.streams[frame.stream]
        }
        switch frame.kind {
        case .headers:
            try await open(frame, outbound)
        case .message:
            guard let stream else { return }  // the call already ended; late messages are dropped
            if !stream.receive(frame.payload) {
                stream.abandon()
                try await reject(frame.stream, .resourceExhausted, "peer sent more messages than its window allows", outbound)
            }
        case .halfClose:
            stream?.requestsEnded()
        case .cancel:
            stream?.abandon()
        case .window:
            guard let n = frame.payload.getInteger(at: frame.payload.readerIndex, as: UInt32.self) else {
                throw FrameError(reason: .malformed("WINDOW without a count"))
            }
            stream?.responseCredit.grant(Int(n))
        default:
            throw FrameError(reason: .malformed("unexpected \(frame.kind) from a client"))
        }
    }

    private func open(_ frame: Frame, _ outbound: NIOAsyncChannelOutboundWriter<Frame>) async throws {
        let id = frame.stream
        let headers: CallHeaders
        do {
            headers = try CallHeaders.decode(frame.payload)
        } catch {
            try await reject(id, .invalidArgument, error.description, outbound)
            return
        }
        enum Admission { case ok, draining, reused, busy }
        let admission: Admission = state.withLock { s in
            if s.draining { return .draining }
            if id == 0 || id <= s.lastStreamID { return .reused }
            if s.streams.count >= configuration.maxConcurrentCallsPerConnection { return .busy }
            s.lastStreamID = id
            return .ok
        }
        switch admission {
        case .ok: break
        case .draining: return try await reject(id, .unavailable, "server is shutting down", outbound)
        case .reused: throw FrameError(reason: .malformed("stream id \(id) is not new"))
        case .busy: return try await reject(id, .resourceExhausted, "too many concurrent calls on one connection (max \(configuration.maxConcurrentCallsPerConnection))", outbound)
        }
        guard let route = router.route(for: headers.path) else {
            return try await reject(id, .unimplemented, "unknown method \(headers.path)", outbound)
        }
        guard configuration.peerPolicy.allows(uid: peer.uid, service: route.service) else {
            return try await reject(id, .permissionDenied, "uid \(peer.uid) may not call \(route.service)", outbound)
        }
        let requestID = headers.metadata[Metadata.requestIDKey] ?? "s\(id)"
        var callLogger = logger
        callLogger[metadataKey: "rpc.method"] = "\(headers.path)"
        callLogger[metadataKey: "request.id"] = "\(requestID)"
        let deadline: ContinuousClock.Instant? = headers.timeoutNanos == 0 ? nil : .now + .nanoseconds(Int64(clamping: headers.timeoutNanos))
        let context = ServerContext(path: headers.path, metadata: headers.metadata, deadline: deadline, peer: peer, requestID: requestID, logger: callLogger)
        let call = ServerStream(id: id, window: configuration.streamWindow, outbound: outbound)
        state.withLock { $0.streams[id] = call }
        call.start(route: route, context: context) { [self] in
            let close: Bool = state.withLock { s in
                s.streams[id] = nil
                s.lastActivity = .now
                return s.draining && s.streams.isEmpty
            }
            if close { channel.channel.close(promise: nil) }
        }
    }
}

/// Server side of one call.
final class ServerStream: Sendable {
    let id: UInt32
    let responseCredit: SendCredit
    private let outbound: NIOAsyncChannelOutboundWriter<Frame>
    private let requests: AsyncThrowingStream<ByteBuffer, any Error>
    private let requestSink: AsyncThrowingStream<ByteBuffer, any Error>.Continuation
    private let state: Mutex<State>
    private let window: Int

    private struct State {
        var task: Task<Void, Never>?
        var trailersSent = false
        var received = 0
        var granted: Int
        var tracker: WindowTracker
    }

    init(id: UInt32, window: Int, outbound: NIOAsyncChannelOutboundWriter<Frame>) {
        self.id = id
        self.window = window
        self.outbound = outbound
        self.responseCredit = SendCredit(initial: window)
        (requests, requestSink) = AsyncThrowingStream.makeStream(of: ByteBuffer.self)
        state = Mutex(State(granted: window, tracker: WindowTracker(window: window)))
    }

    /// Accepts one inbound message; false when the peer ignored flow control.
    func receive(_ message: ByteBuffer) -> Bool {
        let ok = state.withLock { s in
            s.received += 1
            return s.received <= s.granted
        }
        if ok { requestSink.yield(message) }
        return ok
    }

    func requestsEnded() { requestSink.finish() }

    /// The client cancelled or went away: stop the handler, send nothing more.
    func abandon() {
        let task = state.withLock { s in
            s.trailersSent = true
            return s.task
        }
        requestSink.finish(throwing: CancellationError())
        responseCredit.fail(RPCError(code: .cancelled, message: "the client cancelled the call"))
        task?.cancel()
    }

    func finished() async { await state.withLock { $0.task }?.value }

    private func consumed() {
        let grant = state.withLock { s -> UInt32? in
            guard let n = s.tracker.consumedOne() else { return nil }
            s.granted += Int(n)
            return n
        }
        if let grant {
            let frame = Frame(kind: .window, stream: id, payload: .window(grant))
            let out = outbound
            Task { try? await out.write(frame) }
        }
    }

    func start(route: RPCRouter.Route, context: ServerContext, onEnd: @escaping @Sendable () -> Void) {
        let inbound = InboundMessages(stream: requests, onConsume: { [weak self] in self?.consumed() })
        let writer = ResponseWriter(stream: self)
        let task = Task {
            let trailers: CallTrailers
            var finalMessage: ByteBuffer?
            do {
                let outcome = try await Self.withDeadline(context.deadline, onExpiry: { [weak self] in
                    await self?.sendTrailers(CallTrailers(code: .deadlineExceeded, message: "deadline exceeded on the server", metadata: [:]))
                }) {
                    try await route.handler(inbound, writer, context)
                }
                trailers = CallTrailers(code: .ok, message: "", metadata: outcome.trailers)
                finalMessage = outcome.finalMessage
            } catch {
                let e = RPCError(wrapping: error)
                if e.code == .internal { context.logger.error("call failed: \(e)") }
                trailers = CallTrailers(code: e.code, message: e.message, metadata: e.metadata)
            }
            await self.sendTrailers(trailers, after: finalMessage)
            onEnd()
        }
        state.withLock { $0.task = task }
    }

    func send(_ message: ByteBuffer) async throws {
        try await responseCredit.acquire()
        guard !state.withLock({ $0.trailersSent }) else { throw CancellationError() }
        try await outbound.write(Frame(kind: .message, stream: id, payload: message))
    }

    private func sendTrailers(_ trailers: CallTrailers, after message: ByteBuffer? = nil) async {
        if message != nil {
            // The one response of a unary call: it needs a credit like any other message.
            try? await responseCredit.acquire()
        }
        let first = state.withLock { s in
            defer { s.trailersSent = true }
            return !s.trailersSent
        }
        guard first else { return }
        responseCredit.fail(RPCError(code: .cancelled, message: "the call has ended"))
        var frames: [Frame] = []
        if let message { frames.append(Frame(kind: .message, stream: id, payload: message)) }
        frames.append(ServerConnection.trailersFrame(id, trailers))
        try? await outbound.write(contentsOf: frames)
    }

    /// Runs `body`; at the deadline, answers DEADLINE_EXCEEDED at once (the handler may take a while
    /// to notice its cancellation) and cancels it.
    static func withDeadline<T: Sendable>(
        _ deadline: ContinuousClock.Instant?,
        onExpiry: @escaping @Sendable () async -> Void,
        _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        guard let deadline else { return try await body() }
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(until: deadline, clock: .continuous)
                await onExpiry()
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw RPCError(code: .deadlineExceeded, message: "deadline exceeded on the server")
            }
            return value
        }
    }
}

/// Where a handler writes its response messages; waits when the client's window is full.
package struct ResponseWriter: Sendable {
    fileprivate let stream: ServerStream
    package func write(_ message: ByteBuffer) async throws { try await stream.send(message) }
}
