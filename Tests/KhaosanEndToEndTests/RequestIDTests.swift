import Foundation
import Testing

/// Issue 15, item 4: one id per CLI invocation, sent as `x-request-id` on every call, logged by
/// each service for everything of that call, so the two logs join on one user action.
@Suite("End to end: request ids", .serialized)
struct RequestIDTests {
    /// Both services at debug level, where every call's end is logged with its request id.
    private func withDebugServices(_ body: (Sandbox, Daemon, Daemon) async throws -> Void) async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let query = try Daemon("khaosan-queryd", sandbox: sandbox, arguments: ["--log-level", "debug"], socket: sandbox.querySocket)
        // A daemon that did not come up in time is killed by waitReady; the other one here.
        try await query.waitReady()
        let ingest = try Daemon("khaosan-ingestd", sandbox: sandbox, arguments: ["--log-level", "debug"], socket: sandbox.ingestSocket)
        do { try await ingest.waitReady() } catch { await query.kill9(); throw error }
        do {
            try await body(sandbox, query, ingest)
            _ = await ingest.terminate()
            _ = await query.terminate()
        } catch {
            _ = await ingest.terminate()
            _ = await query.terminate()
            throw HarnessError("\(error)\n--- queryd log:\n\(query.log.suffix(3000))\n--- ingestd log:\n\(ingest.log.suffix(3000))")
        }
    }

    /// The request ids logged on lines of `method` (a method path).
    private func ids(in log: String, method: String) -> [String] {
        log.split(separator: "\n").filter { $0.contains("rpc.method=\(method) ") }.compactMap { line in
            guard let r = line.range(of: "request.id=") else { return nil }
            return String(line[r.upperBound...].prefix { $0 != " " })
        }
    }

    /// `khaosan status` calls both services (and the ingester checks khaosan-queryd for it): the
    /// id the ingester logged for Status is the one khaosan-queryd logged for Stats and for the
    /// ingester's health check. A second invocation has another id.
    @Test func statusIsOneIDInBothLogs() async throws {
        try await withDebugServices { sandbox, query, ingest in
            let status = try await khaosan(["status"], sandbox: sandbox)
            #expect(status.status == 0, "\(status.stderr)")
            let id = try #require(ids(in: ingest.log, method: "/khaosan.v1.IngestService/Status").first)
            #expect(id.count == 16 && id.allSatisfy(\.isHexDigit), "\(id)")
            #expect(ids(in: ingest.log, method: "/khaosan.v1.Health/Check") == [id])
            #expect(ids(in: query.log, method: "/khaosan.v1.QueryService/Stats") == [id])
            // One from the CLI, one from the ingester's live check during Status.
            #expect(ids(in: query.log, method: "/khaosan.v1.Health/Check") == [id, id])

            _ = try await khaosan(["status"], sandbox: sandbox)
            let both = ids(in: query.log, method: "/khaosan.v1.QueryService/Stats")
            #expect(both.count == 2 && both[0] != both[1], "\(both)")
        }
    }

    /// An id given by a script ($KHAOSAN_REQUEST_ID) is the one both services log; an unusable
    /// one (a space, or too long) is replaced by the server's own.
    @Test(arguments: [
        ("nightly-import-42", true),
        ("has a space", false),
        (String(repeating: "x", count: 65), false),
    ])
    func givenIDIsLoggedByTheServices(id: String, kept: Bool) async throws {
        try await withDebugServices { sandbox, query, ingest in
            let search = try await khaosan(["search", "รัฐบาล"], sandbox: sandbox, environment: ["KHAOSAN_REQUEST_ID": id])
            #expect(search.status == 0, "\(search.stderr)")
            let status = try await khaosan(["status"], sandbox: sandbox, environment: ["KHAOSAN_REQUEST_ID": id])
            #expect(status.status == 0, "\(status.stderr)")
            let searched = ids(in: query.log, method: "/khaosan.v1.QueryService/Search")
            let statusID = ids(in: ingest.log, method: "/khaosan.v1.IngestService/Status")
            #expect(searched.count == 1 && statusID.count == 1)
            if kept {
                #expect(searched == [id] && statusID == [id])
            } else {
                #expect(!searched.contains(id) && !statusID.contains(id))
                #expect(searched.allSatisfy { $0.count == 16 && $0.allSatisfy(\.isHexDigit) })
            }
        }
    }
}
