package import KhaosanRPC
package import Logging
package import NIOCore
import Synchronization

/// One accepted connection. Frames are handled as they are decoded, on the connection's event
/// loop, with no task switch. A call with one request runs as a task whose executor is that same
/// event loop, so a unary call (request in, response and trailers out) is answered without waking
/// another thread; streaming-request calls run on Swift's pool (see `RPCRouter.Route`).
/// Calls on one connection run concurrently; each has its own flow-control window both ways.
package final class ServerConnection: Sendable {
    let channel: any Channel
    package let peer: PeerCredentials
    private let router: RPCRouter
    private let configuration: RPCServerConfiguration
    private let logger: Logger
    private let executor: EventLoopTaskExecutor
    private let deadlines: DeadlineTimers
    private let ledger: PeerLedger
    private let budget: InboundBudget
    /// Set when the connection was let in over a cap only to say so: every call on it is
    /// answered RESOURCE_EXHAUSTED naming the cap, then it closes (a bare hang-up would be
    /// retried as UNAVAILABLE).
    private let refusal: (cap: String, message: String)?
    private let state = Mutex(State())

    private struct State {
        var streams: [UInt32: ServerStream] = [:]
        var lastStreamID: UInt32 = 0
        var draining = false
        var sawFirstFrame = false
        var lastActivity = ContinuousClock.now
    }

    package init(channel: any Channel, peer: PeerCredentials, router: RPCRouter, configuration: RPCServerConfiguration, logger: Logger,
         ledger: PeerLedger? = nil, refusal: (cap: String, message: String)? = nil) {
        self.channel = channel
        self.peer = peer
        self.router = router
        self.configuration = configuration
        self.logger = logger
        self.ledger = ledger ?? PeerLedger(maxCallsPerUID: configuration.maxCallsPerUID)
        self.budget = InboundBudget(channel: channel, limit: configuration.maxBufferedBytesPerConnection)
        self.refusal = refusal
        self.executor = EventLoopTaskExecutor(channel.eventLoop)
        self.deadlines = DeadlineTimers(eventLoop: channel.eventLoop)
        deadlines.onExpire { [weak self] id in
            self?.state.withLock { $0.streams[id] }?.expire()
        }
        budget.whenStuck { [weak self] in self?.unstick() }
    }

    /// Reading has been paused a while for queued requests, and calls wait for a WINDOW from the
    /// client that cannot be read meanwhile: those calls are ended, which frees their requests.
    private func unstick() {
        let calls = state.withLock { s in s.streams.values.filter { $0.responseCredit.hasWaiters } }
        for call in calls {
            call.refuse("the client has not taken this call's responses while \(budget.bytes) bytes of requests wait on the connection (limit \(budget.limit))")
        }
    }

    /// Puts the connection's handlers on its channel's pipeline; on the channel's event loop,
    /// before the channel reads. The server installs an accepted connection's handlers through
    /// this and nothing else, and so does the channel fuzzer (Fuzz/channel): it drives exactly
    /// the pipeline a peer meets.
    package func installHandlers() throws {
        try channel.pipeline.syncOperations.addHandler(ServerFrameHandler(connection: self, maxPayload: configuration.maxMessageBytes, frameReadTimeout: configuration.frameReadTimeout))
    }

    /// Calls started and not yet ended, and request bytes queued for their handlers: both must
    /// be back at zero once `run` has returned (the channel fuzzer checks).
    package var openCalls: Int { state.withLock { $0.streams.count } }
    package var queuedRequestBytes: Int { budget.bytes }

    /// Returns when the connection has closed and its last call has ended.
    package func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.watch() }
            try? await channel.closeFuture.get()
            group.cancelAll()
        }
        deadlines.close()
        // The peer is gone or broke the protocol: nobody is left to read the answers.
        let calls = state.withLock { s in s.streams.values.map { $0 } }
        for call in calls { call.abandon() }
        for call in calls { await call.finished() }
    }

    /// When the connection last started or ended a call, if none is open (and it is not closing).
    var idleSince: ContinuousClock.Instant? {
        state.withLock { s in s.streams.isEmpty && !s.draining ? s.lastActivity : nil }
    }

    /// Sends GOAWAY; the connection closes when its last call ends.
    package func drain() {
        let idle: Bool = state.withLock { s in
            s.draining = true
            return s.streams.isEmpty
        }
        channel.writeAndFlush(frame: Frame(kind: .goAway, stream: 0))
        if idle { channel.close(promise: nil) }
    }

    package func forceClose(reason: String) {
        logger.notice("closing connection", metadata: ["reason": "\(reason)"])
        channel.close(promise: nil)
    }

    private func watch() async {
        let start = ContinuousClock.now
        let firstFrameTimeout = refusal == nil ? configuration.firstFrameTimeout : min(configuration.firstFrameTimeout, .seconds(1))
        let tick = min(firstFrameTimeout, configuration.idleTimeout) / 4
        while !Task.isCancelled {
            try? await Task.sleep(for: max(tick, .milliseconds(10)))
            let (seen, idleFor, busy) = state.withLock { s in (s.sawFirstFrame, ContinuousClock.now - s.lastActivity, !s.streams.isEmpty) }
            if !seen, ContinuousClock.now - start > firstFrameTimeout {
                forceClose(reason: "no frame within \(firstFrameTimeout)")
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

    /// `refusal` names the limit when the refusal is about the caller, not the request (see
    /// `Metadata.refusalKey`).
    /// Counted as `khaosan_rpc_rejected_total{code,refusal}`, not per method: the path of a call
    /// answered here may be anything a peer sent (refusal is one of the caps' few names).
    private func reject(_ stream: UInt32, _ code: RPCError.Code, _ message: String, refusal: String? = nil) {
        CallMetrics.rejected(code, refusal: refusal)
        let metadata: Metadata = refusal.map { [Metadata.refusalKey: $0] } ?? [:]
        channel.writeAndFlush(frame: Self.trailersFrame(stream, CallTrailers(code: code, message: message, metadata: metadata)))
    }

    // MARK: Event loop side

    /// A decoding error ends the connection; an oversize frame first gets its call a
    /// RESOURCE_EXHAUSTED answer when the header said which call it was.
    fileprivate func failed(_ error: any Error) {
        if let error = error as? FrameError {
            logger.warning("closing connection: \(error)")
            if case .tooLarge(_, _, let stream?) = error.reason, stream != 0 {
                reject(stream, .resourceExhausted, error.description)
            }
        } else {
            logger.debug("connection ended", metadata: ["error": "\(error)"])
        }
        channel.close(promise: nil)
    }

    fileprivate func received(_ frame: Frame) throws(FrameError) {
        // Activity for the idle timeout is a call starting or ending (a clock read per frame was
        // a measurable part of a round trip); a connection with a call open is never idle.
        let stream = state.withLock { s -> ServerStream? in
            s.sawFirstFrame = true
            return s.streams[frame.stream]
        }
        switch frame.kind {
        case .headers:
            try open(frame)
        case .message:
            guard let stream else { return }  // the call already ended; late messages are dropped
            if !stream.receive(frame.payload, budget: budget) {
                stream.abandon()
                reject(frame.stream, .resourceExhausted, "peer sent more messages than its window allows", refusal: "stream-window")
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

    private func open(_ frame: Frame) throws(FrameError) {
        let id = frame.stream
        let headers: CallHeaders
        do {
            headers = try CallHeaders.decode(frame.payload)
        } catch {
            return reject(id, .invalidArgument, error.description)
        }
        enum Admission { case ok, draining, reused, busy }
        let admission: Admission = state.withLock { s in
            if s.draining { return .draining }
            if id == 0 || id <= s.lastStreamID { return .reused }
            if s.streams.count >= configuration.maxConcurrentCallsPerConnection { return .busy }
            s.lastStreamID = id
            s.lastActivity = .now
            return .ok
        }
        if let refusal {
            reject(id, .resourceExhausted, refusal.message, refusal: refusal.cap)
            channel.close(promise: nil)
            return
        }
        switch admission {
        case .ok: break
        case .draining: return reject(id, .unavailable, "server is shutting down", refusal: "draining")
        case .reused: throw FrameError(reason: .malformed("stream id \(id) is not new"))
        case .busy: return reject(id, .resourceExhausted, "too many concurrent calls on one connection (max \(configuration.maxConcurrentCallsPerConnection))", refusal: "calls-per-connection")
        }
        guard let route = router.route(for: headers.path) else {
            return reject(id, .unimplemented, "unknown method \(headers.path)")
        }
        guard configuration.peerPolicy.allows(uid: peer.uid, service: route.service) else {
            return reject(id, .permissionDenied, "uid \(peer.uid) may not call \(route.service)")
        }
        guard ledger.startCall(uid: peer.uid) else {
            return reject(id, .resourceExhausted, "uid \(peer.uid) has \(ledger.maxCallsPerUID) calls open, the most one uid may hold", refusal: "calls-per-uid")
        }
        let requestID = RequestID.accept(headers.metadata[Metadata.requestIDKey])
        let timeout = headers.timeoutNanos == 0 ? nil : Int64(clamping: headers.timeoutNanos)
        let deadline: ContinuousClock.Instant? = timeout.map { .now + .nanoseconds($0) }
        let context = ServerContext(path: headers.path, metadata: headers.metadata, deadline: deadline, peer: peer, requestID: requestID, connectionLogger: logger)
        let call = ServerStream(id: id, window: configuration.streamWindow, channel: channel)
        state.withLock { $0.streams[id] = call }
        if let timeout { deadlines.arm(id, in: .nanoseconds(timeout)) }
        call.start(route: route, context: context, executor: executor) { [self] in
            deadlines.disarm(id)
            ledger.endCall(uid: peer.uid)
            budget.release(call.dropQueued())
            let close: Bool = state.withLock { s in
                s.streams[id] = nil
                s.lastActivity = .now
                return s.draining && s.streams.isEmpty
            }
            if close { channel.close(promise: nil) }
        }
    }
}

/// Reads frames from the connection's bytes and hands them to it, on the event loop. The first
/// framing error ends the connection; nothing read after it is looked at.
final class ServerFrameHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let connection: ServerConnection
    private var reader: FrameReader
    private var broken = false
    private var inactive = false
    /// A frame must arrive whole within this time of its first byte. The first-frame and idle
    /// timeouts say nothing once a call is open, so a MESSAGE dripped a byte at a time held its
    /// call (and its share of every cap) for ever (issue 13, item 5).
    private let frameReadTimeout: TimeAmount
    private var frameTimer: Scheduled<Void>?
    private var framesRead = 0
    private var framesReadWhenArmed = 0
    /// Reads that arrived while a read was being handled, taken after it in order. NIO reads
    /// the socket dry inside a flush whose write failed, before it closes the channel
    /// (BaseSocketChannel.flushNow), so an answer written from here brings the peer's next bytes
    /// in while the rest of this read has not been taken: the frame reader took those next
    /// bytes as the stream's, out of place (a frame's payload read as frames, found by the
    /// channel fuzzer, Fuzz/channel).
    private var reading = false
    private var laterReads = CircularBuffer<ByteBuffer>()

    init(connection: ServerConnection, maxPayload: Int, frameReadTimeout: Duration = .seconds(10)) {
        self.connection = connection
        self.reader = FrameReader(maxPayload: maxPayload)
        self.frameReadTimeout = .nanoseconds(frameReadTimeout.nanoseconds)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !reading else {
            laterReads.append(unwrapInboundIn(data))
            return
        }
        reading = true
        var next: ByteBuffer? = unwrapInboundIn(data)
        while var buffer = next {
            do {
                // Each frame is handled after `reader.next` has returned: handling it can close
                // the channel (an answer whose write fails), which runs `channelInactive`
                // re-entrantly, here, and that looks at the reader. Frames after a close are not
                // looked at.
                while !broken, !inactive, let frame = try reader.next(from: &buffer) {
                    framesRead &+= 1
                    try connection.received(frame)
                }
            } catch {
                broken = true
                connection.failed(error)
            }
            next = laterReads.popFirst()
        }
        reading = false
        timeFrame(context: context)
    }

    /// Arms the frame timer when a read leaves a frame incomplete, re-arms it when that is a new
    /// frame, and cancels it when nothing is left over.
    private func timeFrame(context: ChannelHandlerContext) {
        let partial = !broken && !inactive && reader.unreadBytes > 0
        if let timer = frameTimer, !partial || framesRead != framesReadWhenArmed {
            timer.cancel()
            frameTimer = nil
        }
        guard partial, frameTimer == nil else { return }
        framesReadWhenArmed = framesRead
        let connection = self.connection
        let timeout = frameReadTimeout
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        frameTimer = context.eventLoop.scheduleTask(in: timeout) {
            let handler = loopBound.value
            handler.frameTimer = nil
            guard !handler.broken, !handler.inactive else { return }
            handler.broken = true
            connection.failed(FrameError(reason: .malformed("frame not complete \(timeout.nanoseconds / 1_000_000) ms after its first byte (\(handler.reader.unreadBytes) bytes so far)")))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        frameTimer?.cancel()
        frameTimer = nil
        inactive = true
        if !broken, reader.unreadBytes > 0 {
            broken = true
            connection.failed(FrameReader.truncated(reader.unreadBytes))
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        broken = true
        connection.failed(error)
    }
}

/// Runs tasks on a NIO event loop, so a call's handler and the channel it answers on share a
/// thread: no wake-up of another core between reading a request and writing its response.
/// Handlers must not block; the query service's database work runs on a NIO thread pool.
package final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    // Unchecked: an EventLoop is Sendable, and this class has no other state.
    private let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    package func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

/// Server side of one call.
final class ServerStream: ServerCallResponses {
    let id: UInt32
    let responseCredit: SendCredit
    private let channel: any Channel
    private let requestSink = MessageQueue()
    private let state: Mutex<State>

    private struct State {
        var task: Task<Void, Never>?
        var trailersSent = false
        var received = 0
        var granted: Int
        var tracker: WindowTracker
        /// Bytes queued for the handler and counted in the connection's `InboundBudget`.
        var queuedBytes = 0
        var budget: InboundBudget?
        /// The call has ended and given its bytes back: a late message is not counted again.
        var settled = false
        /// Set by `start`: what the call's metrics and its end-of-call log line need.
        var context: ServerContext?
        var started = ContinuousClock.now
    }

    init(id: UInt32, window: Int, channel: any Channel) {
        self.id = id
        self.channel = channel
        self.responseCredit = SendCredit(initial: window)
        state = Mutex(State(granted: window, tracker: WindowTracker(window: window)))
    }

    /// Accepts one inbound message; false when the peer ignored flow control.
    func receive(_ message: ByteBuffer, budget: InboundBudget) -> Bool {
        let n = message.readableBytes
        let (ok, queue) = state.withLock { s -> (Bool, Bool) in
            s.received += 1
            guard s.received <= s.granted else { return (false, false) }
            // Arriving as the call ends (it was looked up just before): dropped, and not
            // counted, or the connection's budget would keep bytes nobody gives back.
            guard !s.settled else { return (true, false) }
            s.queuedBytes += n
            s.budget = budget
            return (true, true)
        }
        if queue {
            budget.add(n)
            requestSink.yield(MessageBuffer(message))
        }
        return ok
    }

    /// The call has ended: what its handler never took no longer counts against the connection.
    func dropQueued() -> Int {
        state.withLock { s in
            defer { s.queuedBytes = 0; s.budget = nil; s.settled = true }
            return s.queuedBytes
        }
    }

    func requestsEnded() { requestSink.finish() }

    /// The client cancelled or went away: stop the handler, send nothing more.
    func abandon() {
        let (task, first) = state.withLock { s in
            defer { s.trailersSent = true }
            return (s.task, !s.trailersSent)
        }
        if first { ended(.cancelled) }
        requestSink.finish(throwing: CancellationError())
        responseCredit.fail(RPCError(code: .cancelled, message: "the client cancelled the call"))
        task?.cancel()
    }

    func finished() async { await state.withLock { $0.task }?.value }

    private func consumed(_ bytes: Int) {
        let (grant, budget) = state.withLock { s -> (UInt32?, InboundBudget?) in
            let budget = s.budget
            if budget != nil { s.queuedBytes -= bytes }
            guard let n = s.tracker.consumedOne() else { return (nil, budget) }
            s.granted += Int(n)
            return (n, budget)
        }
        budget?.release(bytes)
        if let grant { channel.writeAndFlush(frame: Frame(kind: .window, stream: id, payload: .window(grant))) }
    }

    /// Starts the handler; `onEnd` runs once it has answered.
    func start(route: RPCRouter.Route, context: ServerContext, executor: EventLoopTaskExecutor,
               onEnd: @escaping @Sendable () -> Void) {
        let inbound = InboundMessages(queue: requestSink, onConsume: { [weak self] n in self?.consumed(n) })
        let writer = ResponseWriter(self)
        state.withLock { s in
            s.context = context
            s.started = .now
        }
        // Unstructured: the call is opened by a frame on the event loop, which cannot wait for it.
        // It is not lost: the connection keeps it in its table until `onEnd`, and `run()` waits
        // for every call (`finished()`) before the connection is gone.
        let task = Task(executorPreference: route.onEventLoop ? executor : nil) {
            let (trailers, finalMessage) = await RPCRouter.respond(with: route, inbound, writer, context)
            await self.sendTrailers(trailers, after: finalMessage.map(ByteBuffer.init(message:)))
            onEnd()
        }
        state.withLock { $0.task = task }
    }

    /// The deadline passed (the connection's `DeadlineTimers` says so): the call is answered
    /// DEADLINE_EXCEEDED at once, as the handler may take a while to notice its cancellation.
    func expire() {
        let task = state.withLock { $0.task }
        writeTrailers(CallTrailers(code: .deadlineExceeded, message: "deadline exceeded on the server", metadata: [:]), after: nil)
        requestSink.finish(throwing: RPCError(code: .deadlineExceeded, message: "deadline exceeded on the server"))
        task?.cancel()
    }

    /// The connection is stuck behind this call's unread responses (see `InboundBudget`).
    func refuse(_ message: String) {
        let task = state.withLock { $0.task }
        writeTrailers(CallTrailers(code: .resourceExhausted, message: message, metadata: [Metadata.refusalKey: "unread-responses"]), after: nil)
        requestSink.finish(throwing: RPCError(code: .resourceExhausted, message: message))
        task?.cancel()
    }

    func send(_ message: MessageBuffer) async throws {
        try await responseCredit.acquire()
        guard !state.withLock({ $0.trailersSent }) else { throw CancellationError() }
        // Not waiting for the write: the client's window bounds what is queued.
        channel.writeAndFlush(frame: Frame(kind: .message, stream: id, payload: ByteBuffer(message: message)))
    }

    private func sendTrailers(_ trailers: CallTrailers, after message: ByteBuffer? = nil) async {
        if message != nil {
            // The one response of a unary call: it needs a credit like any other message.
            try? await responseCredit.acquire()
        }
        writeTrailers(trailers, after: message)
    }

    /// Records the call's metrics once, with the code its peer is told (or CANCELLED when the
    /// peer went away): the one place every call of every method passes as it ends.
    private func ended(_ code: RPCError.Code) {
        let (context, started) = state.withLock { ($0.context, $0.started) }
        guard let context else { return }
        let duration = ContinuousClock.now - started
        CallMetrics.record(path: context.path, code: code, duration: duration)
        // Built only when it will be written: a logger with metadata costs a unary round trip
        // a twentieth (see `ServerContext.logger`).
        if context.connectionLogger.logLevel <= .debug {
            context.logger.debug("call ended", metadata: [
                "rpc.code": "\(code)",
                "rpc.duration_ms": "\(Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15)",
            ])
        }
    }

    /// The first caller wins; the response (if any) and the trailers go out in one flush.
    private func writeTrailers(_ trailers: CallTrailers, after message: ByteBuffer?) {
        let first = state.withLock { s in
            defer { s.trailersSent = true }
            return !s.trailersSent
        }
        guard first else { return }
        ended(trailers.code)
        responseCredit.fail(RPCError(code: .cancelled, message: "the call has ended"))
        let id = self.id
        let channel = self.channel
        let trailersFrame = ServerConnection.trailersFrame(id, trailers)
        if channel.eventLoop.inEventLoop {
            if let message { channel.write(frame: Frame(kind: .message, stream: id, payload: message)) }
            channel.writeAndFlush(frame: trailersFrame)
        } else {
            channel.eventLoop.execute {
                if let message { channel.write(frame: Frame(kind: .message, stream: id, payload: message)) }
                channel.writeAndFlush(frame: trailersFrame)
            }
        }
    }
}
