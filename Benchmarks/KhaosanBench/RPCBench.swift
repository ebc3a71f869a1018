// RPC figures, measured side by side in one run: the raw Unix-socket ping-pong floor, Khaosan
// unary round trips, and one-way streaming of 9 KB release messages.
import Foundation
import KhaosanModel
import KhaosanRPC
import KhaosanWire
import Logging
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// Raw bytes as a message: isolates the transport from the protobuf bridge.
struct BenchBlob: WireMessage {
    static let protoName = "bench.Blob"
    var bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    init(wireBytes: UnsafeRawBufferPointer, limits: WireLimits) throws(WireError) { bytes = Array(wireBytes) }
    func wireBytes() throws(WireError) -> [UInt8] { bytes }
}

struct Percentiles {
    var p50: Double
    var p99: Double
    init(_ samples: [Double]) {
        let s = samples.sorted()
        p50 = s[s.count / 2]
        p99 = s[min(s.count - 1, Int(Double(s.count) * 0.99))]
    }
}

enum RPCBench {
    static let echo = MethodDescriptor(service: "bench.v1.Bench", method: "Echo", idempotent: true)
    static let echoRelease = MethodDescriptor(service: "bench.v1.Bench", method: "EchoRelease", idempotent: true)
    static let sink = MethodDescriptor(service: "bench.v1.Bench", method: "Sink", idempotent: false)

    static func micros(_ d: Duration) -> Double {
        Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) / 1e12
    }

    /// Blocking ping-pong over a Unix socket with plain read/write on two threads: the floor any
    /// RPC layer on this machine sits on.
    static func rawPingPong(size: Int, iterations: Int) -> Percentiles {
        var fds: [Int32] = [0, 0]
        socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds)
        let serverFD = fds[1]
        let server = Thread {
            var buf = [UInt8](repeating: 0, count: size)
            for _ in 0..<(iterations + 100) {
                guard readFully(serverFD, &buf) else { return }
                _ = buf.withUnsafeBytes { write(serverFD, $0.baseAddress, $0.count) }
            }
        }
        server.start()
        var buf = [UInt8](repeating: 7, count: size)
        var samples: [Double] = []
        samples.reserveCapacity(iterations)
        let clock = ContinuousClock()
        for i in 0..<(iterations + 100) {
            let start = clock.now
            _ = buf.withUnsafeBytes { write(fds[0], $0.baseAddress, $0.count) }
            _ = readFully(fds[0], &buf)
            if i >= 100 { samples.append(micros(clock.now - start)) }
        }
        close(fds[0]); close(fds[1])
        return Percentiles(samples)
    }

    static func readFully(_ fd: Int32, _ buf: inout [UInt8]) -> Bool {
        var off = 0
        while off < buf.count {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress! + off, $0.count - off) }
            if n <= 0 { return false }
            off += n
        }
        return true
    }

    static func run(iterations: Int, streamMessages: Int) async throws -> [(String, String)] {
        var out: [(String, String)] = []
        let release = WireBench.sampleRelease()
        let releaseBytes = try release.wireBytes().count
        for size in [100, releaseBytes] {
            let p = rawPingPong(size: size, iterations: iterations)
            out.append(("raw unix ping-pong \(size) B p50 / p99", String(format: "%.1f / %.1f us", p.p50, p.p99)))
        }

        let dir = "/tmp/khaosan-bench-\(getpid())"
        let path = dir + "/b.sock"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for size in [100, releaseBytes] {
            let p = try await NIOPingPong.run(path: dir + "/nio.sock", size: size, iterations: iterations)
            out.append(("SwiftNIO channel-handler ping-pong \(size) B p50 / p99", String(format: "%.1f / %.1f us", p.p50, p.p99)))
        }
        var router = RPCRouter()
        router.unary(echo) { (m: BenchBlob, _) in m }
        router.unary(echoRelease) { (m: Release, _) in m }
        let counted = Counter()
        router.clientStreaming(sink) { (requests: RequestStream<Release>, _) -> BenchBlob in
            var n = 0
            for try await _ in requests { n += 1 }
            counted.add(n)
            return BenchBlob(Array("\(n)".utf8))
        }
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        // The server gets event-loop threads of its own, as it has in its own process; sharing the
        // client's would let some calls skip a thread wake-up and flatter the figures.
        let serverGroup = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let server = RPCServer(configuration: RPCServerConfiguration(socketPath: path), router: router, logger: logger, eventLoopGroup: serverGroup)
        let serverTask = Task { try await server.run() }
        try await server.waitUntilListening()
        let client = RPCClient(configuration: RPCClientConfiguration(socketPath: path), logger: logger)
        let clock = ContinuousClock()

        /// Round-trip samples in microseconds, after a warm-up of 200 calls.
        @Sendable func roundTrips(_ call: @Sendable () async throws -> Void) async throws -> [Double] {
            var samples: [Double] = []
            for i in 0..<(iterations + 200) {
                let start = clock.now
                try await call()
                if i >= 200 { samples.append(micros(clock.now - start)) }
            }
            return samples
        }
        // Two placements of the calling task: Swift's thread pool (any async code), and the
        // client connection's event loop (RPCClient.withConnectionExecutor), which saves the two
        // hand-offs between the pool and the event loop.
        for onEventLoop in [false, true] {
            let placement = onEventLoop ? "caller on the client's event loop" : "caller on the thread pool"
            func measure(_ call: @escaping @Sendable () async throws -> Void) async throws -> [Double] {
                if onEventLoop {
                    return try await client.withConnectionExecutor { try await roundTrips(call) }
                }
                return try await roundTrips(call)
            }
            for size in [100, releaseBytes] {
                let payload = BenchBlob([UInt8](repeating: 0x41, count: size))
                let samples = try await measure { let _: BenchBlob = try await client.unary(echo, payload) }
                let p = Percentiles(samples)
                out.append(("khaosan unary \(size) B, \(placement), p50 / p99", String(format: "%.1f / %.1f us", p.p50, p.p99)))
                out.append(("khaosan unary \(size) B, \(placement), sequential calls/s", String(format: "%.0f", 1e6 / (samples.reduce(0, +) / Double(samples.count)))))
            }
            let p = Percentiles(try await measure { let _: Release = try await client.unary(echoRelease, release) })
            out.append(("khaosan unary Release (\(releaseBytes) B, bridge both ways), \(placement), p50 / p99", String(format: "%.1f / %.1f us", p.p50, p.p99)))
        }

        // The CPU cost of a round trip without thread wake-ups: a second server and a client that
        // share one event-loop thread, the caller on that thread too. The difference to the figures
        // above is what waking the other thread costs on this machine.
        do {
            let oneThread = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            let onePath = dir + "/one.sock"
            let oneServer = RPCServer(configuration: RPCServerConfiguration(socketPath: onePath), router: router, logger: logger, eventLoopGroup: oneThread)
            let oneTask = Task { try await oneServer.run() }
            try await oneServer.waitUntilListening()
            let oneClient = RPCClient(configuration: RPCClientConfiguration(socketPath: onePath), logger: logger, eventLoopGroup: oneThread)
            let payload = BenchBlob([UInt8](repeating: 0x41, count: 100))
            let samples = try await oneClient.withConnectionExecutor {
                try await roundTrips { let _: BenchBlob = try await oneClient.unary(echo, payload) }
            }
            let p = Percentiles(samples)
            out.append(("khaosan unary 100 B, client, server and caller on one event-loop thread (no wake-ups), p50 / p99", String(format: "%.1f / %.1f us", p.p50, p.p99)))
            await oneClient.close()
            oneServer.beginShutdown()
            try await oneTask.value
            try await oneThread.shutdownGracefully()
        }

        // One-way stream of release messages: encode on the client, decode on the server; the
        // producer on the thread pool, then on the client connection's event loop.
        for onEventLoop in [false, true] {
            let placement = onEventLoop ? "producer on the client's event loop" : "producer on the thread pool"
            let start = clock.now
            @Sendable func stream() async throws -> BenchBlob {
                try await client.clientStreaming(sink, options: CallOptions(timeout: .seconds(300))) { (sender: RequestSender<Release>) in
                    for _ in 0..<streamMessages { try await sender.send(release) }
                }
            }
            let reply = onEventLoop ? try await client.withConnectionExecutor { try await stream() } : try await stream()
            let seconds = micros(clock.now - start) / 1e6
            let received = Int(String(decoding: reply.bytes, as: UTF8.self)) ?? -1
            out.append(("stream \(streamMessages) x \(releaseBytes) B releases, \(placement)", String(format: "%.0f msg/s, %.0f MB/s (received %d)", Double(streamMessages) / seconds, Double(streamMessages * releaseBytes) / seconds / 1e6, received)))
        }

        // The same with 16 concurrent streams, as a bulk ingest with several clients would.
        let start16 = clock.now
        let per = streamMessages / 16
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    let _: BenchBlob = try await client.clientStreaming(sink, options: CallOptions(timeout: .seconds(300))) { (sender: RequestSender<Release>) in
                        for _ in 0..<per { try await sender.send(release) }
                    }
                }
            }
            try await group.waitForAll()
        }
        let s16 = micros(clock.now - start16) / 1e6
        out.append(("16 concurrent streams, \(per * 16) x \(releaseBytes) B", String(format: "%.0f msg/s, %.0f MB/s", Double(per * 16) / s16, Double(per * 16 * releaseBytes) / s16 / 1e6)))

        await client.close()
        server.beginShutdown()
        try await serverTask.value
        try await serverGroup.shutdownGracefully()
        try? FileManager.default.removeItem(atPath: dir)
        return out
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func add(_ k: Int) { lock.lock(); n += k; lock.unlock() }
}

/// The SwiftNIO floor: a client handler that sends the next message as soon as the echo arrives,
/// and a server handler that echoes, both on event loops, no framing, no tasks.
enum NIOPingPong {
    final class Echo: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            context.writeAndFlush(data, promise: nil)
        }
    }

    final class Pinger: ChannelInboundHandler, @unchecked Sendable {
        // Only touched on the channel's event loop.
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let size: Int
        let total: Int
        let done: EventLoopPromise<[Double]>
        var pending = 0
        var count = 0
        var started = ContinuousClock.now
        var samples: [Double] = []

        init(size: Int, total: Int, done: EventLoopPromise<[Double]>) {
            self.size = size
            self.total = total
            self.done = done
        }

        func send(_ context: ChannelHandlerContext) {
            started = .now
            pending = size
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(repeating: 0x41, count: size)), promise: nil)
        }

        func channelActive(context: ChannelHandlerContext) { send(context) }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            pending -= unwrapInboundIn(data).readableBytes
            guard pending <= 0 else { return }
            count += 1
            if count > 100 { samples.append(RPCBench.micros(ContinuousClock.now - started)) }
            if count == total + 100 {
                done.succeed(samples)
                context.close(promise: nil)
            } else {
                send(context)
            }
        }
    }

    static func run(path: String, size: Int, iterations: Int) async throws -> Percentiles {
        let serverGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        unlink(path)
        let server = try await ServerBootstrap(group: serverGroup)
            .childChannelInitializer { ch in ch.eventLoop.makeCompletedFuture { try ch.pipeline.syncOperations.addHandler(Echo()) } }
            .bind(unixDomainSocketPath: path).get()
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let done = loop.makePromise(of: [Double].self)
        _ = try await ClientBootstrap(group: loop)
            .channelInitializer { ch in
                ch.eventLoop.makeCompletedFuture { try ch.pipeline.syncOperations.addHandler(Pinger(size: size, total: iterations, done: done)) }
            }
            .connect(unixDomainSocketPath: path).get()
        let samples = try await done.futureResult.get()
        try await server.close()
        try await serverGroup.shutdownGracefully()
        unlink(path)
        return Percentiles(samples)
    }
}
