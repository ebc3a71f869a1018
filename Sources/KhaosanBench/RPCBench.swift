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
        let server = RPCServer(configuration: RPCServerConfiguration(socketPath: path), router: router, logger: logger)
        let serverTask = Task { try await server.run() }
        try await server.waitUntilListening()
        let client = RPCClient(configuration: RPCClientConfiguration(socketPath: path), logger: logger)
        let clock = ContinuousClock()

        /// Round-trip samples in microseconds, after a warm-up of 200 calls.
        func roundTrips(_ call: () async throws -> Void) async throws -> [Double] {
            var samples: [Double] = []
            for i in 0..<(iterations + 200) {
                let start = clock.now
                try await call()
                if i >= 200 { samples.append(micros(clock.now - start)) }
            }
            return samples
        }
        for size in [100, releaseBytes] {
            let payload = BenchBlob([UInt8](repeating: 0x41, count: size))
            let samples = try await roundTrips { let _: BenchBlob = try await client.unary(echo, payload) }
            let p = Percentiles(samples)
            out.append(("khaosan unary \(size) B p50 / p99", String(format: "%.1f / %.1f us", p.p50, p.p99)))
            out.append(("khaosan unary \(size) B sequential calls/s", String(format: "%.0f", 1e6 / (samples.reduce(0, +) / Double(samples.count)))))
        }
        let p = Percentiles(try await roundTrips { let _: Release = try await client.unary(echoRelease, release) })
        out.append(("khaosan unary Release (\(releaseBytes) B, bridge both ways) p50 / p99", String(format: "%.1f / %.1f us", p.p50, p.p99)))

        // One-way stream of release messages: encode on the client, decode on the server.
        let start = clock.now
        let reply: BenchBlob = try await client.clientStreaming(sink, options: CallOptions(timeout: .seconds(300))) { (sender: RequestSender<Release>) in
            for _ in 0..<streamMessages { try await sender.send(release) }
        }
        let seconds = micros(clock.now - start) / 1e6
        let received = Int(String(decoding: reply.bytes, as: UTF8.self)) ?? -1
        out.append(("stream \(streamMessages) x \(releaseBytes) B releases", String(format: "%.0f msg/s, %.0f MB/s (received %d)", Double(streamMessages) / seconds, Double(streamMessages * releaseBytes) / seconds / 1e6, received)))

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
        try? FileManager.default.removeItem(atPath: dir)
        return out
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func add(_ k: Int) { lock.lock(); n += k; lock.unlock() }
}
