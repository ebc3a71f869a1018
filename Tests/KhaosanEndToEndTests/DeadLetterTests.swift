import Foundation
import KhaosanTestSupport
import Testing

/// Issue 13, item 3: a record khaosan-queryd refuses for good must not stop forwarding. Here the
/// query service takes messages of at most 200 KB while the ingester journals a 300 KB release:
/// the batch holding it is refused (RESOURCE_EXHAUSTED), the forwarder finds the record by
/// sending that batch's records one by one, sets it aside, and everything else becomes
/// searchable.
@Suite("End to end: dead letters", .serialized)
struct DeadLetterTests {
    /// A valid thaigov release of about `bytes` bytes, its lines all different.
    static func bigRelease(id: Int, bytes: Int) -> Data {
        var text = "รัฐบาลไทย-ข่าวทำเนียบรัฐบาล-รายงานยาว \(id)\nวันอังคารที่ 7 พฤศจิกายน 2566\n"
        var n = 0
        while text.utf8.count < bytes {
            text += "ย่อหน้าที่ \(n) ของรายงานฉบับนี้ว่าด้วยงบประมาณและแผนงานประจำปี\n"
            n += 1
        }
        text += "ที่มา : https://www.thaigov.go.th/news/contents/details/\(id)\n"
        return Data(text.utf8)
    }

    @Test func aRefusedRecordIsSetAsideAndTheRestFlowsOn() async throws {
        let limit = ["--max-message-bytes", "200000"]
        try await withServices(queryArguments: limit) { sandbox, firstQuery, ingestdProcess in
            // khaosan-queryd is down while the files are ingested, so the forwarder later sends
            // them as one batch, which is refused as a whole and has to be taken apart.
            _ = await firstQuery.terminate()
            let inbox = sandbox.home.appendingPathComponent("inbox")
            try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
            let small = Array(Fixtures.corpusFiles().prefix(6))
            for (i, f) in small.enumerated() {
                // Sorted names put the big file in the middle of the stream.
                try FileManager.default.copyItem(at: f, to: inbox.appendingPathComponent("\(i < 3 ? "a" : "c")\(i)_\(f.lastPathComponent)"))
            }
            try Self.bigRelease(id: 990_001, bytes: 300_000).write(to: inbox.appendingPathComponent("b_big_1.txt"))

            let ingest = try await khaosan(["ingest", inbox.path, "--json", "--no-wait"], sandbox: sandbox)
            #expect(ingest.status == 0, "ingest: \(ingest.stderr)")
            let accepted = ingest.jsonLines.filter { ($0["status"] as? String) == "accepted" }
            #expect(accepted.count == 7, "\(ingest.stdout)")

            let query = try Daemon("khaosan-queryd", sandbox: sandbox, arguments: limit, socket: sandbox.querySocket)
            defer { kill(query.process.processIdentifier, SIGTERM) }
            try await query.waitReady()
            // Bounded wait for the forwarder to drain the journal.
            var ingestd: [String: Any] = [:]
            for _ in 0..<300 {
                let status = try await khaosan(["status", "--json"], sandbox: sandbox)
                ingestd = status.jsonLines.first { ($0["service"] as? String) == "ingestd" } ?? [:]
                if (ingestd["lag"] as? NSNumber)?.intValue == 0 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(ingestd["lag"] as? NSNumber == 0, "\(ingestd)")
            #expect(ingestdProcess.log.contains("one by one"), "\(ingestdProcess.log.suffix(2000))")
            #expect((ingestd["dead_letter_total"] as? NSNumber)?.intValue == 1, "\(ingestd)")
            let last = ingestd["last_dead_letter"] as? String ?? ""
            #expect(last.contains("release 990001") && last.contains("RESOURCE_EXHAUSTED"), "\(last)")

            let stats = try await khaosan(["stats", "--json"], sandbox: sandbox)
            let releases = stats.jsonLines.compactMap { ($0["releases"] as? NSNumber)?.intValue }.first
            let smallIDs = Set(small.compactMap { f -> Int64? in
                guard let text = try? String(contentsOf: f, encoding: .utf8), let url = text.split(separator: "\n").last else { return nil }
                return Int64(url.split(separator: "/").last ?? "")
            })
            #expect(releases == smallIDs.count, "\(stats.stdout)")

            let letters = sandbox.home.appendingPathComponent("ingest/dead-letters")
            let index = try String(contentsOf: letters.appendingPathComponent("index.jsonl"), encoding: .utf8)
            #expect(index.split(separator: "\n").count == 1 && index.contains("990001"))
            let records = try FileManager.default.contentsOfDirectory(atPath: letters.path).filter { $0.hasSuffix(".record") }
            #expect(records.count == 1)
        }
    }
}
