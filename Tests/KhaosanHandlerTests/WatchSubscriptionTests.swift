@testable import KhaosanQuery
import KhaosanModel
import KhaosanWire
import Testing

/// A watcher's queue is bounded: past its capacity the watcher is marked to resume, and the
/// events it holds are still delivered, in order, before its stream ends.
@Suite("Watch subscription")
struct WatchSubscriptionTests {
    static func event(_ p: UInt64) -> WatchEvent {
        WatchEvent(position: p, id: Int64(p), title: "t", published: CivilDate(year: 2024, month: 1, day: 1),
                   category: Category(name: "c", slug: nil), language: .th)
    }

    @Test(arguments: [1, 3, 8])
    func overflowEndsTheStreamAfterWhatItHolds(capacity: Int) async throws {
        let s = WatchSubscription(id: 1, uid: 0, query: try StandingQuery(text: "a", from: nil, to: nil, categories: [], language: nil, wholeWords: false),
                                  capacity: capacity)
        for p in 1...UInt64(capacity + 2) { s.deliver(Self.event(p)) }
        #expect(s.overflowed)
        var got: [UInt64] = []
        for await e in s.events { got.append(e.position) }
        #expect(got == Array(1...UInt64(capacity)))
    }

    @Test func withinCapacityNothingOverflows() {
        let s = WatchSubscription(id: 1, uid: 0, query: try! StandingQuery(text: "a", from: nil, to: nil, categories: [], language: nil, wholeWords: false),
                                  capacity: 4)
        for p in 1...4 { s.deliver(Self.event(UInt64(p))) }
        #expect(!s.overflowed)
    }
}
