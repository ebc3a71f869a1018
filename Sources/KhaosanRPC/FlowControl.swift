package import NIOCore
import Synchronization

/// Message credits for one direction of one stream. A sender takes one credit per message and
/// waits when there is none; the receiver grants credits as its consumer reads. This is how a slow
/// consumer slows the producer on the other end instead of filling memory.
package final class SendCredit: Sendable {
    private struct State {
        var available: Int
        var waiters: [(id: Int, continuation: CheckedContinuation<Void, any Error>)] = []
        var nextID = 0
        var failure: RPCError?
    }

    private let state: Mutex<State>

    package init(initial: Int) {
        state = Mutex(State(available: initial))
    }

    package func acquire() async throws {
        // Fast path without a continuation: the common case when the consumer keeps up.
        let ready: Bool = try state.withLock { s in
            if let f = s.failure { throw f }
            if s.available > 0 { s.available -= 1; return true }
            return false
        }
        if ready { return }
        let id = state.withLock { s in s.nextID += 1; return s.nextID }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let immediate: Result<Void, any Error>? = state.withLock { s in
                    if let f = s.failure { return .failure(f) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if s.available > 0 { s.available -= 1; return .success(()) }
                    s.waiters.append((id, c))
                    return nil
                }
                if let immediate { c.resume(with: immediate) }
            }
        } onCancel: {
            let c = state.withLock { s -> CheckedContinuation<Void, any Error>? in
                guard let i = s.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return s.waiters.remove(at: i).continuation
            }
            c?.resume(throwing: CancellationError())
        }
    }

    package func grant(_ n: Int) {
        let resumed = state.withLock { s -> [CheckedContinuation<Void, any Error>] in
            s.available += n
            var out: [CheckedContinuation<Void, any Error>] = []
            while s.available > 0, !s.waiters.isEmpty {
                s.available -= 1
                out.append(s.waiters.removeFirst().continuation)
            }
            return out
        }
        for c in resumed { c.resume() }
    }

    package func fail(_ error: RPCError) {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, any Error>] in
            if s.failure == nil { s.failure = error }
            defer { s.waiters.removeAll() }
            return s.waiters.map(\.continuation)
        }
        for c in waiters { c.resume(throwing: error) }
    }
}

/// Counts messages a consumer has taken and says when to send the peer a WINDOW frame: in batches
/// of half the window, so a busy stream costs one control frame per many messages.
package struct WindowTracker: Sendable {
    package let window: Int
    private var consumed = 0

    package init(window: Int) { self.window = window }

    package mutating func consumedOne() -> UInt32? {
        consumed += 1
        if consumed >= max(1, window / 2) {
            defer { consumed = 0 }
            return UInt32(consumed)
        }
        return nil
    }
}

/// The messages arriving on one stream, as an async sequence. Each message taken may trigger a
/// WINDOW frame back to the sender (via `onConsume`).
package struct InboundMessages: AsyncSequence, Sendable {
    package typealias Element = ByteBuffer
    let stream: AsyncThrowingStream<ByteBuffer, any Error>
    let onConsume: @Sendable () -> Void

    package struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<ByteBuffer, any Error>.AsyncIterator
        let onConsume: @Sendable () -> Void

        package mutating func next() async throws -> ByteBuffer? {
            let element = try await base.next()
            if element != nil {
                onConsume()
            } else if Task.isCancelled {
                // AsyncThrowingStream ends quietly when its consumer is cancelled; a caller must
                // not mistake that for the peer's orderly end of stream.
                throw RPCError(code: .cancelled, message: "the call was cancelled")
            }
            return element
        }
    }

    package func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: stream.makeAsyncIterator(), onConsume: onConsume)
    }
}
