import DequeModule
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

    /// Whether a sender is waiting for a credit.
    package var hasWaiters: Bool { state.withLock { !$0.waiters.isEmpty } }

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

/// The inbound messages of one call: filled by the transport (the Unix transport: on the event
/// loop), read by one consumer task. A
/// plain class rather than AsyncThrowingStream, which costs a generic storage object and runtime
/// metadata look-ups per call, a measurable share of a unary round trip (BENCHMARKS.md, issue 2).
/// Messages queued before the end are delivered before it; the end is final.
package final class MessageQueue: Sendable {
    private struct State {
        var buffer = Deque<MessageBuffer>(minimumCapacity: 2)
        var end: (any Error)??  // nil: open; .some(nil): finished; .some(error): failed
        var waiter: CheckedContinuation<MessageBuffer?, any Error>?
    }

    private let state = Mutex(State())

    package init() {}

    /// The next queued message, or the end (nil message, or the failure); nil while neither.
    private static func take(_ s: inout State) -> Result<MessageBuffer?, any Error>? {
        if let m = s.buffer.popFirst() { return .success(m) }
        switch s.end {
        case nil: return nil
        case .some(nil): return .success(nil)
        case .some(let error?): return .failure(error)
        }
    }

    package func yield(_ message: MessageBuffer) {
        let waiter: CheckedContinuation<MessageBuffer?, any Error>? = state.withLock { s in
            guard s.end == nil else { return nil }
            if let w = s.waiter {
                s.waiter = nil
                return w
            }
            s.buffer.append(message)
            return nil
        }
        waiter?.resume(returning: message)
    }

    package func finish(throwing error: (any Error)? = nil) {
        let waiter: CheckedContinuation<MessageBuffer?, any Error>? = state.withLock { s in
            guard s.end == nil else { return nil }
            s.end = .some(error)
            defer { s.waiter = nil }
            return s.waiter
        }
        if let error { waiter?.resume(throwing: error) } else { waiter?.resume(returning: nil) }
    }

    /// The next message, nil at a normal end; throws the failure, or CancellationError when the
    /// consuming task is cancelled while it waits.
    package func next() async throws -> MessageBuffer? {
        if let ready = state.withLock({ Self.take(&$0) }) { return try ready.get() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<MessageBuffer?, any Error>) in
                let now: Result<MessageBuffer?, any Error>? = state.withLock { s in
                    if let ready = Self.take(&s) { return ready }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    s.waiter = c
                    return nil
                }
                if let now { c.resume(with: now) }
            }
        } onCancel: {
            let waiter = state.withLock { s in
                defer { s.waiter = nil }
                return s.waiter
            }
            waiter?.resume(throwing: CancellationError())
        }
    }
}

/// The messages arriving on one stream, as an async sequence. Each message taken may trigger a
/// WINDOW frame back to the sender (via `onConsume`, which is told the message's size).
package struct InboundMessages: AsyncSequence, Sendable {
    package typealias Element = MessageBuffer
    let queue: MessageQueue
    let onConsume: @Sendable (Int) -> Void

    package init(queue: MessageQueue, onConsume: @escaping @Sendable (Int) -> Void) {
        self.queue = queue
        self.onConsume = onConsume
    }

    package struct AsyncIterator: AsyncIteratorProtocol {
        let queue: MessageQueue
        let onConsume: @Sendable (Int) -> Void

        package mutating func next() async throws -> MessageBuffer? {
            let element: MessageBuffer?
            do {
                element = try await queue.next()
            } catch is CancellationError {
                throw RPCError(code: .cancelled, message: "the call was cancelled")
            }
            if let element { onConsume(element.count) }
            return element
        }
    }

    package func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(queue: queue, onConsume: onConsume)
    }
}
