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
            #expect(CategoryCatalog.category(named: c.name).slug == c.slug)
            #expect(CategoryCatalog.category(named: c.name).name == known.first { $0.slug == c.slug }?.name)
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
        #expect(c == Category(name: "หมวดใหม่ที่ไม่รู้จัก", slug: "หมวดใหม่ที่ไม่รู้จัก"))
        #expect(CategoryCatalog.resolve("หมวดใหม่ที่ไม่รู้จัก") == nil)
        #expect(CategoryCatalog.category(named: "  ") == Category(name: "", slug: nil))
    }

    /// Every spelling of a slug is stored under one name: the slug's first in the catalogue.
    @Test(arguments: [
        ("ข่าวรอง นรม  รมตนร", "ข่าวรองนายกรัฐมนตรี  รัฐมนตรีประจำสำนักนายกรัฐมนตรี", "deputy-pm"),
        ("ข่าวรอง นรม รมตนร", "ข่าวรองนายกรัฐมนตรี  รัฐมนตรีประจำสำนักนายกรัฐมนตรี", "deputy-pm"),
        ("สรุปข่าวการประชุม ครม.", "สรุปข่าวการประชุม ครม", "cabinet-summary"),
        ("other", "อื่นๆ", "other"),
        ("Soft Power", "การผลักดัน Soft Power", "soft-power"),
        ("government news", "Government News", "government-news"),
        ("Government-News", "Government News", "government-news"),
        ("ด้านเศรษฐกิจ\u{200B}", "ด้านเศรษฐกิจ", "economy"),
    ])
    func spellingsShareOneName(found: String, name: String, slug: String) {
        #expect(CategoryCatalog.category(named: found) == Category(name: name, slug: slug))
        #expect(CategoryCatalog.normalised(Category(name: found, slug: nil)) == Category(name: name, slug: slug))
    }

    @Test(arguments: [
        ("ผู้เกษียณอายุราชการสำนักเลขาธิการนายกรัฐมนตรีื ปี 2564", "ผู้เกษียณอายุราชการสำนักเลขาธิการนายกรัฐมนตรีื-ปี-2564"),
        ("New Category (Test)", "new-category-test"),
        ("  หมวด   ใหม่  ", "หมวด-ใหม่"),
        ("ข่าว/ภาพ", "ข่าว-ภาพ"),
        ("!!!", nil),
    ])
    func derivedSlugs(name: String, slug: String?) {
        #expect(CategoryCatalog.derivedSlug(name) == slug)
    }

    /// Over the fixture corpus (real file names): one name per slug, and every category has one.
    @Test func fixtureCategoriesOneNamePerSlug() throws {
        var names: [String: Set<String>] = [:]
        for url in Fixtures.corpusFiles() {
            guard let found = ReleaseParser.category(fromFileName: url.lastPathComponent) else { continue }
            let c = CategoryCatalog.category(named: found)
            let slug = try #require(c.slug, "\(found)")
            names[slug, default: []].insert(c.name)
        }
        #expect(names.count >= 30)
        for (slug, n) in names { #expect(n.count == 1, "\(slug): \(n)") }
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
