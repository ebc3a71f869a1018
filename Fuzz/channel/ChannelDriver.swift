#if canImport(Glibc)
import Glibc
#endif
import KhaosanRPC
import KhaosanUnixTransport
import Logging
import NIOCore
import NIOEmbedded
import Synchronization

/// Runs one input against the server's real connection pipeline (`ServerConnection.installHandlers`)
/// on a testing channel, then checks what must hold once the peer has hung up.
///
/// A NIOAsyncTestingChannel rather than an EmbeddedChannel: the server's streaming-request calls
/// run on Swift's pool and write through `channel.eventLoop.execute`, and the EmbeddedEventLoop
/// may be used from the thread that made it only. The testing loop is thread-safe and has the
/// same manual clock: nothing runs there unless the driver runs the loop or moves its time.
struct ChannelDriver {
    let input: FuzzInput

    /// A failed check ends the process (SIGILL): libFuzzer reports it and keeps the input.
    private func check(_ ok: Bool, _ what: @autoclosure () -> String) {
        if !ok { fatalError("channel fuzz: \(what())") }
    }

    func run() async {
        let census = Census()
        let loop = NIOAsyncTestingEventLoop()
        let channel = NIOAsyncTestingChannel(loop: loop)
        let configuration = input.configuration()
        let ledger = PeerLedger(maxCallsPerUID: configuration.maxCallsPerUID)
        let peer = PeerCredentials(pid: 4242, uid: input.peerUID, gid: 4242)
        let logger = Logger(label: "fuzz.channel", factory: { _ in SwiftLogNoOpLogHandler() })
        let connection = ServerConnection(
            channel: channel, peer: peer, router: FuzzMethods.router(census), configuration: configuration, logger: logger,
            ledger: ledger, refusal: input.refused ? (cap: "connections", message: "fuzz: the server is at its connection cap") : nil)
        let socket = PeerSocket(input.stream, maxPayload: configuration.maxMessageBytes)
        let peerGone = PeerGone(socket: socket)
        do {
            try await loop.executeInContext {
                try channel.pipeline.syncOperations.addHandler(peerGone)
                try connection.installHandlers()
            }
            try await channel.register()
            try await channel.connect(to: SocketAddress(unixDomainSocketPath: "/fuzz/peer.sock")).get()
        } catch {
            fatalError("channel fuzz: cannot set the pipeline up: \(error)")
        }
        // As RPCServer.serve: run() returns once the channel has closed and its calls have ended.
        let served = Flag()
        Task {
            await connection.run()
            served.set()
        }

        /// One read of up to `n` bytes (or of the next frame), if the channel would read now.
        @Sendable func read(_ n: Int?, thenClose: Bool = false) {
            if channel.isActive, !peerGone.sawInactive, PeerGone.autoRead(channel), !socket.isEmpty {
                let bytes = n.map { socket.take($0) } ?? socket.takeFrame()
                channel.pipeline.fireChannelRead(ByteBuffer(bytes: bytes))
                channel.pipeline.fireChannelReadComplete()
            }
            if thenClose { channel.close(promise: nil) }
        }
        func deliver(_ n: Int?, thenClose: Bool = false) async {
            try? await loop.executeInContext { read(n, thenClose: thenClose) }
        }

        for event in input.schedule {
            switch event {
            case .feed(let a):
                await deliver(a + 1)
            case .feedMany(let a):
                await deliver((a + 1) * (a + 1) * 16)
            case .drip(let a):
                for _ in 0..<(4 * (a + 1)) { await deliver(1) }
            case .frames(let a):
                for _ in 0...a { await deliver(nil) }
            case .runLoop(let a):
                await loop.run()
                if a >= 24 {
                    try? await Task.sleep(for: .microseconds(250 * (a - 23)))
                } else if a > 0 {
                    await Task.yield()
                }
                await loop.run()
            case .advanceTime(let a):
                await loop.advanceTime(by: .nanoseconds(FuzzInput.steps[a % FuzzInput.steps.count]))
            case .writeFaults(let a):
                let mode: PeerGone.Mode = switch a % 4 {
                case 0: .healthy
                case 1: .failAfter(0)
                case 2: .failAfter(1 + a >> 2)
                default: .gone
                }
                try? await loop.executeInContext { peerGone.mode = mode }
            case .end(let a):
                switch FuzzInput.Ending(rawValue: a % 8)! {
                case .close:
                    try? await channel.close().get()
                    check(!channel.isActive, "the channel is still active after close()")
                case .inactive:
                    try? await loop.executeInContext { channel.pipeline.fireChannelInactive() }
                case .errorCaught:
                    try? await loop.executeInContext { channel.pipeline.fireErrorCaught(IOError(errnoCode: EPIPE, reason: "read")) }
                    await loop.run()
                    check(!channel.isActive, "the channel is still active after an error reached the connection")
                case .drain:
                    connection.drain()
                case .forceClose:
                    connection.forceClose(reason: "fuzz")
                    await loop.run()
                    check(!channel.isActive, "the channel is still active after forceClose")
                case .readThenClose, .readThenClose2, .readThenClose3:
                    await deliver(1 + 5 * (a >> 3), thenClose: true)
                    check(!channel.isActive, "the channel is still active after a read and close()")
                }
            }
        }

        // The peer's last bytes, then it hangs up: the channel closes (no half-closure).
        await deliver(Int.max)
        await loop.run()
        try? await channel.close().get()
        check(!channel.isActive, "the channel is still active after the peer hung up")

        // Every call must end once the channel has closed, with nothing but the loop running.
        // (Yielding first: run() usually returns within microseconds, and sleeping even 50 µs
        // cost more than the rest of an input.)
        let start = ContinuousClock.now
        var turns = 0
        while !served.isSet {
            await loop.run()
            if ContinuousClock.now - start > .seconds(20) {
                check(false, "20 s after the close, run() has not returned: \(connection.openCalls) calls open, \(census.running) handlers running")
            }
            turns += 1
            if turns < 100 { await Task.yield() } else { try? await Task.sleep(for: .microseconds(200)) }
        }
        check(census.running == 0, "\(census.running) handlers still running after run() returned")
        check(connection.openCalls == 0, "\(connection.openCalls) calls still open after run() returned")
        check(ledger.openCalls(uid: peer.uid) == 0, "the uid's ledger still counts \(ledger.openCalls(uid: peer.uid)) calls")
        check(connection.queuedRequestBytes == 0, "the connection's budget still counts \(connection.queuedRequestBytes) bytes")

        await checkOutput(channel, census: census, peerGone: peerGone, configuration: configuration)
        _ = try? await channel.finish(acceptAlreadyClosed: true)
        await loop.shutdownGracefully()
    }

    /// The server started only calls the peer's HEADERS frames opened, and what it wrote is
    /// well-formed frames, of the kinds a server sends, answering only streams the peer's frames
    /// named. A frame can be cut short only by a failed write.
    private func checkOutput(_ channel: NIOAsyncTestingChannel, census: Census, peerGone: PeerGone, configuration: RPCServerConfiguration) async {
        var written = ByteBuffer()
        while let part = try? await channel.readOutbound(as: ByteBuffer.self) { written.writeImmutableBuffer(part) }
        let failedFlushes = (try? await channel.testingEventLoop.executeInContext { peerGone.failedFlushes }) ?? 0
        let named = PeerSocket.named(in: input.stream, maxPayload: configuration.maxMessageBytes)
        for call in census.openedCalls {
            check(named.calls.contains(call), "the server started a call of \(call.path) that no HEADERS frame of the peer opened")
        }
        var reader = FrameReader(maxPayload: 1 << 24)
        do {
            while let frame = try reader.next(from: &written) {
                switch frame.kind {
                case .goAway:
                    check(frame.stream == 0, "GOAWAY on stream \(frame.stream)")
                case .message, .window, .trailers:
                    check(named.streams.contains(frame.stream), "the server wrote \(frame.kind) on stream \(frame.stream), which no frame of the peer named (peer's: \(named.streams.sorted()))")
                    if frame.kind == .trailers {
                        check((try? CallTrailers.decode(frame.payload)) != nil, "the server wrote TRAILERS that do not decode")
                    }
                default:
                    check(false, "the server wrote a \(frame.kind) frame")
                }
            }
        } catch {
            check(false, "the server wrote bytes that are not frames: \(error)")
        }
        check(reader.unreadBytes == 0 || failedFlushes > 0, "the server's output ends inside a frame with no write failed")
    }
}

/// Set once, read from the driver.
final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .acquiring) }
    func set() { value.store(true, ordering: .releasing) }
}
