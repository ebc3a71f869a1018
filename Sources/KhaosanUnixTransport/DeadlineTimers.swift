import HeapModule
import KhaosanRPC
package import NIOCore
import Synchronization

/// The deadlines of one connection's calls, behind a single event-loop timer set for the earliest.
/// A NIO timer per call (scheduled when the call starts, cancelled when it ends) cost a twentieth
/// of a round trip on each side; here a call costs a heap insert, and since calls usually end
/// long before their deadline, the timer is rarely moved and almost never fires.
package final class DeadlineTimers: Sendable {
    private struct Entry: Comparable {
        var deadline: NIODeadline
        var id: UInt32
        static func < (a: Entry, b: Entry) -> Bool { (a.deadline, a.id) < (b.deadline, b.id) }
    }

    private struct State {
        /// May hold entries of calls that ended: `live` says which still count.
        var heap = Heap<Entry>()
        var live: [UInt32: NIODeadline] = [:]
        var timer: (at: NIODeadline, task: Scheduled<Void>)?
        var onExpire: (@Sendable (UInt32) -> Void)?
        var closed = false
    }

    private let eventLoop: any EventLoop
    private let state = Mutex(State())

    package init(eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    /// What to do with a call whose deadline has passed; called on the event loop. Set once, by
    /// the owner at the end of its initialiser.
    package func onExpire(_ body: @escaping @Sendable (UInt32) -> Void) { state.withLock { $0.onExpire = body } }

    /// Call `id` expires `timeout` from now (the event loop's clock).
    package func arm(_ id: UInt32, in timeout: TimeAmount) {
        let deadline = eventLoop.now + timeout
        state.withLock { s in
            guard !s.closed else { return }
            s.live[id] = deadline
            s.heap.insert(Entry(deadline: deadline, id: id))
            // Entries of ended calls are dropped when they reach the top or, here, in bulk.
            if s.heap.count > 2 * s.live.count + 64 {
                s.heap = Heap(s.live.map { Entry(deadline: $0.value, id: $0.key) })
            }
            if let at = s.timer?.at, at <= deadline { return }
            schedule(&s)
        }
    }

    /// The call ended: its deadline no longer matters. Any thread.
    package func disarm(_ id: UInt32) {
        state.withLock { s in _ = s.live.removeValue(forKey: id) }
    }

    /// The connection is gone: no timer is left behind.
    package func close() {
        let timer = state.withLock { s in
            s.closed = true
            s.live.removeAll()
            s.heap = Heap()
            defer { s.timer = nil }
            return s.timer?.task
        }
        timer?.cancel()
    }

    /// Sets the timer for the earliest live deadline (cancelling an earlier-set one). NIO's
    /// `scheduleTask` only queues; nothing calls back into this lock before it returns.
    private func schedule(_ s: inout State) {
        while let top = s.heap.min, s.live[top.id] != top.deadline { s.heap.removeMin() }
        s.timer?.task.cancel()
        s.timer = nil
        guard let top = s.heap.min else { return }
        let task = eventLoop.scheduleTask(deadline: top.deadline) { [weak self] () -> Void in self?.fire() }
        s.timer = (top.deadline, task)
    }

    private func fire() {
        let now = eventLoop.now
        let (due, onExpire): ([UInt32], (@Sendable (UInt32) -> Void)?) = state.withLock { s in
            s.timer = nil
            var due: [UInt32] = []
            while let top = s.heap.min, top.deadline <= now {
                s.heap.removeMin()
                if s.live[top.id] == top.deadline {
                    s.live[top.id] = nil
                    due.append(top.id)
                }
            }
            schedule(&s)
            return (due, s.onExpire)
        }
        for id in due { onExpire?(id) }
    }
}
