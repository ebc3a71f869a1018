import Foundation
import KhaosanRPC
import KhaosanUnixTransport
import KhaosanTestSupport
import Logging
import NIOPosix
import Synchronization
import Testing

/// Issue 15, item 2: the client retries UNAVAILABLE on an idempotent method, and nothing else:
/// an INTERNAL error (a broken invariant) is reported at once, not after five attempts.
@Suite struct ErrorRetryTests {
    /// An error type of a handler's own, mapped only through `RPCErrorConvertible`.
    struct HandlerFailure: Error, RPCErrorConvertible {
        var code: RPCError.Code
        var rpcError: RPCError { RPCError(code: code, message: "handler failed with \(code)") }
    }

    static let fail = MethodDescriptor(service: "test.v1.Fail", method: "Fail", idempotent: true)

    @Test(arguments: [(RPCError.Code.internal, 1), (.invalidArgument, 1), (.failedPrecondition, 1), (.resourceExhausted, 1), (.unavailable, 3)])
    func attempts(code: RPCError.Code, expected: Int) async throws {
        let calls = Atomic<Int>(0)
        var router = RPCRouter()
        router.unary(Self.fail) { (_: Blob, _) -> Blob in
            calls.add(1, ordering: .relaxed)
            throw HandlerFailure(code: code)
        }
        let dir = try Fixtures.temporaryDirectory("rpc-retry")
        defer { try? FileManager.default.removeItem(at: dir) }
        let server = RPCServer(configuration: RPCServerConfiguration(socketPath: dir.appendingPathComponent("s.sock").path),
                               router: router, logger: Logger(label: "test.server"))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            try await server.waitUntilListening()
            let client = makeClient(dir.appendingPathComponent("s.sock").path) { c in
                c.maxAttempts = 3
                c.initialBackoff = .milliseconds(1)
                c.maxBackoff = .milliseconds(5)
            }
            do {
                let _: Blob = try await client.unary(Self.fail, Blob("x"), options: CallOptions(timeout: .seconds(10)))
                Issue.record("the call succeeded")
            } catch let e as RPCError {
                #expect(e.code == code)
                #expect(e.message == "handler failed with \(code)")
            }
            await client.close()
            #expect(calls.load(ordering: .relaxed) == expected)
            server.beginShutdown()
            try await group.waitForAll()
        }
    }
}
