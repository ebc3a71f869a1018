import KhaosanRPC
import KhaosanUnixTransport
import NIOCore
import NIOEmbedded
import Synchronization
import Testing

/// One timer per connection for all its calls' deadlines, on a virtual clock.
struct DeadlineTimersTests {
    final class Expired: Sendable {
        let ids = Mutex<[UInt32]>([])
        func take() -> [UInt32] { ids.withLock { all in defer { all.removeAll() }; return all } }
    }

    private func make() -> (EmbeddedEventLoop, DeadlineTimers, Expired) {
        let loop = EmbeddedEventLoop()
        let timers = DeadlineTimers(eventLoop: loop)
        let expired = Expired()
        timers.onExpire { id in expired.ids.withLock { $0.append(id) } }
        return (loop, timers, expired)
    }

    @Test func expiresInDeadlineOrderAndSkipsEndedCalls() {
        let (loop, timers, expired) = make()
        timers.arm(1, in: .seconds(30))
        timers.arm(3, in: .seconds(10))  // earlier than the timer already set: it must move
        timers.arm(5, in: .seconds(20))
        timers.disarm(5)                 // ended in time
        loop.advanceTime(by: .seconds(9))
        #expect(expired.take() == [])
        loop.advanceTime(by: .seconds(2))
        #expect(expired.take() == [3])
        loop.advanceTime(by: .seconds(10))
        #expect(expired.take() == [])
        loop.advanceTime(by: .seconds(10))
        #expect(expired.take() == [1])
    }

    /// Thousands of calls that end in time, as a busy connection has: none expires, and the one
    /// still open does, on time.
    @Test func manyEndedCallsLeaveOnlyTheOpenOne() {
        let (loop, timers, expired) = make()
        for id in stride(from: UInt32(1), through: 9_999, by: 2) {
            timers.arm(id, in: .seconds(30))
            timers.disarm(id)
            loop.advanceTime(by: .milliseconds(1))
        }
        timers.arm(10_001, in: .seconds(5))
        loop.advanceTime(by: .milliseconds(4_999))
        #expect(expired.take() == [])
        loop.advanceTime(by: .milliseconds(1))
        #expect(expired.take() == [10_001])
        loop.advanceTime(by: .seconds(60))
        #expect(expired.take() == [])
    }

    @Test func closeCancelsEverything() {
        let (loop, timers, expired) = make()
        timers.arm(1, in: .seconds(1))
        timers.close()
        timers.arm(3, in: .seconds(1))
        loop.advanceTime(by: .seconds(5))
        #expect(expired.take() == [])
    }
}
