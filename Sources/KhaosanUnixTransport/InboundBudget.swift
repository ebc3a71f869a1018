import KhaosanRPC
import NIOCore
import Synchronization

/// Bytes of request messages a connection has read but its handlers have not taken yet. Past
/// the limit the connection stops reading its socket until they have taken half of it: the
/// message windows alone let a client that obeys them park 64 messages of up to 4 MiB on every
/// stream (issue 13, item 7: a stream that never read its results took khaosan-ingestd to
/// 1.2 GB). Slowing the reads is back-pressure a well-behaved client never notices.
///
/// Not reading also means not reading the client's WINDOW frames. A handler that waits for one
/// while its requests hold the budget would wait for ever, so when reading has been paused for
/// `stuckAfter`, `onStuck` runs (the connection then fails the calls waiting for the client's
/// window with RESOURCE_EXHAUSTED, which frees their requests). Our own clients keep far less
/// than the budget in flight and never get there.
final class InboundBudget: Sendable {
    let limit: Int
    private let channel: any Channel
    private let stuckAfter: TimeAmount
    private let state = Mutex<(bytes: Int, paused: Bool, pauses: Int)>((0, false, 0))
    private let onStuck: Mutex<(@Sendable () -> Void)?> = Mutex(nil)

    init(channel: any Channel, limit: Int, stuckAfter: Duration = .seconds(10)) {
        self.channel = channel
        self.limit = limit
        self.stuckAfter = .nanoseconds(stuckAfter.nanoseconds)
    }

    func whenStuck(_ body: @escaping @Sendable () -> Void) { onStuck.withLock { $0 = body } }

    var bytes: Int { state.withLock { $0.bytes } }

    /// A message was queued for a handler. On the event loop.
    func add(_ n: Int) {
        let pause = state.withLock { s -> Int? in
            s.bytes += n
            guard !s.paused, s.bytes > limit else { return nil }
            s.paused = true
            s.pauses += 1
            return s.pauses
        }
        guard let pause else { return }
        _ = channel.setOption(ChannelOptions.autoRead, value: false)
        channel.eventLoop.scheduleTask(in: stuckAfter) { [self] in
            let stuck = state.withLock { $0.paused && $0.pauses == pause }
            if stuck, let body = onStuck.withLock({ $0 }) { body() }
        }
    }

    /// A handler took a message, or a call ended with messages still queued. Any thread.
    func release(_ n: Int) {
        guard n > 0 else { return }
        let resume = state.withLock { s in
            s.bytes -= n
            guard s.paused, s.bytes <= limit / 2 else { return false }
            s.paused = false
            return true
        }
        if resume {
            let channel = self.channel
            channel.eventLoop.execute { _ = channel.setOption(ChannelOptions.autoRead, value: true) }
        }
    }
}
