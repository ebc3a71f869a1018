import Foundation
#if canImport(Glibc)
import Glibc
#endif
import KhaosanTestSupport
import Testing

/// Issue 15, item 3: when the intake catalog's disk fails under a running ingester, it goes
/// NOT_SERVING and acknowledges nothing more; what it acknowledged before is all searchable.
@Suite("End to end: a failing catalog disk", .serialized)
struct BrokenCatalogTests {
    @Test(.enabled(if: FailingDisk.available, "needs root, loop devices and mkfs.ext4"))
    func theIngesterStopsAcknowledging() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let disk = try FailingDisk(in: sandbox.home.path + "/failing")
        defer { disk.remove() }
        // The catalog (only it: the journal stays on a good disk) on the disk that will fail.
        // An existing, sound file is opened in place, so the symlink is followed, not replaced.
        let state = sandbox.home.path + "/ingest"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        try Data("KHCATLG2".utf8).write(to: URL(fileURLWithPath: disk.mountPoint + "/catalog.bin"))
        try FileManager.default.createSymbolicLink(atPath: state + "/catalog.bin", withDestinationPath: disk.mountPoint + "/catalog.bin")

        let query = try Daemon("khaosan-queryd", sandbox: sandbox, socket: sandbox.querySocket)
        try await query.waitReady()
        let ingest = try Daemon("khaosan-ingestd", sandbox: sandbox, socket: sandbox.ingestSocket)
        try await ingest.waitReady()
        // Stopped at the end; on an early exit of the test, at least signalled.
        defer { kill(ingest.process.processIdentifier, SIGTERM); kill(query.process.processIdentifier, SIGTERM) }

        let files = Fixtures.corpusFiles().filter { !$0.lastPathComponent.hasPrefix("_") }
        let before = try await khaosan(["ingest", "--json"] + files.prefix(3).map(\.path), sandbox: sandbox)
        #expect(before.status == 0, "\(before.stderr)")

        disk.exhaustBacking()
        // Accepted (the catalog's writes reach the page cache); the checkpoint after forwarding
        // fsyncs the catalog, which fails. Long category names make the catalog grow into
        // blocks of the image not yet backed by the full tmpfs (rewriting a block already
        // there would still succeed).
        let inbox = sandbox.home.appendingPathComponent("long-categories")
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        var during: [URL] = []
        for i in 0..<12 {
            let id = 880_000 + i
            let release: [String: Any] = [
                "id": id, "source_url": "https://www.thaigov.go.th/news/contents/details/\(id)",
                "title": "ข่าวทดสอบ brokencatalog\(id)", "published": "2024-03-01",
                "category": "หมวด" + String(repeating: "ก", count: 300) + "\(i)", "paragraphs": ["ย่อหน้า \(id)"],
            ]
            let url = inbox.appendingPathComponent("r\(i).json")
            try JSONSerialization.data(withJSONObject: release).write(to: url)
            during.append(url)
        }
        let duringResult = try await khaosan(["ingest", "--json"] + during.map(\.path), sandbox: sandbox)
        let acknowledged = (before.jsonLines + duringResult.jsonLines).filter { $0["status"] as? String == "accepted" }.count

        var health = ""
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            let status = try await khaosan(["status", "--json"], sandbox: sandbox)
            health = status.jsonLines.first { $0["service"] as? String == "ingestd" }?["health"] as? String ?? ""
            if health == "not_serving" { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(health == "not_serving", "ingestd log: \(ingest.log.suffix(2000))")
        #expect(ingest.log.contains("intake catalog cannot be written"))

        let after = try await khaosan(["ingest", "--json", "--no-wait", files[3].path], sandbox: sandbox)
        #expect(after.status != 0)
        #expect(!after.jsonLines.contains { $0["status"] as? String == "accepted" }, "\(after.stdout)")
        #expect(after.stderr.contains("FAILED_PRECONDITION") && after.stderr.contains("intake catalog"), "\(after.stderr)")

        // Everything acknowledged is stored.
        let stats = try await khaosan(["stats", "--json"], sandbox: sandbox)
        #expect((stats.jsonLines.first?["releases"] as? NSNumber)?.intValue == acknowledged)
        _ = await ingest.terminate()
        _ = await query.terminate()
    }
}
