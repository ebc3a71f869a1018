import KhaosanModel
import KhaosanRPC
import KhaosanWire
import Testing

/// The QueryService handlers over the in-process transport, on a real SQLite store: what
/// khaosan-queryd answers, without starting it.
@Suite("Query handlers in process")
struct QueryHandlerTests {
    private func apply(_ q: QueryUnderTest, _ releases: [Release], source: String = "test-source", from sequence: UInt64 = 1) async throws -> ApplyBatchResponse {
        let items = releases.enumerated().map { BatchItem(sequence: sequence + UInt64($0.offset), release: $0.element) }
        return try await q.client.unary(KhaosanMethods.applyBatch, ApplyBatchRequest(source: source, items: items))
    }

    @Test func appliedReleasesCanBeSearchedFetchedAndCounted() async throws {
        let releases = try HandlerFixtures.releases(12)
        try await QueryUnderTest.with { q in
            let applied = try await apply(q, releases)
            #expect(applied.inserted == UInt32(releases.count) && applied.appliedSequence == UInt64(releases.count))

            let first = releases[0]
            let got: GetResponse = try await q.client.unary(KhaosanMethods.get, GetRequest(id: first.id))
            #expect(got.release == first && got.version == 1)

            // A word of the first release's title finds it.
            let word = String(first.title.prefix(4))
            let found: SearchResponse = try await q.client.unary(KhaosanMethods.search, SearchRequest(query: "\"\(word)\"", limit: 50))
            #expect(found.total > 0 && found.hits.contains { $0.id == first.id })

            let latest: LatestResponse = try await q.client.unary(KhaosanMethods.latest, LatestRequest(limit: 5))
            #expect(latest.hits.count == 5)
            let newest = releases.map(\.published).max()!
            #expect(latest.hits.first?.published == newest)

            let stats: StatsResponse = try await q.client.unary(KhaosanMethods.stats, StatsRequest())
            #expect(stats.releases == UInt64(Set(releases.map(\.id)).count) && stats.appliedSequence == UInt64(releases.count))

            let position: AppliedPositionResponse = try await q.client.unary(KhaosanMethods.appliedPosition, AppliedPositionRequest(source: "test-source"))
            #expect(position.appliedSequence == UInt64(releases.count))
            let integrity: IntegrityCheckResponse = try await q.client.unary(KhaosanMethods.checkIntegrity, IntegrityCheckRequest())
            #expect(integrity.ok)
        }
    }

    /// The forwarder's at-least-once delivery rests on this: a batch sent again changes nothing.
    @Test func aResentStreamChangesNothing() async throws {
        let releases = try HandlerFixtures.releases(6)
        try await QueryUnderTest.with { q in
            let items = releases.enumerated().map { BatchItem(sequence: UInt64($0.offset + 1), release: $0.element) }
            let batches = [ApplyBatchRequest(source: "s", items: Array(items[0..<3])), ApplyBatchRequest(source: "s", items: Array(items[3...]))]
            @Sendable func stream() async throws -> [ApplyBatchResponse] {
                try await q.client.bidirectional(KhaosanMethods.applyStream) { (sender: RequestSender<ApplyBatchRequest>, responses: ResponseStream<ApplyBatchResponse>) in
                    for b in batches { try await sender.send(b) }
                    sender.finish()
                    var all: [ApplyBatchResponse] = []
                    for try await r in responses { all.append(r) }
                    return all
                }
            }
            let first = try await stream()
            #expect(first.map(\.appliedSequence) == [3, 6])
            #expect(first.map(\.inserted).reduce(0, +) == UInt32(releases.count))
            let again = try await stream()
            #expect(again.map(\.appliedSequence) == [6, 6])
            #expect(again.map(\.inserted).reduce(0, +) == 0)
            let stats: StatsResponse = try await q.client.unary(KhaosanMethods.stats, StatsRequest())
            #expect(stats.releases == UInt64(Set(releases.map(\.id)).count))
        }
    }

    enum Refusal: String, CaseIterable, Sendable { case unknownID, emptySource, badQuery }

    @Test(arguments: Refusal.allCases)
    func refusalsCarryTheirStatus(refusal: Refusal) async throws {
        try await QueryUnderTest.with { q in
            do {
                switch refusal {
                case .unknownID:
                    let _: GetResponse = try await q.client.unary(KhaosanMethods.get, GetRequest(id: 987_654_321))
                case .emptySource:
                    let _: ApplyBatchResponse = try await q.client.unary(KhaosanMethods.applyBatch, ApplyBatchRequest(source: "", items: []))
                case .badQuery:
                    let _: SearchResponse = try await q.client.unary(KhaosanMethods.search, SearchRequest(query: "(\"unclosed"))
                }
                Issue.record("\(refusal) was answered")
            } catch let e as RPCError {
                let expected: [Refusal: RPCError.Code] = [.unknownID: .notFound, .emptySource: .invalidArgument, .badQuery: .invalidArgument]
                #expect(e.code == expected[refusal], "\(e)")
            }
        }
    }

    /// A reader uid may search but not write: the handlers look at the caller's credentials.
    @Test func aReaderMaySearchButNotApply() async throws {
        let reader = PeerCredentials(pid: 1, uid: 54_321, gid: 54_321)
        let releases = try HandlerFixtures.releases(1)
        try await QueryUnderTest.with(peer: reader, readerUIDs: [reader.uid]) { q in
            let _: StatsResponse = try await q.client.unary(KhaosanMethods.stats, StatsRequest())
            await #expect { _ = try await apply(q, releases) } throws: { ($0 as? RPCError)?.code == .permissionDenied }
        }
    }

    @Test func healthAnswersForTheServiceAndNotForOthers() async throws {
        try await QueryUnderTest.with { q in
            let ok: HealthCheckResponse = try await q.client.unary(KhaosanMethods.healthCheck, HealthCheckRequest(service: KhaosanMethods.queryService))
            #expect(ok.status == .serving)
            await #expect {
                let _: HealthCheckResponse = try await q.client.unary(KhaosanMethods.healthCheck, HealthCheckRequest(service: "nope"))
            } throws: { ($0 as? RPCError)?.code == .notFound }
        }
    }
}
