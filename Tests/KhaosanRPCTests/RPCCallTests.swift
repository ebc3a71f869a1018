import Foundation
import KhaosanRPC
import KhaosanUnixTransport
import NIOCore
import Testing

@Suite("RPC over a Unix socket")
struct RPCCallTests {
    @Test func unaryRoundTripsThaiTextByteExactly() async throws {
        try await withServer { _, path in
            let client = makeClient(path)
            defer { Task { await client.close() } }
            // Two canonically-equivalent spellings must come back as the very bytes sent.
            for text in ["นายกรัฐมนตรี", "กํา", "ก\u{E48}\u{E34}", String(repeating: "ข่าวสาร ", count: 2000)] {
                let reply: Blob = try await client.unary(Test.echo, Blob(text))
                #expect(reply.bytes == Array(text.utf8))
            }
            let empty: Blob = try await client.unary(Test.echo, Blob([]))
            #expect(empty.bytes.isEmpty)
        }
    }

    @Test func metadataReachesTheHandler() async throws {
        try await withServer { _, path in
            let client = makeClient(path)
            let reply: Blob = try await client.unary(Test.meta, Blob([]), options: CallOptions(metadata: ["x-key": "ค่า"]))
            #expect(reply.text == "ค่า")
            await client.close()
        }
    }

    @Test func serverStreaming() async throws {
        try await withServer { _, path in
            let client = makeClient(path)
            // More than the window, so the server has to wait for WINDOW frames.
            let got = try await client.serverStreaming(Test.count, Blob("500")) { (responses: ResponseStream<Blob>) in
                var all: [String] = []
                for try await r in responses { all.append(r.text) }
                return all
            }
            #expect(got == (0..<500).map(String.init))
            await client.close()
        }
    }

    @Test func clientStreaming() async throws {
        try await withServer { _, path in
            let client = makeClient(path)
            let total: Blob = try await client.clientStreaming(Test.sum) { (sender: RequestSender<Blob>) in
                for i in 1...300 { try await sender.send(Blob("\(i)")) }
            }
            #expect(total.text == "\(300 * 301 / 2)")
            await client.close()
        }
    }

    /// Sends `messages` on one Chat call while reading its replies concurrently.
    private func chat(_ client: RPCClient, _ messages: [String]) async throws -> [String] {
        try await client.bidirectional(Test.chat) { (sender: RequestSender<Blob>, responses: ResponseStream<Blob>) in
            try await withThrowingTaskGroup(of: [String].self) { group in
                group.addTask {
                    for m in messages { try await sender.send(Blob(m)) }
                    sender.finish()
                    return []
                }
                group.addTask {
                    var out: [String] = []
                    for try await r in responses { out.append(r.text) }
                    return out
                }
                var all: [String] = []
                for try await part in group { all += part }
                return all
            }
        }
    }

    /// Streaming handlers run on Swift's thread pool and write from there: large responses of
    /// several calls at once must still reach the client as whole frames, each call's in order.
    @Test func concurrentStreamsWithLargeMessagesFromThePool() async throws {
        try await withServer { _, path in
            let client = makeClient(path)
            let padding = String(repeating: "ข่าว", count: 300)  // 3.6 KB: sent as header + payload
            try await withThrowingTaskGroup(of: Void.self) { calls in
                for k in 0..<8 {
                    calls.addTask {
                        let messages = (0..<400).map { "\(k)-\($0)-" + padding }
                        let replies = try await chat(client, messages)
                        #expect(replies == messages.map { "re:" + $0 })
                    }
                }
                try await calls.waitForAll()
            }
            await client.close()
        }
    }

    @Test func bidirectionalStreamingKeepsOrder() async throws {
        try await withServer { _, path in
            let client = makeClient(path)
            let replies = try await chat(client, (0..<1000).map { "\($0)" })
            #expect(replies == (0..<1000).map { "re:\($0)" })
            await client.close()
        }
    }

    @Test func concurrentCallsShareOneConnection() async throws {
        try await withServer { _, path in
            let client = makeClient(path)
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for i in 0..<100 {
                    group.addTask {
                        let r: Blob = try await client.unary(Test.echo, Blob("call \(i)"))
                        return r.text == "call \(i)"
                    }
                }
                var ok = 0
                for try await good in group where good { ok += 1 }
                #expect(ok == 100)
            }
            await client.close()
        }
    }

    @Test func unknownMethodIsUnimplemented() async throws {
        try await withServer { _, path in
            let client = makeClient(path)
            let missing = MethodDescriptor(service: Test.service, method: "Nope", idempotent: true)
            let error = await #expect(throws: RPCError.self) {
                let _: Blob = try await client.unary(missing, Blob([]))
            }
            #expect(error?.code == .unimplemented)
            #expect(error?.message.contains("/test.v1.Test/Nope") == true)
            await client.close()
        }
    }

    /// A slow call (its handler takes 300 s) with a 1 s deadline fails DEADLINE_EXCEEDED after 1 s
    /// and long before the handler would have answered: the deadline ended it. How close to 1 s
    /// is a latency figure (BENCHMARKS.md, issue 2), not asserted here: bounds of 1.1 and 1.5 s
    /// failed when other test suites kept both cores busy, measuring the scheduler, and the whole
    /// test process has stood still for over 60 s (CI, 2026-12-04). The upper bound only has to
    /// tell a deadline that works from one that waits for something else (the handler, or the
    /// 600 s deadline of another call on the connection).
    private func expectDeadlineExceededInTime(_ client: RPCClient, sourceLocation: SourceLocation = #_sourceLocation) async {
        let timeout = Duration.seconds(1)
        let start = ContinuousClock.now
        let error = await #expect(throws: RPCError.self, sourceLocation: sourceLocation) {
            let _: Blob = try await client.unary(Test.slow, Blob("300000"), options: CallOptions(timeout: timeout))
        }
        let elapsed = ContinuousClock.now - start
        #expect(error?.code == .deadlineExceeded, sourceLocation: sourceLocation)
        #expect(elapsed >= timeout, sourceLocation: sourceLocation)
        #expect(elapsed <= timeout + .seconds(120), sourceLocation: sourceLocation)
    }

    @Test func deadlineExceededIsReportedInTime() async throws {
        let probe = Probe()
        try await withServer(probe: probe) { _, path in
            let client = makeClient(path)
            // Connect first, so the measured time is the call's alone.
            let _: Blob = try await client.unary(Test.echo, Blob("warm"))
            await expectDeadlineExceededInTime(client)
            // The server honours the deadline too: the handler is cancelled, not left running.
            #expect(await probe.eventually("slow-cancelled"))
            #expect(!probe.events.contains("slow-done"))
            await client.close()
        }
    }

    /// Both ends keep one timer per connection, set for the earliest deadline: a call with a
    /// short deadline behind one with a long deadline must still end on time.
    @Test func shortDeadlineBehindALongOneOnTheSameConnection() async throws {
        try await withServer { _, path in
            let client = makeClient(path)
            let _: Blob = try await client.unary(Test.echo, Blob("warm"))
            let long = Task {
                let _: Blob = try await client.unary(Test.slow, Blob("300000"), options: CallOptions(timeout: .seconds(600)))
            }
            try await Task.sleep(for: .milliseconds(50))
            await expectDeadlineExceededInTime(client)
            long.cancel()
            _ = await long.result
            await client.close()
        }
    }

    @Test func cancellingTheCallerCancelsTheHandler() async throws {
        let probe = Probe()
        try await withServer(probe: probe) { _, path in
            let client = makeClient(path)
            // The handler sleeps 300 s, so the cancel comes first however busy the machine is.
            let task = Task {
                let _: Blob = try await client.unary(Test.slow, Blob("300000"))
            }
            #expect(await probe.eventually("slow-start"))
            task.cancel()
            let result = await task.result
            if case .failure(let e as RPCError) = result { #expect(e.code == .cancelled) } else { Issue.record("expected CANCELLED, got \(result)") }
            #expect(await probe.eventually("slow-cancelled"))
            await client.close()
        }
    }

    @Test func noServerIsUnavailableAfterRetries() async throws {
        let client = makeClient("/tmp/khaosan-no-such-dir/none.sock") { $0.initialBackoff = .milliseconds(1) }
        let error = await #expect(throws: RPCError.self) {
            let _: Blob = try await client.unary(Test.echo, Blob("x"), options: CallOptions(timeout: .seconds(2)))
        }
        #expect(error?.code == .unavailable)
        #expect(error?.message.contains("/tmp/khaosan-no-such-dir/none.sock") == true)
    }

    @Test func disallowedPeerIsRefused() async throws {
        try await withServer(configure: { $0.peerPolicy = PeerPolicy(defaultUIDs: [], alwaysAllowOwner: false) }) { _, path in
            let client = makeClient(path)
            let error = await #expect(throws: RPCError.self) {
                let _: Blob = try await client.unary(Test.echo, Blob("x"))
            }
            #expect(error?.code == .permissionDenied)
            await client.close()
        }
    }

    @Test func perServiceAllowListAdmitsListedUID() async throws {
        let me = UInt32(getuid())
        try await withServer(configure: { $0.peerPolicy = PeerPolicy(defaultUIDs: [], perService: [Test.service: [me]], alwaysAllowOwner: false) }) { _, path in
            let client = makeClient(path)
            let r: Blob = try await client.unary(Test.echo, Blob("ok"))
            #expect(r.text == "ok")
            await client.close()
        }
    }
}

@Suite("RPC stream ordering")
struct RPCOrderingTests {
    /// Many streaming calls opened at once on one connection: their HEADERS must reach the server
    /// in stream-id order (a swap used to make the server drop the connection).
    @Test func concurrentStreamingCallsOpenInOrder() async throws {
        try await withServer { _, path in
            let client = makeClient(path)
            try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<64 {
                    group.addTask {
                        let total: Blob = try await client.clientStreaming(Test.sum) { (sender: RequestSender<Blob>) in
                            for i in 1...20 { try await sender.send(Blob("\(i)")) }
                        }
                        return total.text
                    }
                }
                for try await t in group { #expect(t == "210") }
            }
            await client.close()
        }
    }
}
