import Foundation
import GRDB
@testable import KhaosanQuery
import KhaosanIndex
import KhaosanModel
import KhaosanThai
import Logging
import Testing

/// Real thaigov releases (Fixtures/store-NN__<category>.txt), parsed minimally here so the store
/// tests do not depend on the production parser.
enum StoreFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static let logger: Logger = {
        var l = Logger(label: "store-tests")
        l.logLevel = .warning
        return l
    }()

    static let thaiMonths = ["มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
                             "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม"]

    static let releases: [Release] = {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasPrefix("store-") && $0.hasSuffix(".txt") }.sorted()
        return names.map { parse(name: $0, text: try! String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8)) }
    }()

    static func parse(name: String, text: String) -> Release {
        let lines = text.components(separatedBy: "\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        var title = lines[0]
        for prefix in ["รัฐบาลไทย-ข่าวทำเนียบรัฐบาล-", "รัฐบาลไทย-"] where title.hasPrefix(prefix) {
            title = String(title.dropFirst(prefix.count)); break
        }
        var published = CivilDate(year: 2000, month: 1, day: 1)
        var id: Int64 = 0
        var body: [String] = []
        for line in lines.dropFirst() where !line.isEmpty {
            if line.hasPrefix("วัน"), let d = thaiDate(line) { published = d; continue }
            if line.hasPrefix("ที่มา") { id = Int64(line.split(separator: "/").last.map(String.init) ?? "") ?? 0; continue }
            if line == "พิมพ์" { continue }
            body.append(line)
        }
        let category = String(name.dropFirst("store-NN__".count).dropLast(".txt".count))
        let thai = title.unicodeScalars.contains { (0x0E01...0x0E5B).contains($0.value) }
        return Release(
            id: id, sourceURL: "https://www.thaigov.go.th/news/contents/details/\(id)", title: title,
            published: published, category: CategoryCatalog.category(named: category), language: thai ? .th : .en,
            paragraphs: body, entities: [], contentHash: hash(title + "\u{0}" + body.joined(separator: "\n")))
    }

    static func thaiDate(_ line: String) -> CivilDate? {
        let parts = line.split(separator: " ")
        guard parts.count >= 4, let d = Int(parts[1]), let m = thaiMonths.firstIndex(of: String(parts[2])),
              let y = Int(parts[3].prefix(4)) else { return nil }
        return CivilDate(year: y - 543, month: m + 1, day: d)
    }

    static func hash(_ s: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return String(h, radix: 16)
    }

    /// What the store indexes: title and body as stored.
    static func text(_ r: Release) -> String { r.title + "\n" + r.paragraphs.joined(separator: "\n") }

    static func items(_ rs: [Release], firstSequence: UInt64 = 1) -> [(sequence: UInt64, release: Release)] {
        rs.enumerated().map { (firstSequence + UInt64($0.offset), $0.element) }
    }

    static func tempPath(_ label: String) throws -> String {
        let dir = "/tmp/khaosan-store-tests/\(label)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir + "/archive.sqlite"
    }

    static func loadedStore(_ label: String) throws -> ReleaseStore {
        let store = try ReleaseStore(path: try tempPath(label), logger: StoreFixtures.logger)
        _ = try store.apply(source: "test", items: items(releases))
        return store
    }
}

@Suite struct StoreTests {
    @Test func fixturesParse() {
        #expect(StoreFixtures.releases.count >= 20)
        #expect(Set(StoreFixtures.releases.map(\.id)).count == StoreFixtures.releases.count)
        #expect(!StoreFixtures.releases.contains { $0.id == 0 || $0.title.isEmpty || $0.paragraphs.isEmpty })
    }

    @Test func synchronousIsFullOnWriterAndReaders() throws {
        let store = try ReleaseStore(path: try StoreFixtures.tempPath("sync"), logger: StoreFixtures.logger)
        let writer = try store.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        let reader = try store.pool.read { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        let journal = try store.pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        let fk = try store.pool.read { db in try Int.fetchOne(db, sql: "PRAGMA foreign_keys") }
        #expect(writer == 2)
        #expect(reader == 2)
        #expect(journal == "wal")
        #expect(fk == 1)
    }

    @Test func applyIsIdempotentAndCountsDuplicates() throws {
        let rs = StoreFixtures.releases
        let store = try ReleaseStore(path: try StoreFixtures.tempPath("apply"), logger: StoreFixtures.logger)
        #expect(try store.appliedSequence(source: "a") == 0)
        let first = try store.apply(source: "a", items: StoreFixtures.items(rs))
        #expect(first.inserted == rs.count && first.duplicates == 0 && first.skipped == 0 && first.updated == 0)
        #expect(first.appliedSequence == UInt64(rs.count))

        let again = try store.apply(source: "a", items: StoreFixtures.items(rs))
        #expect(again.skipped == rs.count && again.inserted == 0 && again.duplicates == 0)
        #expect(again.appliedSequence == UInt64(rs.count))

        let resent = try store.apply(source: "a", items: StoreFixtures.items(rs, firstSequence: UInt64(rs.count) + 1))
        #expect(resent.duplicates == rs.count && resent.inserted == 0 && resent.updated == 0)
        #expect(try store.appliedSequence(source: "a") == UInt64(2 * rs.count))

        // Positions are per source.
        let other = try store.apply(source: "b", items: StoreFixtures.items(Array(rs.prefix(2))))
        #expect(other.duplicates == 2 && other.appliedSequence == 2)
        #expect(try store.stats().releases == rs.count)
        #expect(try store.stats().versions == rs.count)
    }

    @Test func changedContentBecomesVersion2() throws {
        let rs = StoreFixtures.releases
        let store = try StoreFixtures.loadedStore("versions")
        // A release whose body has a Thai word we can replace with one found nowhere in the fixtures.
        let target = try #require(rs.first { $0.language == .th && $0.paragraphs.joined().contains("ประชาชน") })
        var changed = target
        changed.paragraphs = target.paragraphs.map { $0.replacingOccurrences(of: "ประชาชน", with: "ฌฆฒฬ") }
        changed.contentHash = StoreFixtures.hash(StoreFixtures.text(changed))
        let before = try store.search(SearchQuery(text: "ฌฆฒฬ"))
        #expect(before.total == 0)

        let outcome = try store.apply(source: "test", items: [(UInt64(rs.count + 1), changed)])
        #expect(outcome.updated == 1 && outcome.inserted == 0)

        let stored = try #require(try store.get(id: target.id, includeVersions: true))
        #expect(stored.version == 2)
        #expect(stored.release == changed)
        #expect(stored.versions.map(\.version) == [1, 2])
        #expect(stored.versions.first?.release == target)
        #expect(stored.versions.first?.contentHash == target.contentHash)
        #expect(try store.get(id: target.id, includeVersions: false)?.versions.isEmpty == true)

        let now = try store.search(SearchQuery(text: "ฌฆฒฬ", limit: 100))
        #expect(now.hits.map(\.id) == [target.id])
        let old = try store.search(SearchQuery(text: "ประชาชน", limit: 100))
        let stillHaveIt = Set(rs.filter { $0.id != target.id && StoreFixtures.text($0).contains("ประชาชน") }.map(\.id)
            + (StoreFixtures.text(changed).contains("ประชาชน") ? [target.id] : []))
        #expect(Set(old.hits.map(\.id)) == stillHaveIt)
        #expect(try store.stats().versions == rs.count + 1)
        #expect(try store.integrityCheck().ok)
    }

    @Test func reopenKeepsEverything() throws {
        let path = try StoreFixtures.tempPath("reopen")
        let rs = StoreFixtures.releases
        do {
            let store = try ReleaseStore(path: path, logger: StoreFixtures.logger)
            _ = try store.apply(source: "s", items: StoreFixtures.items(rs))
        }
        let store = try ReleaseStore(path: path, logger: StoreFixtures.logger)
        #expect(try store.appliedSequence(source: "s") == UInt64(rs.count))
        #expect(try store.stats().releases == rs.count)
        for r in rs.prefix(5) { #expect(try store.get(id: r.id, includeVersions: false)?.release == r) }
        #expect(try store.search(SearchQuery(text: "ยา")).total > 0)
        let again = try store.apply(source: "s", items: StoreFixtures.items(rs))
        #expect(again.skipped == rs.count)
    }

    /// The index documents prepared off the writer are the search streams of the stored texts:
    /// the same that a rebuild from the store computes (the integrity check compares the index
    /// with the store afterwards).
    @Test func preparedDocumentsMatchTheStoredTexts() throws {
        let rs = StoreFixtures.releases
        let store = try ReleaseStore(path: try StoreFixtures.tempPath("prepared"), logger: StoreFixtures.logger)
        for r in rs.prefix(10) {
            let body = r.paragraphs.joined(separator: "\n")
            let d = store.prepare(StoreFixtures.items([r])).items[0].document
            #expect(d.title == SearchText.scalars(r.title))
            #expect(d.body == SearchText.scalars(body))
            #expect(d.releaseID == r.id)
        }
        let prepared = store.prepare(StoreFixtures.items(rs))
        #expect(try store.apply(source: "s", prepared: prepared).inserted == rs.count)
        #expect(try store.integrityCheck().ok)
        #expect(try store.search(SearchQuery(text: "\"ยา\"")).total > 0)
    }

    /// WALCheckpointer (a Service, run here as the daemon's group runs it) copies the WAL into the
    /// database off the writer's path, then empties it once commits stop; nothing committed may
    /// be lost on the way.
    @Test func walIsCheckpointedAndEmptiedWhenWritesStop() async throws {
        let path = try StoreFixtures.tempPath("wal")
        let rs = StoreFixtures.releases
        let store = try ReleaseStore(path: path, logger: StoreFixtures.logger)
        let checkpointer = try #require(store.checkpointer)
        let running = Task { try await checkpointer.run() }
        defer { running.cancel() }
        for (i, r) in rs.enumerated() {
            _ = try store.apply(source: "s", items: [(sequence: UInt64(i + 1), release: r)])
        }
        let wal = path + "-wal"
        func walBytes() -> Int { ((try? FileManager.default.attributesOfItem(atPath: wal))?[.size] as? Int) ?? -1 }
        #expect(walBytes() > 0)
        // Generous: the checkpointer runs on the cooperative pool, which the other suites' synchronous
        // work can keep busy for a long while when the whole suite runs at once on two cores.
        let deadline = ContinuousClock.now + .seconds(120)
        while walBytes() != 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(100)) }
        #expect(walBytes() == 0, "the WAL should be truncated a few seconds after the last commit")
        #expect(try store.integrityCheck().ok)
        #expect(try store.stats().releases == rs.count)
        // A second process opening the file sees everything without the WAL.
        let reader = try ReleaseStore(path: path, logger: StoreFixtures.logger, readOnly: true)
        #expect(try reader.stats().releases == rs.count)
    }

    @Test func integrityCheckAndBackup() throws {
        let store = try StoreFixtures.loadedStore("backup")
        let check = try store.integrityCheck()
        #expect(check.ok, "\(check.detail)")
        let target = (store.path as NSString).deletingLastPathComponent + "/backup.sqlite"
        let bytes = try store.backup(to: target)
        #expect(bytes > 0)
        #expect(throws: (any Error).self) { try store.backup(to: target) }
        let copy = try ReleaseStore(path: target, logger: StoreFixtures.logger)
        #expect(try copy.stats().releases == StoreFixtures.releases.count)
        #expect(try copy.integrityCheck().ok)
        let q = SearchQuery(text: "ยา", limit: 100)
        #expect(try copy.search(q).hits.map(\.id) == store.search(q).hits.map(\.id))
    }

    @Test func statsMatchTheData() throws {
        let rs = StoreFixtures.releases
        let store = try StoreFixtures.loadedStore("stats")
        let s = try store.stats()
        #expect(s.releases == rs.count)
        #expect(s.textBytes == UInt64(rs.map { $0.title.utf8.count + $0.paragraphs.joined(separator: "\n").utf8.count }.reduce(0, +)))
        #expect(s.databaseBytes > 0)
        #expect(s.firstPublished == rs.map(\.published).min())
        #expect(s.lastPublished == rs.map(\.published).max())
        #expect(s.categories.map(\.count).reduce(0, +) == rs.count)
        #expect(Set(s.categories.map(\.label)) == Set(rs.map(\.category.name)))
        #expect(s.languages.first { $0.key == "en" }?.count == rs.filter { $0.language == .en }.count)
    }

    @Test func readOnlyStoreReadsButDoesNotWrite() throws {
        let store = try StoreFixtures.loadedStore("readonly")
        #expect(store.checkWritable())
        let ro = try ReleaseStore(path: store.path, logger: StoreFixtures.logger, readOnly: true)
        #expect(!ro.checkWritable())
        #expect(try ro.stats().releases == StoreFixtures.releases.count)
        #expect(throws: (any Error).self) { try ro.apply(source: "x", items: StoreFixtures.items(StoreFixtures.releases, firstSequence: 1000)) }
    }

    @Test func latestIsNewestFirst() throws {
        let store = try StoreFixtures.loadedStore("latest")
        let hits = try store.latest(limit: 5)
        #expect(hits.count == 5)
        let expected = StoreFixtures.releases.sorted { ($0.published, $0.id) > ($1.published, $1.id) }.prefix(5).map(\.id)
        #expect(hits.map(\.id) == Array(expected))
    }

    @Test(arguments: ["", "ASCII only", "ภาษาไทย ๑๒๓ ฿ ๏ ๛", "\u{0E00}\u{0E01}\u{0E3F}\u{0E40}\u{0E7F}\u{0E80}\u{0DFF}",
                      "“quoted” – ZWSP\u{200B}here, é, 😀, \u{10FFFF}", "\u{0}\u{7F}\u{80}"]
        + StoreFixtures.releases.prefix(3).map { StoreFixtures.text($0) })
    func compactTextRoundTrips(_ text: String) {
        let encoded = CompactText.encode(text)
        #expect(CompactText.decode(encoded) == text)
        #expect(Array(CompactText.decode(encoded).utf8) == Array(text.utf8))
        let thai = text.unicodeScalars.filter { (0x0E01...0x0E7F).contains($0.value) }.count
        #expect(encoded.count <= text.utf8.count - 2 * thai + text.unicodeScalars.filter { $0.value > 0x7F }.count)
    }

    @Test(arguments: ["", "   ", "\"ไฟฟ้า", "(ไฟ", "ไฟ)", "-ไฟ", "NOT ไฟ", "ไฟ OR", "AND ไฟ", "!!! ...", "()", "ไฟ OR -ยา"])
    func badQueriesAreSyntaxErrors(_ text: String) throws {
        let store = try ReleaseStore(path: try StoreFixtures.tempPath("syntax"), logger: StoreFixtures.logger)
        #expect(throws: QuerySyntaxError.self) { try store.search(SearchQuery(text: text)) }
    }
}
