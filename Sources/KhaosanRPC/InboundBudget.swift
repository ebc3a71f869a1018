import NIOCore
import Synchronization

/// Bytes of request messages a connection has read but its handlers have not taken yet. Past
/// the limit the connection stops reading its socket until they have taken half of it: the
/// message windows alone let a client that obeys them park 64 messages of up to 4 MiB on every
/// stream (issue 13, item 7: a stream that never read its results took khaosan-ingestd to
/// 1.2 GB). Slowing the reads is back-pressure a well-behaved client never notices.
final class InboundBudget: Sendable {
    let limit: Int
    private let channel: any Channel
    private let state = Mutex<(bytes: Int, paused: Bool)>((0, false))

    init(channel: any Channel, limit: Int) {
        self.channel = channel
        self.limit = limit
    }

    var bytes: Int { state.withLock { $0.bytes } }

    /// A message was queued for a handler. On the event loop.
    func add(_ n: Int) {
        let pause = state.withLock { s in
            s.bytes += n
            guard !s.paused, s.bytes > limit else { return false }
            s.paused = true
            return true
        }
        if pause { _ = channel.setOption(ChannelOptions.autoRead, value: false) }
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
