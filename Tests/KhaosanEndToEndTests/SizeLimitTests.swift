import Foundation
import KhaosanTestSupport
import Testing

/// Issue 13, item 3: what khaosan-ingestd accepts always fits what it forwards. A file just under
/// the input limit whose parsed release encodes larger than a journal record may be (41,000
/// lines of 99 letters: each costs one byte more encoded, a tag and a length for its newline) is
/// rejected as too-large, nothing is journaled, and the files after it flow on. (Lines of two
/// letters, the probe, grow a third, but cost twenty times the parsing: the
/// hostile-client suite sends those.)
@Suite("End to end: one size limit", .serialized)
struct SizeLimitTests {
    @Test func aReleaseThatGrowsPastTheRecordLimitIsRejectedAtIntake() async throws {
        try await withServices { sandbox, _, _ in
            let inbox = sandbox.home.appendingPathComponent("inbox")
            try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
            var text = Array("รัฐบาลไทย-ข่าวทำเนียบรัฐบาล-บรรทัดสั้น\nวันอังคารที่ 7 พฤศจิกายน 2566\n".utf8)
            let letters = Array("abcdefghijklmnopqrstuvwxyz".utf8)
            // Random, not periodic: the repeated-block check would keep one period of a cycle.
            var rng = SplitMix64(seed: 3)
            while text.count < (4 << 20) - (64 << 10) - 200 {
                for _ in 0..<99 { text.append(letters[Int(rng.next() % 26)]) }
                text.append(0x0A)
            }
            text += Array("ที่มา : https://www.thaigov.go.th/news/contents/details/990002\n".utf8)
            try Data(text).write(to: inbox.appendingPathComponent("a_short_lines_1.txt"))
            let small = "รัฐบาลไทย-ข่าวทำเนียบรัฐบาล-ข่าวสั้น\nวันอังคารที่ 7 พฤศจิกายน 2566\nเนื้อข่าวสั้น ๆ ฉบับหนึ่ง\nที่มา : https://www.thaigov.go.th/news/contents/details/990003\n"
            try Data(small.utf8).write(to: inbox.appendingPathComponent("b_small_1.txt"))

            let ingest = try await khaosan(["ingest", inbox.path, "--json", "--wait-timeout", "60"], sandbox: sandbox)
            let results = ingest.jsonLines.filter { $0["status"] != nil }
            let big = try #require(results.first { ($0["file"] as? String)?.hasSuffix("a_short_lines_1.txt") == true }, "\(ingest.stdout)")
            #expect(big["status"] as? String == "rejected", "\(big)")
            let error = big["error"] as? [String: Any]
            #expect(error?["code"] as? String == "too-large", "\(big)")
            #expect((error?["message"] as? String)?.contains("journal record") == true, "\(big)")
            #expect(results.contains { ($0["file"] as? String)?.hasSuffix("b_small_1.txt") == true && $0["status"] as? String == "accepted" })

            let got = try await khaosan(["get", "990003", "--json"], sandbox: sandbox)
            #expect(got.status == 0, "\(got.stderr)")
            let status = try await khaosan(["status", "--json"], sandbox: sandbox)
            let ingestd = status.jsonLines.first { ($0["service"] as? String) == "ingestd" } ?? [:]
            #expect(ingestd["lag"] as? NSNumber == 0 && ingestd["dead_letter_total"] as? NSNumber == 0, "\(ingestd)")
        }
    }
}
