import Foundation
import KhaosanTestSupport
import Testing
@testable import KhaosanModel

@Suite struct CategoryCatalogTests {
    @Test func knownCatalogue() {
        let known = CategoryCatalog.known
        #expect(known.count >= 40)
        #expect(Set(known.map(\.name)).count == known.count)
        for c in known {
            let slug = c.slug ?? ""
            #expect(!slug.isEmpty && slug.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }, "\(c)")
            #expect(CategoryCatalog.category(named: c.name) == c)
            #expect(CategoryCatalog.resolve(slug)?.slug == slug)
        }
    }

    @Test(arguments: [
        ("ด้านเศรษฐกิจ", "economy"), ("ด้านความมั่นคง", "security"), ("ด้านสังคม", "society"),
        ("ข่าวนายกรัฐมนตรี", "prime-minister"), ("ข่าวคณะโฆษก", "spokesperson"), ("Government News", "government-news"),
        (" Government News\t", "government-news"), ("government news", "government-news"),
        ("ข่าวรอง นรม รมตนร", "deputy-pm"), ("สรุปข่าวการประชุม ครม.", "cabinet-summary"),
    ])
    func resolvesNames(name: String, slug: String) {
        #expect(CategoryCatalog.category(named: name).slug == slug)
        #expect(CategoryCatalog.resolve(name)?.slug == slug)
    }

    @Test func unknownKeptNotRejected() {
        let c = CategoryCatalog.category(named: "  หมวดใหม่ที่ไม่รู้จัก ")
        #expect(c == Category(name: "หมวดใหม่ที่ไม่รู้จัก", slug: nil))
        #expect(CategoryCatalog.resolve("หมวดใหม่ที่ไม่รู้จัก") == nil)
    }

    @Test func resolveSlugGivesCanonicalName() {
        #expect(CategoryCatalog.resolve("economy") == Category(name: "ด้านเศรษฐกิจ", slug: "economy"))
        #expect(CategoryCatalog.resolve("no-such-slug") == nil)
    }

    /// Every category in the fixture file names (taken from the real corpus) is known.
    @Test func fixtureCategoriesAreKnownExceptTheOneOff() {
        for url in Fixtures.corpusFiles() {
            guard let name = ReleaseParser.category(fromFileName: url.lastPathComponent) else { continue }
            if name.hasPrefix("ผู้เกษียณ") { continue }
            #expect(CategoryCatalog.category(named: name).slug != nil, "\(name)")
        }
    }
}

@Suite struct FixturesTests {
    @Test func temporaryDirectoriesAreFreshAndShort() throws {
        let a = try Fixtures.temporaryDirectory("model")
        let b = try Fixtures.temporaryDirectory("model")
        defer {
            try? FileManager.default.removeItem(at: a)
            try? FileManager.default.removeItem(at: b)
        }
        #expect(a != b)
        #expect(a.path.hasPrefix("/tmp/"))
        #expect(a.path.utf8.count < 40)
        #expect(try FileManager.default.contentsOfDirectory(atPath: a.path).isEmpty)
    }

    @Test func corpusFilesSortedAndReadable() {
        let files = Fixtures.corpusFiles()
        #expect(files.map(\.path) == files.map(\.path).sorted())
        #expect(files.allSatisfy { $0.pathExtension == "txt" })
        #expect(Fixtures.bytes("bad/empty.txt").isEmpty)
    }
}
