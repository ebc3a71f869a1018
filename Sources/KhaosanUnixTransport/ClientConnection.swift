#if canImport(Glibc)
import Glibc
#endif
import KhaosanRPC
import Logging
import NIOCore
import NIOPosix
import Synchronization

/// One client connection: owns the channel and the table of open calls, and routes inbound
/// frames to them from the event loop.
final class ClientConnection: Sendable {
    let channel: any Channel
    /// Runs tasks on this connection's event loop (see `RPCClient.withConnectionExecutor`).
    let executor: EventLoopTaskExecutor
    /// One event-loop timer for the deadlines of all calls on this connection.
    let deadlines: DeadlineTimers
    private let configuration: RPCClientConfiguration
    private let state = Mutex(State())
    private let outbox = Mutex(Outbox())

    /// Frames waiting for the event loop, in the order they must reach the wire. One event-loop
    /// task writes everything queued by then and flushes once, so a producer on another thread
    /// costs one wake-up and one `writev` per burst, not per message.
    private struct Outbox {
        enum Item {
            case frame(Frame)
            /// A call's first frames: after writing them, the call is told and its timer armed.
            case open(ClientCall, [Frame])
        }
        var items: [Item] = []
        var scheduled = false
    }

    private struct State {
        var calls: [UInt32: ClientCall] = [:]
        var nextStreamID: UInt32 = 1
        var usable = true
    }

    private init(channel: any Channel, configuration: RPCClientConfiguration) {
        self.channel = channel
        self.executor = EventLoopTaskExecutor(channel.eventLoop)
        self.deadlines = DeadlineTimers(eventLoop: channel.eventLoop)
        self.configuration = configuration
        deadlines.onExpire { [weak self] id in
            self?.state.withLock { $0.calls[id] }?.expire()
        }
    }

    var isUsable: Bool { state.withLock { $0.usable } && channel.isActive }

    static func connect(configuration: RPCClientConfiguration, group: any EventLoopGroup, logger: Logger) async throws -> ClientConnection {
        let path = configuration.socketPath
        let box = Mutex<ClientConnection?>(nil)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(.nanoseconds(configuration.connectTimeout.nanoseconds))
                .channelInitializer { ch in
                    ch.eventLoop.makeCompletedFuture {
                        try ch.pipeline.syncOperations.addHandler(
                            ClientFrameHandler(maxPayload: configuration.maxMessageBytes, connection: { box.withLock { $0 } }))
                    }
                }
                .connect(unixDomainSocketPath: path)
                .get()
        } catch {
            throw RPCError(code: .unavailable, message: "cannot connect to \(path): \(Self.describe(error))", cause: error)
        }
        let connection = ClientConnection(channel: channel, configuration: configuration)
        box.withLock { $0 = connection }
        logger.trace("connected", metadata: ["rpc.socket": "\(path)"])
        return connection
    }

    private static func describe(_ error: any Error) -> String {
        // NIO's IOError reads "connect(descriptor:addr:size:): No such file or directory (errno:
        // 2)"; the reason alone reads as part of one sentence.
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)) }
        return "\(error)"
    }

    /// Opens a call. With `unaryMessage`, also sends that one request and half-closes, all three
    /// frames handed to the event loop at once (one wake-up, one flush).
    func open(path: String, deadline: ContinuousClock.Instant, metadata: Metadata, unaryMessage: MessageBuffer? = nil) throws -> ClientCall {
        let remaining = deadline - .now
        guard remaining > .zero else { throw RPCError(code: .deadlineExceeded, message: "deadline passed before the call started") }
        var payload = ByteBuffer()
        CallHeaders(path: path, timeoutNanos: UInt64(max(1, remaining.nanoseconds)), metadata: metadata).encode(into: &payload)
        // The server requires stream ids in increasing order, so the id is taken and the HEADERS
        // frame queued in one critical section: concurrent calls cannot swap them on the wire.
        let call: ClientCall? = state.withLock { s in
            guard s.usable else { return nil }
            let id = s.nextStreamID
            s.nextStreamID &+= 2
            let call = ClientCall(id: id, connection: self, window: configuration.streamWindow, deadline: deadline)
            s.calls[id] = call
            var frames = [Frame(kind: .headers, stream: id, payload: payload)]
            if let unaryMessage {
                call.markHalfClosed()
                frames.append(Frame(kind: .message, stream: id, payload: ByteBuffer(message: unaryMessage)))
                frames.append(Frame(kind: .halfClose, stream: id))
            }
            // Queued, even on the event loop: writing here, inside the lock, could re-enter it
            // (a failed flush closes the channel, whose handler takes the lock).
            enqueue(.open(call, frames))
            return call
        }
        guard let call else { throw RPCError(code: .unavailable, message: "connection is closing") }
        return call
    }

    /// Frames reach the wire in the order they were queued, a call's HEADERS (queued by `open`)
    /// first. On the event loop, a frame of a call whose HEADERS is out is written at once, after
    /// anything still queued.
    func write(_ frame: Frame, headersWritten: Bool) {
        if channel.eventLoop.inEventLoop, headersWritten {
            drainOutbox()
            channel.writeAndFlush(frame: frame)
        } else {
            enqueue(.frame(frame))
        }
    }

    private func enqueue(_ item: Outbox.Item) {
        let schedule = outbox.withLock { o in
            o.items.append(item)
            defer { o.scheduled = true }
            return !o.scheduled
        }
        if schedule { channel.eventLoop.execute { self.drainOutbox() } }
    }

    // Called on the event loop.
    private func drainOutbox() {
        let items = outbox.withLock { o in
            defer {
                o.items.removeAll(keepingCapacity: true)
                o.scheduled = false
            }
            return o.items
        }
        guard !items.isEmpty else { return }
        for item in items {
            switch item {
            case .frame(let frame):
                channel.write(frame: frame)
            case .open(let call, let frames):
                for frame in frames { channel.write(frame: frame) }
                call.headersWritten.store(true, ordering: .releasing)
                call.armDeadline(in: deadlines)
            }
        }
        channel.flush()
    }

    func remove(_ id: UInt32) { state.withLock { _ = $0.calls.removeValue(forKey: id) } }

    // Called on the event loop.
    fileprivate func received(_ frame: Frame) {
        let call = state.withLock { $0.calls[frame.stream] }
        switch frame.kind {
        case .message: call?.received(frame.payload)
        case .trailers:
            let trailers: CallTrailers
            do { trailers = try CallTrailers.decode(frame.payload) } catch {
                trailers = CallTrailers(code: .internal, message: "bad trailers from server: \(error)", metadata: [:])
            }
            remove(frame.stream)
            call?.ended(trailers)
        case .window:
            if let n = frame.payload.getInteger(at: frame.payload.readerIndex, as: UInt32.self) { call?.sendCredit.grant(Int(n)) }
        case .goAway:
            // Calls already open finish; new ones go to a new connection.
            state.withLock { $0.usable = false }
        default: break
        }
    }

    fileprivate func closed(_ error: (any Error)?) {
        deadlines.close()
        let calls = state.withLock { s in
            s.usable = false
            defer { s.calls.removeAll() }
            return Array(s.calls.values)
        }
        let why = error.map { "connection to \(configuration.socketPath) failed: \($0)" } ?? "connection to \(configuration.socketPath) closed"
        for call in calls { call.ended(CallTrailers(code: .unavailable, message: why, metadata: [:])) }
    }
}

/// Reads frames from the connection's bytes and routes them to its calls, on the event loop.
private final class ClientFrameHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let lookup: @Sendable () -> ClientConnection?
    // The connection is known once `connect` returns; looked up under its lock until then.
    private var resolved: ClientConnection?
    private var reader: FrameReader
    private var broken = false
    private var inactive = false

    init(maxPayload: Int, connection: @escaping @Sendable () -> ClientConnection?) {
        self.lookup = connection
        self.reader = FrameReader(maxPayload: maxPayload)
    }

    private var connection: ClientConnection? {
        if let resolved { return resolved }
        resolved = lookup()
        return resolved
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        do {
            // As on the server: a frame is handled after `reader.next` has returned, so a close
            // it causes (and the `channelInactive` that runs inside it) never meets the reader
            // mid-mutation.
            while !broken, !inactive, let frame = try reader.next(from: &buffer) {
                connection?.received(frame)
            }
        } catch {
            broken = true
            connection?.closed(error)
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        inactive = true
        let unread = reader.unreadBytes
        connection?.closed(!broken && unread > 0 ? FrameReader.truncated(unread) : nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        broken = true
        connection?.closed(error)
        context.close(promise: nil)
    }
}

/// Client side of one call.
final class ClientCall: RPCClientCall {
    let id: UInt32
    /// Set on the event loop once the HEADERS frame is written (see `ClientConnection.write`).
    let headersWritten = Atomic<Bool>(false)
    let sendCredit: SendCredit
    let responses: InboundMessages
    // Strong: a call may outlive its connection's place in the client (after a reconnect); the
    // connection drops the call from its table when the call ends, which breaks the cycle.
    private let connection: ClientConnection
    private let sink = MessageQueue()
    private let state: Mutex<State>
    private let deadline: ContinuousClock.Instant

    private struct State {
        var ended = false
        var halfClosed = false
        var trailers: Metadata = [:]
        var tracker: WindowTracker
    }

    init(id: UInt32, connection: ClientConnection, window: Int, deadline: ContinuousClock.Instant) {
        self.id = id
        self.connection = connection
        self.deadline = deadline
        self.sendCredit = SendCredit(initial: window)
        self.state = Mutex(State(tracker: WindowTracker(window: window)))
        let box = WeakCall()
        self.responses = InboundMessages(queue: sink, onConsume: { _ in box.call?.consumed() })
        box.call = self
    }

    /// The client enforces the deadline too: a stopped server never answers, and only a local
    /// timer catches that. Called on the event loop once the HEADERS frame is out.
    func armDeadline(in timers: DeadlineTimers) {
        let remaining = deadline - .now
        timers.arm(id, in: .nanoseconds(max(0, remaining.nanoseconds)))
        // Ended before its HEADERS went out: its own disarm may have come first.
        if state.withLock({ $0.ended }) { timers.disarm(id) }
    }

    func expire() {
        guard markEnded(trailers: [:]) else { return }
        write(Frame(kind: .cancel, stream: id))
        connection.remove(id)
        let error = RPCError(code: .deadlineExceeded, message: "deadline exceeded")
        sendCredit.fail(error)
        sink.finish(throwing: error)
    }

    private func markEnded(trailers: Metadata) -> Bool {
        let first = state.withLock { s in
            guard !s.ended else { return false }
            s.ended = true
            s.trailers = trailers
            return true
        }
        if first { connection.deadlines.disarm(id) }
        return first
    }

    var trailingMetadata: Metadata { state.withLock { $0.trailers } }

    func received(_ payload: ByteBuffer) { sink.yield(MessageBuffer(payload)) }

    func ended(_ trailers: CallTrailers) {
        guard markEnded(trailers: trailers.metadata) else { return }
        if trailers.code == .ok {
            sendCredit.fail(RPCError(code: .cancelled, message: "the server has ended the call"))
            sink.finish()
        } else {
            let error = RPCError(code: trailers.code, message: trailers.message, metadata: trailers.metadata)
            sendCredit.fail(error)
            sink.finish(throwing: error)
        }
    }

    private func consumed() {
        let grant = state.withLock { s in s.ended ? nil : s.tracker.consumedOne() }
        if let grant { write(Frame(kind: .window, stream: id, payload: .window(grant))) }
    }

    func markHalfClosed() { state.withLock { $0.halfClosed = true } }

    private func write(_ frame: Frame) {
        connection.write(frame, headersWritten: headersWritten.load(ordering: .acquiring))
    }

    /// Waits for a credit, then queues the message without waiting for the write itself: the
    /// window bounds what is in flight, and a broken connection ends the call (and the next send).
    func send(_ message: MessageBuffer) async throws {
        try await sendCredit.acquire()
        write(Frame(kind: .message, stream: id, payload: ByteBuffer(message: message)))
    }

    func halfClose() {
        let first = state.withLock { s in
            defer { s.halfClosed = true }
            return !s.halfClosed && !s.ended
        }
        if first { write(Frame(kind: .halfClose, stream: id)) }
    }

    func cancel() {
        guard markEnded(trailers: [:]) else { return }
        write(Frame(kind: .cancel, stream: id))
        connection.remove(id)
        let error = RPCError(code: .cancelled, message: "the call was cancelled")
        sendCredit.fail(error)
        sink.finish(throwing: error)
    }

    /// The caller is done with the call: anything still open is cancelled on the server.
    func finish() {
        if !state.withLock({ $0.ended }) { cancel() }
    }
}

private final class WeakCall: @unchecked Sendable {
    // Set once, before the call is shared; read from the consumer's task afterwards.
    weak var call: ClientCall?
}
