import Foundation
import KhaosanRPC
import KhaosanUnixTransport
import KhaosanTestSupport
import KhaosanWire
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// A message that is its own bytes, so these tests exercise the transport and nothing else.
struct Blob: WireMessage, Equatable {
    static let protoName = "test.Blob"
    var bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    init(_ text: String) { self.bytes = Array(text.utf8) }
    init(wireBytes: UnsafeRawBufferPointer, limits: WireLimits) throws(WireError) { bytes = Array(wireBytes) }
    func wireBytes() throws(WireError) -> [UInt8] { bytes }
    var text: String { String(decoding: bytes, as: UTF8.self) }
}

enum Test {
    static let service = "test.v1.Test"
    static let echo = MethodDescriptor(service: service, method: "Echo", idempotent: true)
    static let slow = MethodDescriptor(service: service, method: "Slow", idempotent: false)
    static let count = MethodDescriptor(service: service, method: "Count", idempotent: true)
    static let sum = MethodDescriptor(service: service, method: "Sum", idempotent: false)
    static let chat = MethodDescriptor(service: service, method: "Chat", idempotent: false)
    static let meta = MethodDescriptor(service: service, method: "Meta", idempotent: true)
}

/// Records what the server saw, for assertions about cancellation and deadlines.
final class Probe: @unchecked Sendable {
    private let lock = NSLock()
    private var _events: [String] = []
    func record(_ e: String) { lock.lock(); _events.append(e); lock.unlock() }
    var events: [String] { lock.lock(); defer { lock.unlock() }; return _events }
    /// How long `eventually` waits by default: 10 minutes. The bound is only there so that a
    /// real hang fails instead of stopping the run: it is wall-clock time, and the whole test
    /// process has stood still for over 60 s while the parallel run kept both of Swift's pool
    /// threads on long synchronous tests (CI, 2026-12-04: a 60 s bound ran out before the
    /// handler's task had been scheduled at all). Nothing here measures speed; a handler that
    /// does record the event returns as soon as the poll sees it.
    static let patience: Duration = .seconds(600)
    /// Waits for an event to be recorded, up to `limit`.
    func eventually(_ e: String, within limit: Duration = Probe.patience) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if events.contains(e) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        // One last look after giving way: the poll may wake after a long stall before the
        // tasks that were queued behind it.
        await Task.yield()
        return events.contains(e)
    }
}

func testRouter(probe: Probe) -> RPCRouter {
    var router = RPCRouter()
    router.unary(Test.echo) { (req: Blob, _) in req }
    router.unary(Test.meta) { (req: Blob, ctx) in Blob(ctx.metadata["x-key"] ?? "none") }
    router.unary(Test.slow) { (req: Blob, ctx) -> Blob in
        probe.record("slow-start")
        do {
            try await Task.sleep(for: .milliseconds(Int(req.text) ?? 5000))
        } catch {
            probe.record("slow-cancelled")
            throw error
        }
        probe.record("slow-done")
        return Blob("done")
    }
    router.serverStreaming(Test.count) { (req: Blob, sink: ResponseSink<Blob>, _) in
        for i in 0..<(Int(req.text) ?? 0) { try await sink.send(Blob("\(i)")) }
    }
    router.clientStreaming(Test.sum) { (requests: RequestStream<Blob>, _) -> Blob in
        var total = 0
        for try await r in requests { total += Int(r.text) ?? 0 }
        return Blob("\(total)")
    }
    router.bidirectional(Test.chat) { (requests: RequestStream<Blob>, sink: ResponseSink<Blob>, _) in
        for try await r in requests { try await sink.send(Blob("re:" + r.text)) }
    }
    return router
}

/// A running server on a fresh socket in a fresh 0750 directory, stopped at the end of `body`.
func withServer<T: Sendable>(
    configure: (inout RPCServerConfiguration) -> Void = { _ in },
    probe: Probe = Probe(),
    eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
    _ body: @Sendable (RPCServer, String) async throws -> T
) async throws -> T {
    let dir = try Fixtures.temporaryDirectory("rpc")
    let path = dir.appendingPathComponent("s.sock").path
    var config = RPCServerConfiguration(socketPath: path)
    configure(&config)
    let server = RPCServer(configuration: config, router: testRouter(probe: probe), logger: Logger(label: "test.server"), eventLoopGroup: eventLoopGroup)
    return try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await server.run(); return nil }
        try await server.waitUntilListening()
        let result = try await body(server, path)
        server.beginShutdown()
        while let r = try await group.next() { if r == nil { break } }
        try? FileManager.default.removeItem(at: dir)
        return result
    }
}

func makeClient(_ path: String, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                configure: (inout RPCClientConfiguration) -> Void = { _ in }) -> RPCClient {
    var c = RPCClientConfiguration(socketPath: path)
    configure(&c)
    return RPCClient(configuration: c, logger: Logger(label: "test.client"), eventLoopGroup: group)
}

/// A plain blocking Unix socket for sending hand-made bytes.
final class RawSocket: @unchecked Sendable {
    let fd: Int32
    init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (i, b) in bytes.enumerated() { raw[i] = b } }
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        guard rc == 0 else { throw RPCError(code: .unavailable, message: "connect failed \(errno)") }
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }
    deinit { close(fd) }
    func send(_ bytes: [UInt8]) { _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } }
    /// Reads until EOF or timeout, on a thread of its own: a blocking read on one of the few
    /// cooperative-pool threads would starve the server under test.
    func readAll() async -> [UInt8] {
        await withCheckedContinuation { c in
            Thread { c.resume(returning: self.readAllBlocking()) }.start()
        }
    }

    /// Reads frames until a TRAILERS frame arrives (or EOF / timeout).
    func readUntilTrailers() async -> [Frame] {
        await withCheckedContinuation { c in
            Thread {
                var bytes: [UInt8] = []
                var buf = [UInt8](repeating: 0, count: 65536)
                while true {
                    let frames = decodeFrames(bytes)
                    if frames.contains(where: { $0.kind == .trailers }) { c.resume(returning: frames); return }
                    let n = buf.withUnsafeMutableBytes { read(self.fd, $0.baseAddress, $0.count) }
                    if n <= 0 { c.resume(returning: frames); return }
                    bytes += buf[0..<n]
                }
            }.start()
        }
    }

    /// Whether the server closed the connection (EOF) before the socket's 5 s read timeout.
    func closedByPeer() async -> Bool {
        await withCheckedContinuation { c in
            Thread {
                var buf = [UInt8](repeating: 0, count: 65536)
                while true {
                    let n = buf.withUnsafeMutableBytes { read(self.fd, $0.baseAddress, $0.count) }
                    if n == 0 { c.resume(returning: true); return }
                    // A reset (the server closed with our bytes unread) is a close too; EAGAIN is
                    // the socket's read timeout.
                    if n < 0 { c.resume(returning: errno == ECONNRESET || errno == EPIPE); return }
                }
            }.start()
        }
    }

    private func readAllBlocking() -> [UInt8] {
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            out += buf[0..<n]
        }
        return out
    }
}

func frameBytes(kind: UInt8, stream: UInt32, payload: [UInt8]) -> [UInt8] {
    var b = ByteBuffer()
    FrameEncoder().encodeForTest(Frame(kind: Frame.Kind(rawValue: kind), stream: stream, payload: ByteBuffer(bytes: payload)), into: &b)
    return Array(b.readableBytesView)
}

extension FrameEncoder {
    func encodeForTest(_ f: Frame, into b: inout ByteBuffer) { encode(data: f, out: &b) }
}

func headersBytes(stream: UInt32, path: String) -> [UInt8] {
    var p = ByteBuffer()
    CallHeaders(path: path, timeoutNanos: 5_000_000_000, metadata: [:]).encode(into: &p)
    return frameBytes(kind: 1, stream: stream, payload: Array(p.readableBytesView))
}

/// Decodes whatever frames a raw read returned.
func decodeFrames(_ bytes: [UInt8]) -> [Frame] {
    var buffer = ByteBuffer(bytes: bytes)
    let decoder = FrameDecoder()
    var frames: [Frame] = []
    while let f = try? decoder.decode(buffer: &buffer) { frames.append(f) }
    return frames
}

extension FrameReader {
    /// Every frame one read completes, as a connection handler takes them one by one.
    mutating func frames(in read: ByteBuffer) throws -> [Frame] {
        var buffer = read
        var out: [Frame] = []
        while let frame = try next(from: &buffer) { out.append(frame) }
        return out
    }
}
