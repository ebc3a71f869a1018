import Foundation
@testable import KhaosanQuery
import KhaosanModel
import Testing

/// `khaosan diff` on a real store: hand-made versions, the edits they must give, and the errors.
@Suite struct VersionDiffTests {
    static func version(_ base: Release, title: String? = nil, paragraphs: [String]) -> Release {
        var r = base
        if let title { r.title = title }
        r.paragraphs = paragraphs
        r.contentHash = StoreFixtures.hash(r.title + "\u{0}" + paragraphs.joined(separator: "\n"))
        return r
    }

    static let base = Release(
        id: 880_001, sourceURL: "https://www.thaigov.go.th/news/contents/details/880001",
        title: "นายกรัฐมนตรีเดินทางไปจังหวัดเชียงใหม่",
        published: CivilDate(year: 2023, month: 10, day: 5), category: Category(name: "ข่าวทำเนียบรัฐบาล", slug: nil),
        language: .th,
        paragraphs: ["วันนี้ นายกรัฐมนตรีเดินทางไปตรวจราชการที่จังหวัดเชียงใหม่ เพื่อติดตามสถานการณ์น้ำท่วม",
                     "รัฐบาลพร้อมช่วยเหลือประชาชนทุกคน", "ที่ประชุมเห็นชอบงบประมาณ 500 ล้านบาท"],
        entities: [], contentHash: "")

    /// Each text of a diff, put back together: old = equal + delete, new = equal + insert.
    static func sides(_ edits: [WordEdit]) -> (old: String, new: String) {
        var o = "", n = ""
        for e in edits {
            if e.kind != .insert { o += e.text }
            if e.kind != .delete { n += e.text }
        }
        return (o, n)
    }

    static func changes(_ edits: [WordEdit]) -> [WordEdit] { edits.filter { $0.kind != .equal } }

    @Test func handMadeVersionsShowExactlyTheEditedWords() throws {
        let store = try ReleaseStore(path: try StoreFixtures.tempPath("diff"), logger: StoreFixtures.logger)
        let v1 = Self.version(Self.base, paragraphs: Self.base.paragraphs)
        // v2: one word of the title and of the first paragraph replaced, a number changed, a
        // paragraph added at the end.
        let v2 = Self.version(Self.base, title: "นายกรัฐมนตรีเดินทางไปจังหวัดเชียงราย", paragraphs: [
            "วันนี้ นายกรัฐมนตรีเดินทางไปตรวจราชการที่จังหวัดเชียงราย เพื่อติดตามสถานการณ์น้ำท่วม",
            "รัฐบาลพร้อมช่วยเหลือประชาชนทุกคน", "ที่ประชุมเห็นชอบงบประมาณ 700 ล้านบาท", "ขอให้ประชาชนติดตามข่าวสาร",
        ])
        _ = try store.apply(source: "t", items: [(1, v1), (2, v2)])
        let d = try store.diff(id: v1.id, oldVersion: nil, newVersion: nil)
        #expect(d.old.version == 1 && d.new.version == 2 && d.versions == 2)
        #expect(d.fields.map(\.name) == ["title", "paragraph", "paragraph", "paragraph", "paragraph"])

        let title = d.fields[0].edits
        #expect(Self.changes(title) == [WordEdit(kind: .delete, text: "เชียงใหม่"), WordEdit(kind: .insert, text: "เชียงราย")])
        #expect(Self.sides(title) == (v1.title, v2.title))

        let first = d.fields[1]
        #expect(first.oldNumber == 1 && first.newNumber == 1)
        #expect(Self.changes(first.edits) == [WordEdit(kind: .delete, text: "เชียงใหม่"), WordEdit(kind: .insert, text: "เชียงราย")])
        #expect(Self.sides(first.edits) == (v1.paragraphs[0], v2.paragraphs[0]))
        #expect(d.fields[2].edits == [WordEdit(kind: .equal, text: v1.paragraphs[1])])
        #expect(Self.changes(d.fields[3].edits) == [WordEdit(kind: .delete, text: "500"), WordEdit(kind: .insert, text: "700")])
        let added = d.fields[4]
        #expect(added.oldNumber == nil && added.newNumber == 4 && added.edits == [WordEdit(kind: .insert, text: v2.paragraphs[3])])

        // Backwards, and with both versions named, the same edits mirrored.
        let back = try store.diff(id: v1.id, oldVersion: 2, newVersion: 1)
        #expect(Self.changes(back.fields[0].edits) == [WordEdit(kind: .delete, text: "เชียงราย"), WordEdit(kind: .insert, text: "เชียงใหม่")])
        #expect(back.fields[4].oldNumber == 4 && back.fields[4].newNumber == nil)
    }

    @Test func aRemovedParagraphDoesNotShiftTheOthers() throws {
        let p = Self.base.paragraphs
        let fields = WordDiff.paragraphs(old: p, new: [p[0], p[2]])
        #expect(fields.count == 3)
        #expect(fields[1].oldNumber == 2 && fields[1].newNumber == nil && fields[1].edits == [WordEdit(kind: .delete, text: p[1])])
        #expect(fields[2].oldNumber == 3 && fields[2].newNumber == 2 && fields[2].edits == [WordEdit(kind: .equal, text: p[2])])
    }

    /// Any two real paragraphs: the edits rebuild both texts exactly, and equal texts give no change.
    @Test(arguments: 0..<12)
    func editsRebuildBothTexts(k: Int) {
        let all = StoreFixtures.releases.flatMap(\.paragraphs).filter { !$0.isEmpty }
        let a = all[(k * 7) % all.count], b = all[(k * 13 + 5) % all.count]
        // A real edit: b's second half spliced into a.
        let mixed = String(a.prefix(a.count / 2)) + String(b.suffix(b.count / 2))
        for (old, new) in [(a, b), (a, mixed), (mixed, a), (a, a), ("", a), (a, "")] {
            let edits = WordDiff.edits(old: old, new: new)
            #expect(Self.sides(edits) == (old, new))
            #expect(!edits.contains { $0.text.isEmpty })
            if old == new { #expect(Self.changes(edits).isEmpty) }
        }
    }

    @Test func unknownReleasesAndVersionsAreClearErrors() throws {
        let store = try ReleaseStore(path: try StoreFixtures.tempPath("diff-errors"), logger: StoreFixtures.logger)
        _ = try store.apply(source: "t", items: [(1, Self.version(Self.base, paragraphs: Self.base.paragraphs))])
        func message(_ body: () throws -> VersionDiff) -> String? {
            do { _ = try body(); return nil } catch let e as VersionNotFound { return e.message } catch { return "\(error)" }
        }
        #expect(message { try store.diff(id: 42, oldVersion: nil, newVersion: nil) } == "no release with id 42")
        #expect(message { try store.diff(id: Self.base.id, oldVersion: nil, newVersion: nil) }
            == "release 880001 has one version (1); no version before 1 to compare with")
        #expect(message { try store.diff(id: Self.base.id, oldVersion: 1, newVersion: 3) } == "release 880001 has one version (1); no version 3")
    }
}
