import Foundation
import Testing

/// Issue 15, item 4: `khaosan metrics` against real daemons (the text itself is checked with a
/// Prometheus parser by Tests/Scripts/metrics-test.py).
@Suite("End to end: khaosan metrics", .serialized)
struct MetricsCommandTests {
    @Test func bothServicesUnderAHeaderEach() async throws {
        try await withServices { sandbox, _, _ in
            _ = try await khaosan(["search", "รัฐบาล"], sandbox: sandbox)
            let both = try await khaosan(["metrics"], sandbox: sandbox)
            #expect(both.status == 0, "\(both.stderr)")
            let ingestHeader = try #require(both.stdout.range(of: "# khaosan-ingestd \(sandbox.ingestSocket)\n"))
            let queryHeader = try #require(both.stdout.range(of: "# khaosan-queryd \(sandbox.querySocket)\n"))
            #expect(ingestHeader.lowerBound < queryHeader.lowerBound)
            // The search is queryd's, after its header.
            let search = try #require(both.stdout.range(of: "khaosan_rpc_calls_total{service=\"khaosan.v1.QueryService\",method=\"Search\",code=\"OK\"} 1\n"))
            #expect(search.lowerBound > queryHeader.lowerBound)

            let json = try await khaosan(["metrics", "--query", "--json"], sandbox: sandbox)
            #expect(json.status == 0)
            #expect(json.jsonLines.count == 1)
            #expect(json.jsonLines.first?["service"] as? String == "queryd")
            #expect((json.jsonLines.first?["text"] as? String)?.contains("khaosan_index_documents") == true)
        }
    }

    /// One service down: the other's metrics are still printed, and the exit status says which
    /// kind of failure it was (3, unreachable).
    @Test func anUnreachableServiceExits3AndTheOtherIsPrinted() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let query = try Daemon("khaosan-queryd", sandbox: sandbox, socket: sandbox.querySocket)
        try await query.waitReady()
        let r = try await khaosan(["metrics"], sandbox: sandbox)
        _ = await query.terminate()
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.contains("cannot reach khaosan-ingestd"), "\(r.stderr)")
        // A fresh service has served no call yet (this one is counted when it ends): its gauges show.
        #expect(r.stdout.contains("# khaosan-queryd ") && r.stdout.contains("khaosan_index_documents 0"), "\(r.stdout)")
    }
}
