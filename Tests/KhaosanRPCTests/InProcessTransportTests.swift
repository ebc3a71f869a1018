import KhaosanInProcessTransport
import KhaosanRPC
import KhaosanUnixTransport
import KhaosanWire
import Logging
import Testing

/// The in-process transport gives calls the semantics the socket gives them (see
/// RPCCallTests), so handler tests over it say something about the daemons.
@Suite("RPC in one process")
struct InProcessTransportTests {
    /// Calls get 5 minutes unless a test sets a deadline: the whole test process was seen to
    /// stand still for 30 s under load (every test then took 30 s), as long as the default.
    static let patientCalls: RPCCallPolicy = {
        var p = RPCCallPolicy()
        p.defaultTimeout = .seconds(300)
        return p
    }()

    private func withInProcess<T: Sendable>(
        probe: Probe = Probe(), window: Int = 64, policy: PeerPolicy = PeerPolicy(),
        _ body: @Sendable (InProcessServer, RPCClient) async throws -> T
    ) async throws -> T {
        let server = InProcessServer(router: testRouter(probe: probe), peerPolicy: policy, streamWindow: window, logger: Logger(label: "test.inprocess"))
        let client = server.makeClient(policy: Self.patientCalls)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await server.run(); return nil }
            let result = try await body(server, client)
            server.beginShutdown()
            while let r = try await group.next() { if r == nil { break } }
            return result
        }
    }

    @Test func everyCallShape() async throws {
        try await withInProcess { _, client in
            let echo: Blob = try await client.unary(Test.echo, Blob("ข่าวสาร"))
            #expect(echo.text == "ข่าวสาร")
            let meta: Blob = try await client.unary(Test.meta, Blob([]), options: CallOptions(metadata: ["x-key": "ค่า"]))
            #expect(meta.text == "ค่า")
            // More than the window both ways: credits must come back as messages are taken.
            let counted = try await client.serverStreaming(Test.count, Blob("500")) { (responses: ResponseStream<Blob>) in
                var all: [String] = []
                for try await r in responses { all.append(r.text) }
                return all
            }
            #expect(counted == (0..<500).map(String.init))
            let total: Blob = try await client.clientStreaming(Test.sum) { (sender: RequestSender<Blob>) in
                for i in 1...300 { try await sender.send(Blob("\(i)")) }
            }
            #expect(total.text == "\(300 * 301 / 2)")
            let replies = try await client.bidirectional(Test.chat) { (sender: RequestSender<Blob>, responses: ResponseStream<Blob>) in
                for i in 0..<3 { try await sender.send(Blob("\(i)")) }
                sender.finish()
                var all: [String] = []
                for try await r in responses { all.append(r.text) }
                return all
            }
            #expect(replies == ["re:0", "re:1", "re:2"])
        }
    }

    @Test func aSmallWindowHoldsTheProducerUntilTheConsumerTakes() async throws {
        try await withInProcess(window: 2) { _, client in
            let total: Blob = try await client.clientStreaming(Test.sum) { (sender: RequestSender<Blob>) in
                for i in 1...50 { try await sender.send(Blob("\(i)")) }
            }
            #expect(total.text == "\(50 * 51 / 2)")
        }
    }

    @Test(arguments: [
        (Test.service, "Nope", RPCError.Code.unimplemented),
    ])
    func unknownMethodsAreUnimplemented(service: String, method: String, code: RPCError.Code) async throws {
        try await withInProcess { _, client in
            let descriptor = MethodDescriptor(service: service, method: method, idempotent: true)
            await #expect { let _: Blob = try await client.unary(descriptor, Blob([])) } throws: { ($0 as? RPCError)?.code == code }
        }
    }

    @Test func thePeerPolicyIsApplied() async throws {
        try await withInProcess(policy: PeerPolicy(alwaysAllowOwner: false)) { _, client in
            await #expect { let _: Blob = try await client.unary(Test.echo, Blob([])) } throws: { ($0 as? RPCError)?.code == .permissionDenied }
        }
    }

    @Test func theDeadlineEndsTheCallAndCancelsTheHandler() async throws {
        let probe = Probe()
        try await withInProcess(probe: probe) { _, client in
            // The handler sleeps 300 s and then answers: only the deadline makes this an error. Not
            // 5 s: with the suite's CPU-bound tests on both executor threads, the deadline's timer
            // once ran after a 5 s sleep had ended (2026-12-02, the handler finished instead), and
            // in the next run 55 s late.
            await #expect {
                let _: Blob = try await client.unary(Test.slow, Blob("300000"), options: CallOptions(timeout: .milliseconds(200)))
            } throws: { ($0 as? RPCError)?.code == .deadlineExceeded }
            #expect(await probe.eventually("slow-cancelled"))
            #expect(!probe.events.contains("slow-done"))
        }
    }

    @Test func cancellingTheCallerCancelsTheHandler() async throws {
        let probe = Probe()
        try await withInProcess(probe: probe) { _, client in
            // The handler sleeps 300 s: the cancel, however late the pool runs it, comes first.
            let call = Task { let _: Blob = try await client.unary(Test.slow, Blob("300000")) }
            #expect(await probe.eventually("slow-start"))
            call.cancel()
            await #expect { try await call.value } throws: { ($0 as? RPCError)?.code == .cancelled }
            #expect(await probe.eventually("slow-cancelled"))
        }
    }

    @Test func aDrainingServerRefusesNewCallsAndFinishesOpenOnes() async throws {
        let probe = Probe()
        let server = InProcessServer(router: testRouter(probe: probe), logger: Logger(label: "test.inprocess"))
        let client = server.makeClient(policy: Self.patientCalls)
        let running = Task { try await server.run() }
        // 2 s: usually still open when the drain begins (the point of the test); if the pool runs
        // the drain later than that, the call has simply finished and the assertions still hold.
        let open = Task { let reply: Blob = try await client.unary(Test.slow, Blob("2000")); return reply.text }
        #expect(await probe.eventually("slow-start"))
        server.beginShutdown()
        await #expect { let _: Blob = try await client.unary(Test.count, Blob("1")) } throws: {
            ($0 as? RPCError)?.code == .unavailable && ($0 as? RPCError)?.metadata[Metadata.refusalKey] == "draining"
        }
        #expect(try await open.value == "done")
        try await running.value
    }

    /// A test that fails before shutting its server down ends its task group, which cancels the
    /// server's run: that must end it, and the calls still open, instead of waiting for ever.
    /// (The limit is above `Probe.patience`, so a wait that runs out is reported as such.)
    @Test(.timeLimit(.minutes(12))) func cancellingRunEndsTheServerAndItsCalls() async throws {
        let probe = Probe()
        let server = InProcessServer(router: testRouter(probe: probe), logger: Logger(label: "test.inprocess"))
        let client = server.makeClient(policy: Self.patientCalls)
        let running = Task { try await server.run() }
        let open = Task { let _: Blob = try await client.unary(Test.slow, Blob("60000")) }
        #expect(await probe.eventually("slow-start"))
        running.cancel()
        try await running.value
        await #expect { try await open.value } throws: { ($0 as? RPCError)?.code == .cancelled }
        #expect(await probe.eventually("slow-cancelled"))
    }

    /// The frame limit of the transport and the message limit of the codec are one number.
    @Test func theFrameLimitIsTheMessageLimit() {
        #expect(FrameScanner.defaultMaxPayload == SizeLimits.maxMessageBytes)
        #expect(Frame.defaultMaxPayload == SizeLimits.maxMessageBytes)
    }
}
