import KhaosanDaemon
import KhaosanRPC
import KhaosanWire

/// The methods the fuzzed server answers, one of each shape a real service has, registered
/// through the real router (so requests are decoded and answers encoded as in the daemons), and
/// the real Health service (Watch never ends by itself).
enum FuzzMethods {
    static let service = "fuzz.v1.Channel"
    /// Unary: the request back.
    static let echo = MethodDescriptor(service: service, method: "Echo", idempotent: true)
    /// Server-streaming: as many responses as the request's first byte says (past the window of 4).
    static let count = MethodDescriptor(service: service, method: "Count", idempotent: true)
    /// Client-streaming, on Swift's pool: the byte count of all requests.
    static let sum = MethodDescriptor(service: service, method: "Sum", idempotent: false)
    /// Bidirectional, on Swift's pool: each request back.
    static let chat = MethodDescriptor(service: service, method: "Chat", idempotent: false)
    /// Unary that throws: an RPCError, or another error (INTERNAL), by the request's first byte.
    static let fail = MethodDescriptor(service: service, method: "Fail", idempotent: true)
    /// Unary that never answers; it ends only when cancelled.
    static let hang = MethodDescriptor(service: service, method: "Hang", idempotent: false)
    /// Unary that sleeps (real time) a few milliseconds, so it answers from a timer's thread.
    static let slow = MethodDescriptor(service: service, method: "Slow", idempotent: true)

    /// Bidirectional, raw, on the event loop: says which calls the server started, so the
    /// driver can check that each was opened by a HEADERS frame the peer sent (not by bytes
    /// read out of place, or from inside another frame).
    static let record = MethodDescriptor(service: service, method: "Record", idempotent: false)

    static let all = [echo, count, sum, chat, fail, hang, slow, record, KhaosanMethods.healthCheck, KhaosanMethods.healthWatch]

    struct NotAnRPCError: Error {}

    static func router(_ census: Census) -> RPCRouter {
        var router = RPCRouter()
        router.unary(echo) { (request: Blob, _) in await census.counted { request } }
        router.serverStreaming(count) { (request: Blob, sink: ResponseSink<Blob>, _) in
            try await census.counted {
                for i in 0..<Int(request.bytes.first ?? 0) { try await sink.send(Blob([UInt8(truncatingIfNeeded: i)])) }
            }
        }
        router.clientStreaming(sum) { (requests: RequestStream<Blob>, _) -> Blob in
            try await census.counted {
                var total = 0
                for try await r in requests { total += r.bytes.count }
                return Blob(Array(String(total).utf8))
            }
        }
        router.bidirectional(chat) { (requests: RequestStream<Blob>, sink: ResponseSink<Blob>, _) in
            try await census.counted {
                for try await r in requests { try await sink.send(r) }
            }
        }
        router.unary(fail) { (request: Blob, _) -> Blob in
            try await census.counted {
                if (request.bytes.first ?? 0) & 1 == 0 { throw RPCError(code: .failedPrecondition, message: "fuzz: refused") }
                throw NotAnRPCError()
            }
        }
        router.unary(hang) { (request: Blob, _) -> Blob in
            try await census.counted {
                // An AsyncStream's iterator returns nil when its task is cancelled, not before:
                // the continuation is kept alive, and nothing is ever yielded.
                let (stream, continuation) = AsyncStream.makeStream(of: Never.self)
                for await _ in stream {}
                withExtendedLifetime(continuation) {}
                throw CancellationError()
            }
        }
        router.unary(slow) { (request: Blob, _) -> Blob in
            try await census.counted {
                try await Task.sleep(for: .milliseconds(Int(request.bytes.first ?? 0) % 4))
                return request
            }
        }
        router.register(record, onEventLoop: true) { requests, writer, context in
            // Registered raw: its task runs (and records) even when the call was cancelled first.
            census.opened(context)
            return try await census.counted {
                for try await message in requests { try await writer.write(message) }
                return RPCRouter.CallOutcome()
            }
        }
        router.addHealth(HealthStatus(services: [service]))
        return router
    }
}
