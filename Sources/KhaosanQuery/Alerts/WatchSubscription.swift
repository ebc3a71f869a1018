import KhaosanWire
import Synchronization

/// One watcher's queue of events. Bounded: when the watcher does not keep up, the newest event
/// is dropped, the queue is finished and the watcher is told to resume from the last position
/// it received, so a slow client never holds events (or the writer) back.
final class WatchSubscription: Sendable {
    let id: UInt64
    let uid: UInt32
    let query: StandingQuery
    let events: AsyncStream<WatchEvent>
    private let continuation: AsyncStream<WatchEvent>.Continuation
    private let overflow = Mutex(false)

    init(id: UInt64, uid: UInt32, query: StandingQuery, capacity: Int) {
        self.id = id
        self.uid = uid
        self.query = query
        (events, continuation) = AsyncStream.makeStream(of: WatchEvent.self, bufferingPolicy: .bufferingOldest(capacity))
    }

    var overflowed: Bool { overflow.withLock { $0 } }

    func deliver(_ event: WatchEvent) {
        if case .dropped = continuation.yield(event) {
            overflow.withLock { $0 = true }
            continuation.finish()
        }
    }

    func finish() { continuation.finish() }
}
