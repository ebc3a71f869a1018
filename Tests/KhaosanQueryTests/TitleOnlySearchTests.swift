import Foundation
import KhaosanModel
@testable import KhaosanQuery
import KhaosanTestSupport
import Testing

/// Issue 15, item 1: a title-only release (no paragraphs) is stored, indexed and found by a
/// phrase from inside its title, also after the index is rebuilt from the store.
@Suite struct TitleOnlySearchTests {
    static let fixtures = [
        "corpus/2023/06/21/other_1_5ee0c665-d21b-4ea2-a1c7-2e3e7668c929.txt",
        "corpus/2023/01/09/ด้านความมั่นคง_1_f8c16d75-34c9-4cda-9cc4-1ddc4156ce23.txt",
        "corpus/2020/10/21/อื่นๆ_1.txt",
    ]

    static func parse(_ rel: String) throws -> Release {
        try ReleaseParser.parse(.thaigovFile(fileName: String(rel.split(separator: "/").last!), bytes: Fixtures.bytes(rel)))
    }

    /// Characters 3..<13 of the title: a phrase that starts and ends inside words.
    static func phrase(of title: String) -> String {
        let chars = Array(title)
        return String(chars[min(3, chars.count - 1)..<min(chars.count, 13)])
    }

    @Test(arguments: fixtures)
    func foundByAPhraseOfItsTitle(fixture: String) throws {
        let release = try Self.parse(fixture)
        try #require(release.isTitleOnly)
        let path = try StoreFixtures.tempPath("title-only")
        let others = StoreFixtures.releases
        do {
            let store = try ReleaseStore(path: path, logger: StoreFixtures.logger)
            _ = try store.apply(source: "t", items: StoreFixtures.items(others + [release]))
            let phrase = Self.phrase(of: release.title)
            let hits = try store.search(SearchQuery(text: "\"\(phrase)\"", limit: 100)).hits
            #expect(hits.map(\.id).contains(release.id), "\"\(phrase)\" did not find \(release.id)")
            // The title is the snippet: there is no body to cut one from.
            #expect(hits.first { $0.id == release.id }?.snippet.contains(phrase) == true)
            let stored = try #require(try store.get(id: release.id, includeVersions: false))
            #expect(stored.release.paragraphs.isEmpty)
            #expect(stored.release.title == release.title)
            store.writeIndexOut()
        }
        // Rebuilt from the store (index files removed): still found.
        try? FileManager.default.removeItem(atPath: path + ".index")
        let reopened = try ReleaseStore(path: path, logger: StoreFixtures.logger)
        let hits = try reopened.search(SearchQuery(text: "\"\(Self.phrase(of: release.title))\"", limit: 100)).hits
        #expect(hits.map(\.id).contains(release.id))
    }
}
