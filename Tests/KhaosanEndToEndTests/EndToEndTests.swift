import Foundation
import KhaosanModel
import KhaosanTestSupport
import Testing

/// Real binaries, real sockets, real SQLite files: the CLI against both daemons.
@Suite("End to end", .serialized)
struct EndToEndTests {
    /// The fixture corpus parsed locally: the ground truth searches are checked against.
    struct Truth {
        var releases: [Release] = []
        var accepted: Set<String> = []
        var rejected: [String: String] = [:]  // file -> code

        init(files: [URL]) {
            for f in files {
                let raw = RawRelease.thaigovFile(fileName: f.lastPathComponent, bytes: Array((try? Data(contentsOf: f)) ?? Data()))
                switch Result(catching: { () throws(ReleaseError) in try ReleaseParser.parse(raw) }) {
                case .success(let r):
                    releases.append(r)
                    accepted.insert(f.path)
                case .failure(let e):
                    rejected[f.path] = e.code.rawValue
                }
            }
        }

        /// Ids whose title or body contains `phrase` byte for byte (Latin compared lower-cased).
        func ids(containing phrase: String) -> Set<Int64> {
            let needle = Array(phrase.lowercased().utf8)
            var out = Set<Int64>()
            for r in releases {
                let hay = Array(([r.title] + r.paragraphs).joined(separator: "\n").lowercased().utf8)
                if contains(hay, needle) { out.insert(r.id) }
            }
            return out
        }

        private func contains(_ hay: [UInt8], _ needle: [UInt8]) -> Bool {
            guard !needle.isEmpty, hay.count >= needle.count else { return false }
            for i in 0...(hay.count - needle.count) where hay[i] == needle[0] {
                if hay[i..<(i + needle.count)].elementsEqual(needle) { return true }
            }
            return false
        }
    }

    /// The fixtures copied under names with spaces, a tab and Thai, plus one bad file.
    static func makeInbox(in sandbox: Sandbox) throws -> (dir: URL, files: [URL], bad: URL) {
        let inbox = sandbox.home.appendingPathComponent("inbox/ข่าว ล่าสุด\tชุด 1")
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        var files: [URL] = []
        for (i, f) in Fixtures.corpusFiles().enumerated() {
            let sub = inbox.appendingPathComponent("d\(i % 3)")
            try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
            let target = sub.appendingPathComponent(f.lastPathComponent)
            try FileManager.default.copyItem(at: f, to: target)
            files.append(target)
        }
        let bad = inbox.appendingPathComponent("ด้านสังคม_9_bad date.txt")
        try FileManager.default.copyItem(at: Fixtures.url("bad/bad-date.txt"), to: bad)
        files.append(bad)
        return (sandbox.home.appendingPathComponent("inbox"), files, bad)
    }

    func search(_ args: [String], _ sandbox: Sandbox) async throws -> [[String: Any]] {
        let r = try await khaosan(["search"] + args + ["--json", "--limit", "100"], sandbox: sandbox)
        #expect(r.status == 0, "search \(args) failed: \(r.stderr)")
        return r.jsonLines.filter { $0["id"] != nil }
    }

    func ids(_ hits: [[String: Any]]) -> Set<Int64> {
        Set(hits.compactMap { ($0["id"] as? NSNumber)?.int64Value })
    }

    @Test func ingestSearchGetAndRestart() async throws {
        try await withServices { sandbox, query, _ in
            let (dir, files, bad) = try Self.makeInbox(in: sandbox)
            let truth = Truth(files: files)
            #expect(truth.rejected[bad.path] == "bad-date-line")

            // Bulk ingest: one JSON line per file, the bad one rejected with its own error.
            let ingest = try await khaosan(["ingest", dir.path, "--json"], sandbox: sandbox)
            #expect(ingest.status == 1)
            let lines = ingest.jsonLines
            #expect(lines.count == files.count)
            for line in lines {
                let file = line["file"] as? String ?? ""
                let status = line["status"] as? String
                if let code = truth.rejected[file] {
                    #expect(status == "rejected", "\(file)")
                    #expect((line["error"] as? [String: Any])?["code"] as? String == code)
                } else {
                    #expect(status == "accepted", "\(file): \(line)")
                }
            }

            // Again, human-readable: everything a duplicate, the bad file named in the summary.
            let again = try await khaosan(["ingest", dir.path], sandbox: sandbox)
            #expect(again.status == 1)
            let summary = again.stdout + again.stderr
            #expect(summary.contains("\(truth.releases.count) duplicate"))
            #expect(summary.contains("bad date.txt"))
            #expect(summary.contains("bad-date-line"))

            // Exact phrases against grep-style ground truth: precision and recall 1.
            var phrases = ["ไฟ", "ยา", "นายกรัฐมนตรี", "เศรษฐา ทวีสิน", "ทำเนียบรัฐบาล", "โควิด-19"]
            for r in truth.releases.prefix(12) where r.language == .th {
                let chars = Array(r.title)
                if chars.count > 12 { phrases.append(String(chars[3..<11])) }  // starts and ends inside words
            }
            for phrase in phrases {
                let expected = truth.ids(containing: phrase)
                let got = ids(try await search(["\"\(phrase)\""], sandbox))
                #expect(got == expected, "phrase \(phrase): missing \(expected.subtracting(got)), extra \(got.subtracting(expected))")
            }

            // English, case-insensitive.
            let english = try await search(["CABINET"], sandbox)
            #expect(!english.isEmpty)
            for h in english { #expect((h["snippet"] as? String ?? "").lowercased().contains("cabinet") || (h["title"] as? String ?? "").lowercased().contains("cabinet")) }

            // Snippets: the original characters around the match, the highlight on the phrase.
            for h in try await search(["\"ทำเนียบรัฐบาล\""], sandbox) {
                let snippet = h["snippet"] as? String ?? ""
                let ranges = h["highlights"] as? [[Int]] ?? []
                #expect(!ranges.isEmpty)
                for pair in ranges {
                    let bytes = Array(snippet.utf8)[pair[0]..<pair[1]]
                    #expect(String(decoding: bytes, as: UTF8.self) == "ทำเนียบรัฐบาล")
                }
            }

            // Filters and sorts.
            for h in try await search(["\"the\"", "--lang", "en"], sandbox) { #expect(h["language"] as? String == "en") }
            let economy = try await search(["\"การ\"", "--category", "economy"], sandbox)
            #expect(!economy.isEmpty)
            for h in economy { #expect(h["category_slug"] as? String == "economy") }
            let ranged = try await search(["\"การ\"", "--from", "1 ม.ค. 2566", "--to", "31/12/2566"], sandbox)
            #expect(!ranged.isEmpty)
            for h in ranged {
                let d = h["published"] as? String ?? ""
                #expect(d >= "2023-01-01" && d <= "2023-12-31", "\(d)")
            }
            let newest = try await search(["\"การ\"", "--sort", "newest"], sandbox).compactMap { $0["published"] as? String }
            #expect(newest == newest.sorted(by: >))
            let oldest = try await search(["\"การ\"", "--sort", "oldest"], sandbox).compactMap { $0["published"] as? String }
            #expect(oldest == oldest.sorted())
            // Boolean operators agree with set algebra on the ground truth.
            let a = truth.ids(containing: "นายกรัฐมนตรี"), b = truth.ids(containing: "กระทรวง")
            #expect(ids(try await search(["\"นายกรัฐมนตรี\" AND \"กระทรวง\""], sandbox)) == a.intersection(b))
            #expect(ids(try await search(["\"นายกรัฐมนตรี\" OR \"กระทรวง\""], sandbox)) == a.union(b))
            #expect(ids(try await search(["\"นายกรัฐมนตรี\" NOT \"กระทรวง\""], sandbox)) == a.subtracting(b))

            // get, latest, stats.
            let someone = truth.releases[0]
            let got = try await khaosan(["get", String(someone.id), "--json"], sandbox: sandbox)
            #expect(got.status == 0)
            let object = try #require(got.jsonLines.first)
            #expect(object["title"] as? String == someone.title)
            #expect(object["paragraphs"] as? [String] == someone.paragraphs)
            #expect(object["published"] as? String == someone.published.description)
            let latest = try await khaosan(["latest", "3", "--json"], sandbox: sandbox)
            #expect(latest.jsonLines.count == 3)
            let stats = try await khaosan(["stats", "--json"], sandbox: sandbox)
            #expect((stats.jsonLines.first?["releases"] as? NSNumber)?.intValue == truth.releases.count)

            // Restart the query service: everything is still there.
            let before = ids(try await search(["\"นายกรัฐมนตรี\""], sandbox))
            #expect(await query.terminate() == 0)
            #expect(!FileManager.default.fileExists(atPath: sandbox.querySocket))
            let restarted = try Daemon("khaosan-queryd", sandbox: sandbox, socket: sandbox.querySocket)
            try await restarted.waitReady()
            #expect(ids(try await search(["\"นายกรัฐมนตรี\""], sandbox)) == before)
            _ = await restarted.terminate()
        }
    }

    @Test func ingestWhileQueryServiceIsDown() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let ingest = try Daemon("khaosan-ingestd", sandbox: sandbox, socket: sandbox.ingestSocket)
        try await ingest.waitReady()
        let good = Array(Fixtures.corpusFiles().prefix(15))
        let truth = Truth(files: good)
        let queued = try await khaosan(["ingest", "--no-wait", "--json"] + good.map(\.path), sandbox: sandbox)
        #expect(queued.jsonLines.filter { $0["status"] as? String == "accepted" }.count == truth.releases.count)
        // Waiting for Sync while the query service is down: the CLI says why it waits, then gives up
        // at --wait-timeout, nothing lost.
        let again = try #require(good.first { truth.accepted.contains($0.path) })
        let waited = try await khaosan(["ingest", "--wait-timeout", "4", again.path], sandbox: sandbox)
        #expect(waited.status != 0)
        #expect(waited.stderr.contains("cannot reach khaosan-queryd"))
        #expect(waited.stderr.contains("--wait-timeout"))
        // Only now does the query service start; Sync (the CLI waits by default) sees it all through.
        let query = try Daemon("khaosan-queryd", sandbox: sandbox, socket: sandbox.querySocket)
        try await query.waitReady()
        let last = try await khaosan(["ingest", "--wait-timeout", "60", good[0].path], sandbox: sandbox)
        #expect(last.status == 0 || truth.rejected[good[0].path] != nil)
        let stats = try await khaosan(["stats", "--json"], sandbox: sandbox)
        #expect((stats.jsonLines.first?["releases"] as? NSNumber)?.intValue == truth.releases.count)
        for r in truth.releases.prefix(5) {
            let g = try await khaosan(["get", String(r.id), "--json"], sandbox: sandbox)
            #expect(g.status == 0)
        }
        _ = await ingest.terminate()
        _ = await query.terminate()
    }

    @Test func duplicatesAndNewVersions() async throws {
        try await withServices { sandbox, _, _ in
            let original = try String(contentsOf: Fixtures.url("json/valid.json"), encoding: .utf8)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(original.utf8)) as? [String: Any])
            let id = try #require((object["id"] as? NSNumber)?.int64Value)
            let file = sandbox.home.appendingPathComponent("release.json")
            try Data(original.utf8).write(to: file)
            let first = try await khaosan(["ingest", "--json", file.path], sandbox: sandbox)
            #expect(first.jsonLines.first?["status"] as? String == "accepted")
            let second = try await khaosan(["ingest", "--json", file.path], sandbox: sandbox)
            #expect(second.jsonLines.first?["status"] as? String == "duplicate")

            var changed = object
            changed["paragraphs"] = ["ย่อหน้าฉบับแก้ไขใหม่ทั้งหมด zebracorrection"]
            try JSONSerialization.data(withJSONObject: changed).write(to: file)
            let third = try await khaosan(["ingest", "--json", file.path], sandbox: sandbox)
            #expect(third.jsonLines.first?["status"] as? String == "updated")

            let get = try await khaosan(["get", String(id), "--versions", "--json"], sandbox: sandbox)
            let g = try #require(get.jsonLines.first)
            #expect((g["version"] as? NSNumber)?.intValue == 2)
            #expect((g["versions"] as? [Any])?.count == 2)
            // The first version, named as search prints the release.
            let rev = try await khaosan(["get", "#\(id)", "--rev", "1", "--json"], sandbox: sandbox)
            let r = try #require(rev.jsonLines.first)
            #expect((r["version"] as? NSNumber)?.intValue == 1 && (r["current_version"] as? NSNumber)?.intValue == 2)
            let oldText = try #require(r["paragraphs"] as? [String]).joined()
            #expect(!oldText.isEmpty && !oldText.contains("zebracorrection"))
            #expect(ids(try await search(["zebracorrection"], sandbox)) == [id])
            let stats = try await khaosan(["stats", "--json"], sandbox: sandbox)
            #expect((stats.jsonLines.first?["releases"] as? NSNumber)?.intValue == 1)
        }
    }

    @Test func serviceDownIsExitThreeWithTheSocket() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let r = try await khaosan(["search", "ข่าว"], sandbox: sandbox)
        #expect(r.status == 3)
        #expect(r.stderr.contains(sandbox.querySocket))
        #expect(r.stderr.split(separator: "\n").count == 1)
        let i = try await khaosan(["ingest", Fixtures.corpusFiles()[0].path], sandbox: sandbox)
        #expect(i.status == 3)
        #expect(i.stderr.contains(sandbox.ingestSocket))
    }

    /// Runs the CLI under a pseudo-terminal (util-linux `script`) and returns what the terminal got.
    func underTerminal(_ arguments: String, _ sandbox: Sandbox) async throws -> String {
        let pty = Process()
        pty.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        let out = sandbox.home.appendingPathComponent("pty-\(UUID().uuidString.prefix(6)).out")
        pty.arguments = ["-qec", "\(Binaries.path("khaosan")) \(arguments)", out.path]
        var env = sandbox.environment
        env.removeValue(forKey: "NO_COLOR")
        env["TERM"] = "xterm-256color"
        pty.environment = env
        pty.standardInput = FileHandle.nullDevice
        pty.standardOutput = FileHandle.nullDevice
        try pty.run()
        while pty.isRunning { try await Task.sleep(for: .milliseconds(10)) }
        return (try? String(contentsOf: out, encoding: .utf8)) ?? ""
    }

    @Test func terminalOutputOnlyOnATerminal() async throws {
        try await withServices { sandbox, _, _ in
            let files = Fixtures.corpusFiles()
            // Not a terminal: no escape codes anywhere, not even from the progress display.
            let plainIngest = try await khaosan(["ingest"] + files.prefix(20).map(\.path), sandbox: sandbox, environment: ["NO_COLOR": ""])
            #expect(!plainIngest.stdout.contains("\u{1B}[") && !plainIngest.stderr.contains("\u{1B}["))
            let plain = try await khaosan(["search", "การ", "--facets", "--limit", "3", "--page", "2"], sandbox: sandbox, environment: ["NO_COLOR": ""])
            #expect(plain.status == 0)
            #expect(!plain.stdout.contains("\u{1B}[") && !plain.stderr.contains("\u{1B}["))
            // Page 2 of 3 starts at rank 4; facets are printed.
            #expect(plain.stdout.contains("4. "))
            #expect(!plain.stdout.contains("\n1. ") && !plain.stdout.hasPrefix("1. "))
            // Under a terminal: the progress line is drawn (and cleared) and matches are highlighted.
            let progress = try await underTerminal("ingest " + files.dropFirst(20).map { "'\($0.path)'" }.joined(separator: " "), sandbox)
            #expect(progress.contains("\r\u{1B}[2K"), "no progress line under a terminal: \(progress.prefix(300))")
            #expect(progress.contains("accepted"))
            let screen = try await underTerminal("search การ --limit 2", sandbox)
            #expect(screen.contains("\u{1B}["), "no escape codes under a terminal: \(screen.prefix(300))")
            // JSON pages agree with the human pages.
            let page2 = try await khaosan(["search", "การ", "--json", "--limit", "3", "--page", "2"], sandbox: sandbox)
            #expect(page2.jsonLines.first?["rank"] as? Int == 4)
            let facets = try await khaosan(["search", "การ", "--json", "--facets", "--limit", "1"], sandbox: sandbox)
            #expect(facets.jsonLines.last?["facets"] != nil)
        }
    }
}

@Suite("End to end: journal quota", .serialized)
struct JournalQuotaTests {
    /// With khaosan-queryd down, the ingester accepts until its journal quota is full, then
    /// refuses with RESOURCE_EXHAUSTED and a message that says why; once the query service is
    /// back and has taken the backlog, ingest works again. Nothing acknowledged is lost.
    @Test func quotaFullIsResourceExhaustedThenRecovers() async throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let ingest = try Daemon("khaosan-ingestd", sandbox: sandbox, arguments: ["--journal-quota-mb", "1"], socket: sandbox.ingestSocket)
        try await ingest.waitReady()
        let dir = sandbox.home.appendingPathComponent("big")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let paragraph = String(repeating: "การประชุมคณะรัฐมนตรีครั้งนี้ ", count: 700)  // about 60 KB
        for i in 0..<30 {
            let release: [String: Any] = [
                "id": 950_000 + i, "source_url": "https://www.thaigov.go.th/news/contents/details/\(950_000 + i)",
                "title": "ข่าวขนาดใหญ่ \(i)", "published": "2024-02-01", "category": "ด้านสังคม",
                "paragraphs": [paragraph, "quotamarker\(i)"],
            ]
            try JSONSerialization.data(withJSONObject: release).write(to: dir.appendingPathComponent(String(format: "r%02d.json", i)))
        }
        let full = try await khaosan(["ingest", "--no-wait", "--json", dir.path], sandbox: sandbox)
        #expect(full.status != 0)
        #expect(full.stderr.contains("RESOURCE_EXHAUSTED"), "\(full.stderr)")
        #expect(full.stderr.contains("quota"))
        let acknowledged = full.jsonLines.filter { $0["status"] as? String == "accepted" }.compactMap { ($0["id"] as? NSNumber)?.int64Value }
        #expect(!acknowledged.isEmpty)
        #expect(acknowledged.count < 30)

        let query = try Daemon("khaosan-queryd", sandbox: sandbox, socket: sandbox.querySocket)
        try await query.waitReady()
        // Everything acknowledged reaches the query service (lag 0); then the rest fits again.
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let status = try await khaosan(["status", "--json"], sandbox: sandbox)
            let lag = status.jsonLines.first { $0["service"] as? String == "ingestd" }?["lag"] as? NSNumber
            if lag?.intValue == 0 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let rest = try await khaosan(["ingest", "--json", "--wait-timeout", "60", dir.path], sandbox: sandbox)
        #expect(rest.status == 0, "\(rest.stderr)")
        let stats = try await khaosan(["stats", "--json"], sandbox: sandbox)
        #expect((stats.jsonLines.first?["releases"] as? NSNumber)?.intValue == 30)
        for id in acknowledged {
            #expect(try await khaosan(["get", String(id)], sandbox: sandbox).status == 0)
        }
        _ = await ingest.terminate()
        _ = await query.terminate()
    }
}
