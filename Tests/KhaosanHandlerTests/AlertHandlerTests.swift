import KhaosanModel
import KhaosanQuery
import KhaosanRPC
import KhaosanWire
import Testing

/// Saved searches and QueryService/Watch (issue 17) over the in-process transport, on a real
/// SQLite store: positions, replay then live, per-uid ownership, `run --since-last`.
@Suite("Alert handlers in process")
struct AlertHandlerTests {
    static let word = "zebrafinch"

    static func release(_ i: Int, matching: Bool, version: Int = 1) -> Release {
        let body = "ข่าวทดสอบหมายเลข \(i) ฉบับ \(version)" + (matching ? " โครงการ \(word)" : " โครงการอื่น")
        return Release(id: Int64(5000 + i), sourceURL: "https://example.org/\(5000 + i)", title: "ทดสอบ \(i)",
                       published: CivilDate(year: 2024, month: 2, day: i), category: Category(name: "ด้านสังคม", slug: nil),
                       language: .th, paragraphs: [body], entities: [], contentHash: "h\(i)v\(version)")
    }

    private func apply(_ q: QueryUnderTest, _ releases: [Release], from sequence: UInt64) async throws {
        let items = releases.enumerated().map { BatchItem(sequence: sequence + UInt64($0.offset), release: $0.element) }
        let _: ApplyBatchResponse = try await q.client.unary(KhaosanMethods.applyBatch, ApplyBatchRequest(source: "s", items: items))
    }

    /// Thrown out of a watch's body once it has what it waited for: the call is then cancelled
    /// (a watch never ends by itself).
    struct Collected: Error {
        var events: [WatchEvent]
        var live: UInt64?
    }

    /// Collects `n` events of a watch (the `.live` marker noted), then cancels the call.
    private func watch(_ q: QueryUnderTest, _ request: WatchRequest, events n: Int) -> Task<(events: [WatchEvent], live: UInt64?), any Error> {
        Task {
            do {
                try await q.client.serverStreaming(KhaosanMethods.watch, request, options: CallOptions(timeout: .seconds(60))) {
                    (stream: ResponseStream<WatchMessage>) in
                    var events: [WatchEvent] = []
                    var live: UInt64?
                    for try await m in stream {
                        if m.kind == .live { live = m.position; continue }
                        if let e = m.event { events.append(e) }
                        if events.count == n { throw Collected(events: events, live: live) }
                    }
                }
                Issue.record("the watch ended by itself")
                return ([], nil)
            } catch let c as Collected {
                return (c.events, c.live)
            }
        }
    }

    private func waitForWatchers(_ q: QueryUnderTest, _ n: Int) async throws {
        for _ in 0..<2_000 where q.store.alerts.watcherCount < n { try await Task.sleep(for: .milliseconds(5)) }
        #expect(q.store.alerts.watcherCount == n)
    }

    @Test func aWatchReplaysFromItsPositionThenDeliversNewMatchesInAppliedOrder() async throws {
        try await QueryUnderTest.with { q in
            try await apply(q, [Self.release(1, matching: true), Self.release(2, matching: false), Self.release(3, matching: true)], from: 1)
            // From position 1: release 1 (position 1) is before it, release 3 comes from the replay.
            let w = watch(q, WatchRequest(query: Self.word, fromPosition: 1), events: 4)
            try await waitForWatchers(q, 1)
            try await apply(q, [Self.release(4, matching: true), Self.release(5, matching: false)], from: 4)
            // A new version of a matching release is an event too, marked updated.
            try await apply(q, [Self.release(6, matching: true), Self.release(1, matching: true, version: 2)], from: 6)
            let (events, live) = try await w.value
            #expect(events.map(\.id) == [5003, 5004, 5006, 5001])
            #expect(events.map(\.position) == [3, 4, 6, 7])
            #expect(events.map(\.updated) == [false, false, false, true])
            #expect(live == 3)
            #expect(events.allSatisfy { $0.snippet.contains(Self.word) })
        }
    }

    @Test func savedRunSinceLastReturnsWhatIsNewAndAgreesWithAWatch() async throws {
        try await QueryUnderTest.with { q in
            let saved: SaveSearchResponse = try await q.client.unary(KhaosanMethods.saveSearch, SaveSearchRequest(search: SavedSearch(name: "birds", query: Self.word)))
            #expect(saved.search.lastRunPosition == 0)
            let w = watch(q, WatchRequest(saved: "birds"), events: 2)
            try await waitForWatchers(q, 1)
            try await apply(q, [Self.release(1, matching: true), Self.release(2, matching: false), Self.release(3, matching: true)], from: 1)
            let watched = try await w.value.events
            let run: RunSavedSearchResponse = try await q.client.unary(KhaosanMethods.runSavedSearch, RunSavedSearchRequest(name: "birds", sinceLast: true))
            #expect(run.events == watched)
            #expect(run.fromPosition == 0 && run.toPosition == 3 && !run.more)
            try await apply(q, [Self.release(4, matching: true)], from: 4)
            let next: RunSavedSearchResponse = try await q.client.unary(KhaosanMethods.runSavedSearch, RunSavedSearchRequest(name: "birds", sinceLast: true))
            #expect(next.events.map(\.id) == [5004] && next.fromPosition == 3 && next.toPosition == 4)
            let none: RunSavedSearchResponse = try await q.client.unary(KhaosanMethods.runSavedSearch, RunSavedSearchRequest(name: "birds", sinceLast: true))
            #expect(none.events.isEmpty)
            // A limit moves the position only as far as what was returned.
            let page: RunSavedSearchResponse = try await q.client.unary(KhaosanMethods.runSavedSearch, RunSavedSearchRequest(name: "birds", limit: 2))
            #expect(page.events.map(\.id) == [5001, 5003] && page.more && page.toPosition == 3)
        }
    }

    @Test func savedSearchesBelongToTheirUID() async throws {
        let stranger = PeerCredentials(pid: 1, uid: 4242, gid: 4242)
        try await QueryUnderTest.with(peer: stranger, readerUIDs: [4242]) { q in
            _ = try q.store.saveSearch(uid: PeerCredentials.currentUID, SavedSearch(name: "mine", query: Self.word), replace: false)
            let listed: ListSavedSearchesResponse = try await q.client.unary(KhaosanMethods.listSavedSearches, ListSavedSearchesRequest())
            #expect(listed.searches.isEmpty)
            await #expect(throws: RPCError.self) {
                let _: RunSavedSearchResponse = try await q.client.unary(KhaosanMethods.runSavedSearch, RunSavedSearchRequest(name: "mine"))
            }
            let own: SaveSearchResponse = try await q.client.unary(KhaosanMethods.saveSearch, SaveSearchRequest(search: SavedSearch(name: "mine", query: "อื่น")))
            #expect(own.search.query == "อื่น")
            #expect(try q.store.savedSearches(uid: PeerCredentials.currentUID).map(\.query) == [Self.word])
        }
    }

    enum Refusal: String, CaseIterable, Sendable { case badName, badQuery, duplicate, unknownSaved, watchUnknownSaved }

    @Test(arguments: Refusal.allCases)
    func refusalsCarryTheirStatus(refusal: Refusal) async throws {
        try await QueryUnderTest.with { q in
            let expected: RPCError.Code
            do {
                switch refusal {
                case .badName:
                    expected = .invalidArgument
                    let _: SaveSearchResponse = try await q.client.unary(KhaosanMethods.saveSearch, SaveSearchRequest(search: SavedSearch(name: "../x", query: "a")))
                case .badQuery:
                    expected = .invalidArgument
                    let _: SaveSearchResponse = try await q.client.unary(KhaosanMethods.saveSearch, SaveSearchRequest(search: SavedSearch(name: "x", query: "\"open")))
                case .duplicate:
                    expected = .alreadyExists
                    let _: SaveSearchResponse = try await q.client.unary(KhaosanMethods.saveSearch, SaveSearchRequest(search: SavedSearch(name: "x", query: "a")))
                    let _: SaveSearchResponse = try await q.client.unary(KhaosanMethods.saveSearch, SaveSearchRequest(search: SavedSearch(name: "x", query: "b")))
                case .unknownSaved:
                    expected = .notFound
                    let _: DeleteSavedSearchResponse = try await q.client.unary(KhaosanMethods.deleteSavedSearch, DeleteSavedSearchRequest(name: "nope"))
                case .watchUnknownSaved:
                    expected = .notFound
                    _ = try await watch(q, WatchRequest(saved: "nope"), events: 1).value
                }
                Issue.record("\(refusal) was not refused")
            } catch let e as RPCError {
                #expect(e.code == expected, "\(refusal): \(e)")
            }
        }
    }
}
