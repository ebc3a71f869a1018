import Foundation
import KhaosanRPC
import KhaosanUnixTransport
import NIOCore
import NIOPosix
import Testing

/// Issue 13, item 5: idle connections, held calls and dripped frames must not lock anyone out.
@Suite("RPC: connection and call caps")
struct AdmissionTests {
    /// HEADERS, one MESSAGE and HALF_CLOSE of a unary call, as raw bytes.
    static func unaryBytes(stream: UInt32, path: String, _ text: String) -> [UInt8] {
        headersBytes(stream: stream, path: path) + frameBytes(kind: 2, stream: stream, payload: Array(text.utf8)) + frameBytes(kind: 3, stream: stream, payload: [])
    }

    /// 1,000 connections that never send a byte, then an ordinary call from the same uid. On an
    /// event loop of its own: accepting 1,000 connections on the shared loops would delay the
    /// timers of the deadline tests running beside it.
    @Test func thousandIdleConnectionsDoNotLockOutACall() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { group.shutdownGracefully { _ in } }
        try await withServer(eventLoopGroup: group) { _, path in
            // Connected from a thread of its own: connect() blocks while the listen backlog is
            // full, and blocking a cooperative-pool thread (two here) stalls every other test.
            let idle: [RawSocket] = try await withCheckedThrowingContinuation { c in
                Thread {
                    c.resume(with: Result { try (0..<1000).map { _ in try RawSocket(path: path) } })
                }.start()
            }
            let client = makeClient(path, group: group)
            let ok: Blob = try await client.unary(Test.echo, Blob("through"), options: CallOptions(timeout: .seconds(10)))
            #expect(ok.text == "through")
            await client.close()
            withExtendedLifetime(idle) {}
        }
    }

    /// When every connection of a uid is busy with a call, the next one is answered
    /// RESOURCE_EXHAUSTED at once, naming the cap; an idle one would have made room instead.
    @Test func aUIDOverItsConnectionCapIsToldSo() async throws {
        let probe = Probe()
        try await withServer(configure: { $0.maxConnectionsPerUID = 3 }, probe: probe) { _, path in
            var held: [RawSocket] = []
            for _ in 0..<3 {
                let raw = try RawSocket(path: path)
                raw.send(Self.unaryBytes(stream: 1, path: Test.slow.path, "20000"))
                held.append(raw)
            }
            // Bounded wait until the three calls are open on the server.
            for _ in 0..<500 where probe.events.filter({ $0 == "slow-start" }).count < 3 {
                try await Task.sleep(for: .milliseconds(10))
            }
            let client = makeClient(path) { $0.maxAttempts = 1 }
            let error = await #expect(throws: RPCError.self) {
                let _: Blob = try await client.unary(Test.echo, Blob("x"), options: CallOptions(timeout: .seconds(30)))
            }
            #expect(error?.code == .resourceExhausted)
            #expect(error?.metadata[Metadata.refusalKey] == "connections-per-uid")
            await client.close()
            withExtendedLifetime(held) {}
        }
    }

    @Test func aUIDOverItsCallCapIsToldSoAtOnce() async throws {
        let probe = Probe()
        try await withServer(configure: { $0.maxCallsPerUID = 2 }, probe: probe) { _, path in
            let raw = try RawSocket(path: path)
            raw.send(Self.unaryBytes(stream: 1, path: Test.slow.path, "20000") + Self.unaryBytes(stream: 3, path: Test.slow.path, "20000"))
            // Bounded wait until both are open on the server.
            for _ in 0..<500 where probe.events.filter({ $0 == "slow-start" }).count < 2 {
                try await Task.sleep(for: .milliseconds(10))
            }
            let client = makeClient(path) { $0.maxAttempts = 1 }
            let caught = await #expect(throws: RPCError.self) {
                let _: Blob = try await client.unary(Test.echo, Blob("x"), options: CallOptions(timeout: .seconds(30)))
            }
            #expect(caught?.code == .resourceExhausted)
            #expect(caught?.metadata[Metadata.refusalKey] == "calls-per-uid")
            // Ending the held calls frees the uid's share.
            raw.send(frameBytes(kind: 5, stream: 1, payload: []) + frameBytes(kind: 5, stream: 3, payload: []))
            var ok: Blob?
            for _ in 0..<100 where ok == nil {
                ok = try? await client.unary(Test.echo, Blob("again"), options: CallOptions(timeout: .seconds(30)))
                if ok == nil { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(ok?.text == "again")
            await client.close()
        }
    }

    /// Past the per-connection budget of unconsumed request bytes the server stops reading and
    /// resumes as the handler takes them: a stream far larger than the budget still arrives
    /// whole and in order.
    @Test func readingPausesAndResumesAroundTheBudget() async throws {
        // Loops of its own, server and client, for the same reason as the 1,000 connections.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { group.shutdownGracefully { _ in } }
        try await withServer(configure: { $0.maxBufferedBytesPerConnection = 16 << 10 }, eventLoopGroup: group) { _, path in
            let client = makeClient(path, group: group)
            // 200 messages of 4 KiB (50 times the budget), each the number 1 with leading zeros
            // (small: the handler parses each as a number, on the shared cooperative pool).
            let one = Blob(String(repeating: "0", count: (4 << 10) - 1) + "1")
            let total: Blob = try await client.clientStreaming(Test.sum, options: CallOptions(timeout: .seconds(60))) { (sender: RequestSender<Blob>) in
                for _ in 0..<200 { try await sender.send(one) }
            }
            #expect(total.text == "200")
            await client.close()
        }
    }

    /// A MESSAGE dripped a byte at a time inside an open call: the connection is closed once the
    /// frame has taken longer than the frame read timeout, and the call's handler is cancelled.
    @Test func aDrippedFrameHitsTheReadTimeout() async throws {
        let probe = Probe()
        try await withServer(configure: { $0.frameReadTimeout = .milliseconds(300) }, probe: probe) { _, path in
            let raw = try RawSocket(path: path)
            raw.send(headersBytes(stream: 1, path: Test.sum.path))
            let message = frameBytes(kind: 2, stream: 1, payload: Array("12345".utf8))
            let dripper = Task.detached {
                for b in message.prefix(message.count - 1) {
                    raw.send([b])
                    try? await Task.sleep(for: .milliseconds(100))
                }
            }
            // EOF before the socket's own 5 s read timeout: the server closed the connection.
            #expect(await raw.closedByPeer())
            dripper.cancel()
            let client = makeClient(path)
            let ok: Blob = try await client.unary(Test.echo, Blob("fine"))
            #expect(ok.text == "fine")
            await client.close()
        }
    }
}
