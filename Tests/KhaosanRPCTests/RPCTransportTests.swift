import Foundation
import KhaosanRPC
import KhaosanUnixTransport
import KhaosanTestSupport
import Logging
import NIOCore
import Testing

@Suite("RPC framing and socket handling")
struct RPCTransportTests {
    static let oversize: [UInt64] = [UInt64(Frame.defaultMaxPayload) + 1, UInt64(UInt32.max) - 6]

    @Test(arguments: oversize)
    func oversizeFrameIsRefusedBeforeAllocation(payloadLength: UInt64) async throws {
        try await withServer { _, path in
            let raw = try RawSocket(path: path)
            raw.send(headersBytes(stream: 1, path: Test.echo.path))
            // A MESSAGE header announcing a huge payload, and nothing after it: the server must
            // answer from the header alone.
            var header = ByteBuffer()
            header.writeInteger(UInt32(truncatingIfNeeded: payloadLength + 6))
            header.writeInteger(UInt8(2))
            header.writeInteger(UInt8(0))
            header.writeInteger(UInt32(1))
            raw.send(Array(header.readableBytesView))
            let frames = decodeFrames(await raw.readAll())
            let trailers = try #require(frames.first { $0.kind == .trailers })
            let decoded = try CallTrailers.decode(trailers.payload)
            #expect(decoded.code == .resourceExhausted)
            // And the server is still serving others.
            let client = makeClient(path)
            let ok: Blob = try await client.unary(Test.echo, Blob("still here"))
            #expect(ok.text == "still here")
            await client.close()
        }
    }

    @Test func frameDecoderChecksLengthBeforeBuffering() throws {
        let decoder = FrameDecoder(maxPayload: 1024)
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt32(1024 + 6 + 1))
        buffer.writeInteger(UInt8(2))
        #expect(throws: FrameError.self) { _ = try decoder.decode(buffer: &buffer) }
        var short = ByteBuffer(bytes: [0, 0, 0, 3, 1, 0, 0])
        #expect(throws: FrameError.self) { _ = try decoder.decode(buffer: &short) }
    }

    /// Drip-feeds a valid stream of frames one byte at a time: the decoder must yield the same
    /// frames as when given everything at once.
    @Test func frameDecoderDripFeed() throws {
        let frames = [
            Frame(kind: .headers, stream: 1, payload: ByteBuffer(bytes: Array("abc".utf8))),
            Frame(kind: .message, stream: 1, payload: ByteBuffer(bytes: Array("ข่าวสาร".utf8))),
            Frame(kind: .message, stream: 3, payload: ByteBuffer()),
            Frame(kind: .halfClose, stream: 1),
        ]
        var all = ByteBuffer()
        for f in frames { FrameEncoder().encodeForTest(f, into: &all) }
        let decoder = FrameDecoder()
        var pending = ByteBuffer()
        var out: [Frame] = []
        for byte in all.readableBytesView {
            pending.writeInteger(byte)
            while let f = try decoder.decode(buffer: &pending) { out.append(f) }
        }
        #expect(out == frames)
        #expect(pending.readableBytes == 0)
    }

    /// The connection handlers' reader: any split of the byte stream into reads gives the same
    /// frames, payloads byte for byte, and nothing is left over at a frame boundary.
    @Test(arguments: [1, 3, 10, 11, 4096, 9_999, 70_000])
    func frameReaderGivesTheSameFramesForAnyChunking(chunk: Int) throws {
        let frames = [
            Frame(kind: .headers, stream: 1, payload: ByteBuffer(bytes: Array("/khaosan.v1.QueryService/Search".utf8))),
            Frame(kind: .message, stream: 1, payload: ByteBuffer(bytes: Array(repeating: 0xE0, count: 9_568))),
            Frame(kind: .halfClose, stream: 1),
            Frame(kind: .message, stream: 3, payload: ByteBuffer(bytes: Array("ข่าวสาร".utf8))),
            Frame(kind: .message, stream: 5, payload: ByteBuffer(bytes: (0..<20_000).map { UInt8(truncatingIfNeeded: $0) })),
        ]
        var all = ByteBuffer()
        for _ in 0..<3 { for f in frames { FrameEncoder().encodeForTest(f, into: &all) } }
        var reader = FrameReader()
        var out: [Frame] = []
        while all.readableBytes > 0 {
            let part = all.readSlice(length: min(chunk, all.readableBytes))!
            out += try reader.frames(in: part)
        }
        #expect(out == frames + frames + frames)
        #expect(reader.unreadBytes == 0)
    }

    /// A length split between two reads is still checked before anything waits for the payload.
    @Test(arguments: oversize)
    func frameReaderRefusesOversizeAcrossReads(payloadLength: UInt64) throws {
        var header = ByteBuffer()
        header.writeInteger(UInt32(truncatingIfNeeded: payloadLength + 6))
        header.writeInteger(UInt8(2))
        header.writeInteger(UInt8(0))
        header.writeInteger(UInt32(1))
        var reader = FrameReader()
        #expect(try reader.frames(in: header.getSlice(at: 0, length: 2)!).isEmpty)
        #expect(throws: FrameError.self) {
            _ = try reader.frames(in: header.getSlice(at: 2, length: header.readableBytes - 2)!)
        }
    }

    /// A frame near the 4 MiB limit arriving in 64 KB reads, between two small ones.
    @Test func frameReaderAssemblesALargeFrameOverManyReads() throws {
        let big = Frame(kind: .message, stream: 7, payload: ByteBuffer(bytes: (0..<(Frame.defaultMaxPayload - 1)).map { UInt8(truncatingIfNeeded: $0 &* 31) }))
        let frames = [Frame(kind: .halfClose, stream: 5), big, Frame(kind: .cancel, stream: 9)]
        var all = ByteBuffer()
        for f in frames { FrameEncoder().encodeForTest(f, into: &all) }
        var reader = FrameReader()
        var out: [Frame] = []
        while all.readableBytes > 0 {
            out += try reader.frames(in: all.readSlice(length: min(65_536, all.readableBytes))!)
        }
        #expect(out == frames)
        #expect(reader.unreadBytes == 0)
    }

    @Test func frameReaderReportsATruncatedFrame() throws {
        var bytes = ByteBuffer()
        FrameEncoder().encodeForTest(Frame(kind: .message, stream: 1, payload: ByteBuffer(bytes: Array(repeating: 7, count: 100))), into: &bytes)
        var reader = FrameReader()
        #expect(try reader.frames(in: bytes.getSlice(at: 0, length: 60)!).isEmpty)
        #expect(reader.unreadBytes == 60)
    }

    @Test(arguments: [
        [UInt8](repeating: 0xFF, count: 64),           // absurd length
        [0, 0, 0, 2, 1, 0],                            // length shorter than a header
        [0, 0, 0, 6, 9, 0, 0, 0, 0, 1],                // unknown frame kind
        [0, 0, 0, 6, 2, 0, 0, 0, 0, 7],                // message on a stream never opened
        [0, 0, 0, 20, 1, 0, 0, 0, 0, 1, 0xFF, 0xFF],  // truncated headers, then EOF
    ])
    func garbageDoesNotTakeTheServerDown(bytes: [UInt8]) async throws {
        try await withServer { _, path in
            do {
                let raw = try RawSocket(path: path)
                raw.send(bytes)
                shutdown(raw.fd, Int32(SHUT_WR))
                _ = await raw.readAll()
            }
            let client = makeClient(path)
            let ok: Blob = try await client.unary(Test.echo, Blob("alive"))
            #expect(ok.text == "alive")
            await client.close()
        }
    }

    @Test func malformedHeadersGetInvalidArgument() async throws {
        try await withServer { _, path in
            let raw = try RawSocket(path: path)
            raw.send(frameBytes(kind: 1, stream: 1, payload: [0, 200, 1]))
            let frames = await raw.readUntilTrailers()
            let t = try #require(frames.first { $0.kind == .trailers })
            #expect(try CallTrailers.decode(t.payload).code == .invalidArgument)
        }
    }

    @Test func socketFileAndDirectoryPermissions() async throws {
        let dir = try Fixtures.temporaryDirectory("perm")
        let path = dir.appendingPathComponent("sub/q.sock").path
        let server = RPCServer(configuration: RPCServerConfiguration(socketPath: path), router: RPCRouter(), logger: Logger(label: "t"))
        let run = Task { try await server.run() }
        try await server.waitUntilListening()
        var st = stat()
        #expect(stat(path, &st) == 0)
        #expect(st.st_mode & 0o777 == 0o660)
        #expect(stat(dir.appendingPathComponent("sub").path, &st) == 0)
        #expect(st.st_mode & 0o777 == 0o750)
        server.beginShutdown()
        try await run.value
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func staleSocketFileIsReplacedLiveOneRefused() async throws {
        let dir = try Fixtures.temporaryDirectory("stale")
        let path = dir.appendingPathComponent("s.sock").path
        // A stale file: bound once, never listened on, left behind.
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (i, b) in path.utf8.enumerated() { raw[i] = b } }
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        close(fd)
        #expect(FileManager.default.fileExists(atPath: path))

        let first = RPCServer(configuration: RPCServerConfiguration(socketPath: path), router: testRouter(probe: Probe()), logger: Logger(label: "a"))
        let run = Task { try await first.run() }
        try await first.waitUntilListening()

        let second = RPCServer(configuration: RPCServerConfiguration(socketPath: path), router: RPCRouter(), logger: Logger(label: "b"))
        let error = await #expect(throws: RPCError.self) { try await second.run() }
        #expect(error?.code == .alreadyExists)
        // The live server's socket is untouched.
        let client = makeClient(path)
        let ok: Blob = try await client.unary(Test.echo, Blob("first"))
        #expect(ok.text == "first")
        await client.close()
        first.beginShutdown()
        try await run.value
    }

    @Test func gracefulShutdownLetsInFlightCallsFinish() async throws {
        let probe = Probe()
        let dir = try Fixtures.temporaryDirectory("drain")
        let path = dir.appendingPathComponent("s.sock").path
        let server = RPCServer(configuration: RPCServerConfiguration(socketPath: path), router: testRouter(probe: probe), logger: Logger(label: "t"))
        let run = Task { try await server.run() }
        try await server.waitUntilListening()
        let client = makeClient(path)
        let calls = (0..<5).map { _ in
            Task { () throws -> Blob in try await client.unary(Test.slow, Blob("300")) }
        }
        while probe.events.filter({ $0 == "slow-start" }).count < 5 { try await Task.sleep(for: .milliseconds(5)) }
        server.beginShutdown()
        for c in calls { #expect(try await c.value.text == "done") }
        try await run.value
        #expect(!FileManager.default.fileExists(atPath: path))
        // After shutdown nothing answers.
        let late = makeClient(path) { $0.maxAttempts = 1 }
        await #expect(throws: RPCError.self) { let _: Blob = try await late.unary(Test.echo, Blob("x")) }
    }

    @Test func firstFrameTimeoutClosesSilentConnections() async throws {
        try await withServer(configure: { $0.firstFrameTimeout = .milliseconds(200) }) { _, path in
            let raw = try RawSocket(path: path)
            let start = ContinuousClock.now
            #expect(await raw.readAll().isEmpty)
            // Closed by the 200 ms first-frame timer, not the 300 s idle one: the bound only
            // tells the two apart (a loaded machine delays the timer by seconds).
            #expect(ContinuousClock.now - start < .seconds(60))
        }
    }
}
