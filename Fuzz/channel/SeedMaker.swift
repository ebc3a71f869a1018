#if canImport(Glibc)
import Glibc
#endif
import KhaosanRPC
import KhaosanUnixTransport
import KhaosanWire
import NIOCore

/// The seed corpus: valid calls of every method, framed by the real encoder, each with a
/// schedule that splits, drips, times out, fails writes or closes somewhere in it. Written by
/// `KhaosanChannelFuzz --make-seeds Fuzz/channel/seeds` (plain build); the files are committed.
enum SeedMaker {
    typealias E = FuzzInput.Event

    static func frame(_ kind: Frame.Kind, _ stream: UInt32, _ payload: [UInt8] = []) -> [UInt8] {
        var out = ByteBuffer()
        FrameEncoder().encode(data: Frame(kind: kind, stream: stream, payload: ByteBuffer(bytes: payload)), out: &out)
        return Array(out.readableBytesView)
    }

    static func headers(_ stream: UInt32, _ method: MethodDescriptor, timeout: UInt64 = 5_000_000_000) -> [UInt8] {
        var payload = ByteBuffer()
        CallHeaders(path: method.path, timeoutNanos: timeout, metadata: ["x-request-id": "seed-\(stream)"]).encode(into: &payload)
        return frame(.headers, stream, Array(payload.readableBytesView))
    }

    static func headers(_ stream: UInt32, path: String) -> [UInt8] {
        var payload = ByteBuffer()
        CallHeaders(path: path, timeoutNanos: 0, metadata: [:]).encode(into: &payload)
        return frame(.headers, stream, Array(payload.readableBytesView))
    }

    /// A whole call: HEADERS, its messages, HALF_CLOSE.
    static func call(_ stream: UInt32, _ method: MethodDescriptor, _ messages: [[UInt8]], timeout: UInt64 = 5_000_000_000) -> [UInt8] {
        headers(stream, method, timeout: timeout) + messages.flatMap { frame(.message, stream, $0) } + frame(.halfClose, stream)
    }

    static func window(_ stream: UInt32, _ n: UInt32) -> [UInt8] {
        frame(.window, stream, Array(ByteBuffer.window(n).readableBytesView))
    }

    /// Reads of pseudo-random sizes (a fixed LCG, so the seeds are the same every time) over
    /// `bytes` bytes, the loop run after each.
    static func splits(_ bytes: Int, seed: UInt64) -> [E] {
        var state = seed
        var left = bytes
        var events: [E] = []
        while left > 0 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let n = min(left, 1 + Int(state >> 59))
            events += [.feed(n - 1), .runLoop(0)]
            left -= n
        }
        return events
    }

    static var seeds: [(String, FuzzInput)] {
        let m = FuzzMethods.self
        let health = (try? HealthCheckRequest(service: "").wireBytes()) ?? []
        var s: [(String, FuzzInput)] = []
        func add(_ name: String, setup: UInt8 = 0b11000, _ schedule: [E], _ stream: [UInt8]) {
            s.append((name, FuzzInput(setup: setup, schedule: Array(schedule.prefix(255)), stream: stream)))
        }
        let echo = call(1, m.echo, [Array("hello".utf8)])
        add("echo-dripped", [.drip(31), .runLoop(0), .drip(31), .runLoop(1)], echo)
        add("echo-split", splits(echo.count, seed: 1), echo)
        let count = call(1, m.count, [[10]]) + window(1, 4) + window(1, 4)
        add("count-windows", [.frames(2), .runLoop(0), .frames(0), .runLoop(0), .frames(0), .runLoop(0)], count)
        add("count-write-fails", [.frames(2), .writeFaults(2 | 3 << 2), .runLoop(0), .frames(1), .runLoop(0)], count)
        let sum = call(1, m.sum, (1...5).map { Array(repeating: UInt8($0), count: $0 * 7) })
        add("sum-split", splits(sum.count, seed: 2) + [.runLoop(20)], sum)
        add("sum-budget", setup: 0, [.frames(6), .runLoop(10), .advanceTime(12), .runLoop(5)], sum)
        let chat = call(3, m.chat, [Array("a".utf8), Array("bc".utf8)]) + window(3, 2)
        add("chat", [.frames(4), .runLoop(10), .frames(0), .runLoop(10)], chat)
        let fail = call(1, m.fail, [[0]]) + call(3, m.fail, [[1]])
        add("fail-both", [.feedMany(3), .runLoop(0), .runLoop(0)], fail)
        let hang = call(1, m.hang, [[]])
        add("hang-cancel", [.frames(2), .runLoop(0), .frames(0), .runLoop(0)], hang + frame(.cancel, 1))
        add("hang-deadline", [.frames(2), .runLoop(0), .advanceTime(5), .runLoop(0)], call(1, m.hang, [[]], timeout: 1_000_000_000))
        add("hang-drain", [.frames(2), .runLoop(0), .end(FuzzInput.Ending.drain.rawValue), .runLoop(0), .advanceTime(8)], hang)
        add("hang-three-calls", [.feedMany(4), .runLoop(0), .runLoop(0)],
            call(1, m.hang, [[]]) + call(3, m.hang, [[]]) + call(5, m.slow, [[2]]) + call(7, m.echo, [[7]]))
        let torn = headers(1, m.echo) + Array(frame(.message, 1, Array(repeating: 0x41, count: 40)).prefix(17))
        add("torn-frame-timeout", [.frames(0), .feed(6), .advanceTime(11), .runLoop(0)], torn)
        add("torn-frame-close", [.frames(0), .feed(3), .end(FuzzInput.Ending.readThenClose2.rawValue | 1 << 3)], torn)
        add("close-inside-read", [.end(FuzzInput.Ending.readThenClose.rawValue | 2 << 3), .runLoop(0)], echo)
        // Issue 13, item 1: an answer written at once (unknown method), the peer already gone.
        let probe = headers(1, path: "/x/y") + headers(3, path: "/x/z") + Array(headers(5, path: "/x/w").prefix(7))
        add("unknown-method-peer-gone", [.writeFaults(3), .feedMany(2)], probe)
        add("refused-connection", setup: 0b11001, [.feedMany(3), .runLoop(0)], echo + call(3, m.echo, [[1]]))
        add("stranger-uid", setup: 0b11100, [.feedMany(3), .runLoop(0)], echo)
        add("uid-cap", setup: 0b111000, [.feedMany(6), .runLoop(0)], call(1, m.hang, [[]]) + call(3, m.hang, [[]]) + call(5, m.echo, [[5]]))
        let watch = call(1, KhaosanMethods.healthWatch, [health]) + call(3, KhaosanMethods.healthCheck, [health])
        add("health", [.frames(5), .runLoop(0), .runLoop(0), .end(FuzzInput.Ending.inactive.rawValue)], watch)
        let oversize = headers(1, m.echo) + [0, 0, 0x20, 0, 2, 0, 0, 0, 0, 1] + Array(repeating: 0, count: 20)
        add("oversize-message", [.frames(0), .feedMany(0), .runLoop(0)], oversize)
        add("window-overrun", [.feedMany(8), .runLoop(0)], headers(1, m.sum) + (0..<6).flatMap { frame(.message, 1, [UInt8($0)]) })
        add("error-caught", [.frames(2), .end(FuzzInput.Ending.errorCaught.rawValue)], count)
        // Record answers each request and stops reading when the peer grants no WINDOW: the
        // requests behind it pass the 64-byte budget, reading pauses, and 10 s on the call
        // waiting for a WINDOW is refused (unread-responses).
        add("budget-stuck", setup: 0, [.frames(4), .runLoop(0), .frames(3), .runLoop(0), .runLoop(0), .advanceTime(12), .runLoop(0)],
            headers(1, m.record, timeout: 0) + (0..<8).flatMap { frame(.message, 1, Array(repeating: UInt8($0), count: 20)) })
        add("record", [.frames(3), .runLoop(0), .frames(0), .runLoop(0)], call(1, m.record, [[1], [2]]) + window(1, 2))
        // A write that fails as the peer goes: NIO reads what is left in the socket inside that
        // flush, while this read's last frame (here a MESSAGE's header) has not been taken yet.
        // Those bytes are a frame's payload, whatever they look like.
        let inner = call(3, m.record, [Array("smuggled".utf8)])
        add("read-inside-failed-write", [.writeFaults(1), .feed(19)], frame(.headers, 1) + frame(.message, 7, inner))
        add("force-close", [.frames(2), .runLoop(0), .end(FuzzInput.Ending.forceClose.rawValue)], hang)
        return s
    }

    static func write(to directory: String) throws {
        for (name, input) in seeds {
            let path = "\(directory)/\(name)"
            guard let f = fopen(path, "wb") else { throw SeedError(message: "cannot write \(path): errno \(errno)") }
            let bytes = input.bytes
            let n = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, f) }
            fclose(f)
            guard n == bytes.count else { throw SeedError(message: "short write to \(path)") }
            print("\(path): \(bytes.count) bytes")
        }
    }

    static func read(_ path: String) throws -> [UInt8] {
        guard let f = fopen(path, "rb") else { throw SeedError(message: "cannot read \(path): errno \(errno)") }
        defer { fclose(f) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, f) }
            if n == 0 { break }
            out += chunk[0..<n]
        }
        return out
    }

    struct SeedError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
