import Foundation
@testable import KhaosanIngest
import KhaosanModel
import KhaosanRPC
import KhaosanTestSupport
import KhaosanWire
import Testing

/// The IngestService handlers and the forwarder over the in-process transport, with a real
/// journal and catalog in a temp directory and the real query handlers on SQLite behind them:
/// what khaosan-ingestd does, without starting it or khaosan-queryd.
@Suite("Ingest handlers and forwarder in process")
struct IngestHandlerTests {
    private func ingest(_ i: IngestUnderTest, _ raw: RawRelease) async throws -> IngestResult {
        try await i.client.unary(KhaosanMethods.ingest, IngestRequest.raw(raw, categoryOverride: nil))
    }

    @Test func aReleaseIsAcceptedOnceThenADuplicate() async throws {
        let raw = HandlerFixtures.rawFiles(1)[0]
        let release = try ReleaseParser.parse(raw)
        try await QueryUnderTest.with { q in
            let i = try IngestUnderTest(query: q)
            let first = try await ingest(i, raw)
            #expect(first.status == .accepted && first.id == release.id && first.sequence == 1)
            let again = try await ingest(i, raw)
            #expect(again.status == .duplicate && again.sequence == 0)
            let status: IngestStatusResponse = try await i.client.unary(KhaosanMethods.ingestStatus, IngestStatusRequest())
            #expect(status.acceptedTotal == 1 && status.duplicateTotal == 1 && status.lastSequence == 1)
            #expect(status.lag == 1)  // nothing forwarded: the forwarder is not running
            try await i.close()
        }
    }

    /// A bad file gets its own REJECTED result with the parser's code; the stream goes on, and
    /// results come back in request order.
    @Test func aStreamAnswersEveryItemInOrder() async throws {
        let good = HandlerFixtures.rawFiles(20)
        let bad = Fixtures.badFiles().prefix(3).map { RawRelease.thaigovFile(fileName: $0.lastPathComponent, bytes: Array(try! Data(contentsOf: $0))) }
        var items = good
        items.insert(contentsOf: bad, at: 7)
        let sent = items
        let expectedRejects: [ReleaseError.Code?] = bad.map { raw in
            do throws(ReleaseError) { _ = try ReleaseParser.parse(raw); return nil } catch { return error.code }
        }
        try await QueryUnderTest.with { q in
            let i = try IngestUnderTest(query: q)
            let results = try await i.client.bidirectional(KhaosanMethods.ingestStream) { (sender: RequestSender<IngestRequest>, responses: ResponseStream<IngestResult>) in
                try await withThrowingTaskGroup(of: [IngestResult].self) { group in
                    group.addTask {
                        var all: [IngestResult] = []
                        for try await r in responses { all.append(r) }
                        return all
                    }
                    for raw in sent { try await sender.send(.raw(raw, categoryOverride: nil)) }
                    sender.finish()
                    return try await group.next()!
                }
            }
            #expect(results.map(\.fileName) == sent.map(\.fileName))
            let rejected = results.filter { $0.status == .rejected }
            #expect(rejected.map { $0.error?.code } == expectedRejects)
            let journaled = results.filter { $0.status == .accepted || $0.status == .updated }
            #expect(journaled.count + results.filter { $0.status == .duplicate }.count == good.count)
            #expect(Set(journaled.map(\.sequence)).count == journaled.count)
            try await i.close()
        }
    }

    /// Ingest, forward, Sync: once Sync returns, everything acknowledged is searchable in the
    /// query service, and the forwarder's position is durable (a new IngestCore on the same
    /// state directory starts from it and sends nothing again).
    @Test func syncReturnsOnceTheQueryServiceHasApplied() async throws {
        let raws = HandlerFixtures.rawFiles(15)
        let ids = Set(try raws.map { try ReleaseParser.parse($0).id })
        try await QueryUnderTest.with { q in
            let i = try IngestUnderTest(query: q)
            let last = try await i.withForwarder {
                var last: UInt64 = 0
                for raw in raws { last = max(last, try await ingest(i, raw).sequence) }
                let synced: SyncResponse = try await i.client.unary(KhaosanMethods.sync, SyncRequest())
                #expect(synced.appliedSequence >= last)
                let status: IngestStatusResponse = try await i.client.unary(KhaosanMethods.ingestStatus, IngestStatusRequest())
                #expect(status.lag == 0 && status.queryReachable && status.forwardedSequence == last)
                return last
            }
            let stats: StatsResponse = try await q.client.unary(KhaosanMethods.stats, StatsRequest())
            #expect(stats.releases == UInt64(ids.count) && stats.appliedSequence == last)
            for id in ids {
                let got: GetResponse = try await q.client.unary(KhaosanMethods.get, GetRequest(id: id))
                #expect(got.release?.id == id)
            }
            try await i.close(removing: false)

            let reopened = try IngestUnderTest(query: q, directory: i.directory)
            #expect(reopened.core.forwarder.forwarded == last)
            let status: IngestStatusResponse = try await reopened.client.unary(KhaosanMethods.ingestStatus, IngestStatusRequest())
            #expect(status.lag == 0)
            let again = try await ingest(reopened, raws[0])
            #expect(again.status == .duplicate)
            try await reopened.close()
        }
    }
}
