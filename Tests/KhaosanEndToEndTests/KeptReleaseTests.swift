import Foundation
import KhaosanModel
import KhaosanTestSupport
import Testing

/// Issue 15, items 1 and 6: no real release and no known field is dropped, and what the services
/// report is checked now and said once.
@Suite("End to end: kept releases and fields", .serialized)
struct KeptReleaseTests {
    static let titleOnlyFixture = "corpus/2023/06/21/other_1_5ee0c665-d21b-4ea2-a1c7-2e3e7668c929.txt"

    /// A title-only page is accepted, counted apart, found by a phrase of its title, and `get`
    /// says it has no body.
    @Test func titleOnlyReleaseIsFoundByItsTitle() async throws {
        let url = Fixtures.url(Self.titleOnlyFixture)
        let release = try ReleaseParser.parse(.thaigovFile(fileName: url.lastPathComponent, bytes: Array(Data(contentsOf: url))))
        #expect(release.isTitleOnly)
        try await withServices { sandbox, _, _ in
            let json = try await khaosan(["ingest", "--json", url.path], sandbox: sandbox)
            #expect(json.status == 0, "\(json.stderr)")
            let line = try #require(json.jsonLines.first)
            #expect(line["status"] as? String == "accepted")
            let notes = (line["notes"] as? [[String: Any]]) ?? []
            #expect(notes.contains { $0["code"] as? String == "title-only" }, "\(line)")
            #expect(json.stderr.contains("1 accepted (1 title-only)"), "\(json.stderr)")

            // A phrase from inside the title (words 2-3), not the whole of it.
            let words = release.title.split(separator: " ")
            let phrase = words.count >= 3 ? words[1...2].joined(separator: " ") : String(release.title.prefix(12))
            let found = try await khaosan(["search", "\"\(phrase)\"", "--json"], sandbox: sandbox)
            #expect(found.status == 0, "\(found.stderr)")
            let ids = found.jsonLines.compactMap { ($0["id"] as? NSNumber)?.int64Value }
            #expect(ids == [release.id], "searched \(phrase): \(found.stdout)")

            let get = try await khaosan(["get", String(release.id)], sandbox: sandbox)
            #expect(get.status == 0)
            #expect(get.stdout.contains(release.title))
            #expect(get.stdout.contains("no body"), "\(get.stdout)")
            let getJSON = try await khaosan(["get", String(release.id), "--json"], sandbox: sandbox)
            #expect((getJSON.jsonLines.first?["paragraphs"] as? [Any])?.isEmpty == true)
        }
    }

    /// A changed copy whose file name carries no category keeps the category of the version
    /// before, and the ingest result says so.
    @Test func newVersionWithoutCategoryKeepsTheKnownOne() async throws {
        let original = Fixtures.url("corpus/2023/10/18/ด้านสังคม_3_cfd21588-8b89-477a-8859-5f42da947959.txt")
        try await withServices { sandbox, _, _ in
            let first = try await khaosan(["ingest", "--json", original.path], sandbox: sandbox)
            #expect(first.jsonLines.first?["status"] as? String == "accepted")
            let id = try #require((first.jsonLines.first?["id"] as? NSNumber)?.int64Value)

            // The same release, one paragraph changed, under a name with no category.
            var text = try String(contentsOf: original, encoding: .utf8)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let footer = try #require(lines.lastIndex { $0.hasPrefix("ที่มา") })
            var changed = lines.map(String.init)
            changed.insert("ย่อหน้าเพิ่มเติม zebracategory", at: footer)
            text = changed.joined(separator: "\n")
            let copy = sandbox.home.appendingPathComponent("_1_copy.txt")
            try Data(text.utf8).write(to: copy)
            let parsedCopy = try ReleaseParser.parse(.thaigovFile(fileName: copy.lastPathComponent, bytes: Array(text.utf8)))
            #expect(parsedCopy.category.name.isEmpty, "the copy's name must carry no category")

            let second = try await khaosan(["ingest", "--json", copy.path], sandbox: sandbox)
            #expect(second.status == 0, "\(second.stderr)")
            let result = try #require(second.jsonLines.first)
            #expect(result["status"] as? String == "updated")
            let notes = (result["notes"] as? [[String: Any]]) ?? []
            let kept = try #require(notes.first { $0["code"] as? String == "category-kept" }, "\(result)")
            #expect((kept["message"] as? String)?.contains("ด้านสังคม") == true)

            let get = try await khaosan(["get", String(id), "--json"], sandbox: sandbox)
            let g = try #require(get.jsonLines.first)
            #expect(g["category"] as? String == "ด้านสังคม")
            #expect((g["version"] as? NSNumber)?.intValue == 2)
            #expect(((g["paragraphs"] as? [String]) ?? []).contains { $0.contains("zebracategory") })

            // The same copy again is a duplicate (its hash is that of the release with the category).
            let third = try await khaosan(["ingest", "--json", copy.path], sandbox: sandbox)
            #expect(third.jsonLines.first?["status"] as? String == "duplicate")
        }
    }

    /// Right after start, with nothing ingested, status says the query service is reachable.
    @Test func statusChecksReachabilityLive() async throws {
        try await withServices { sandbox, _, _ in
            let status = try await khaosan(["status", "--json"], sandbox: sandbox)
            #expect(status.status == 0, "\(status.stdout)\(status.stderr)")
            let ingestd = try #require(status.jsonLines.first { $0["service"] as? String == "ingestd" })
            #expect(ingestd["query_reachable"] as? Bool == true, "\(ingestd)")
            let text = try await khaosan(["status"], sandbox: sandbox)
            #expect(!text.stdout.contains("unreachable"), "\(text.stdout)")
        }
    }

    /// The query service not running: status says so, in one sentence naming the socket and
    /// the cause once.
    @Test func unreachableQueryServiceIsOneSentence() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let ingest = try Daemon("khaosan-ingestd", sandbox: sandbox, socket: sandbox.ingestSocket)
        try await ingest.waitReady()
        let status = try await khaosan(["status", "--json"], sandbox: sandbox)
        let ingestd = try #require(status.jsonLines.first { $0["service"] as? String == "ingestd" })
        #expect(ingestd["query_reachable"] as? Bool == false)
        let message = try #require(ingestd["last_forward_error"] as? String)
        #expect(message.contains(sandbox.querySocket), "\(message)")
        #expect(message.components(separatedBy: "No such file or directory").count == 2, "cause said once: \(message)")
        #expect(!message.contains("(cause:") && !message.contains("errno"), "\(message)")
        let open = message.filter { $0 == "(" }.count
        let close = message.filter { $0 == ")" }.count
        #expect(open == close, "parentheses balance: \(message)")
        _ = await ingest.terminate()
    }
}
