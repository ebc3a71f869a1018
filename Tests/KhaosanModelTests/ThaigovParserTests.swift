import Foundation
import KhaosanTestSupport
import Testing
@testable import KhaosanModel

@Suite struct ThaigovParserTests {
    func parse(_ rel: String) throws(ReleaseError) -> Release {
        let name = String(rel.split(separator: "/").last!)
        return try ReleaseParser.parseThaigov(fileName: name, bytes: Fixtures.bytes("corpus/" + rel))
    }

    func error(_ rel: String) -> ReleaseError? {
        let name = String(rel.split(separator: "/").last!)
        do {
            _ = try ReleaseParser.parseThaigov(fileName: name, bytes: Fixtures.bytes(rel))
            return nil
        } catch {
            return error
        }
    }

    static let invisible: Set<UInt32> = [0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD, 0x00A0]
    /// Real pages with a title and nothing else (or only zero-width spaces).
    static let titleOnlyPages = ["2023/01/09/ด้านความมั่นคง_1_f8c16d75", "2023/06/21/other_1_5ee0c665", "2020/10/21/อื่นๆ_1.txt"]

    static func isTitleOnlyPage(_ url: URL) -> Bool {
        titleOnlyPages.contains { url.path.contains("/corpus/" + $0) }
    }
    static let englishCategories: Set<String> = ["Government News", "Statements", "Cabinet Meeting Synopsis"]

    @Test func release73500() throws {
        let r = try parse("2023/10/18/ด้านสังคม_3_cfd21588-8b89-477a-8859-5f42da947959.txt")
        #expect(r.id == 73500)
        #expect(r.sourceURL == "https://www.thaigov.go.th/news/contents/details/73500")
        #expect(r.published == CivilDate(year: 2023, month: 10, day: 18))
        #expect(r.category == Category(name: "ด้านสังคม", slug: "society"))
        #expect(r.language == .th)
        #expect(r.title.hasPrefix("‘ประเสริฐ’ ร่วมคณะนายกรัฐมนตรีลุยเมืองปักกิ่ง หารือ Xiaomi – Alibaba"))
        // Title twice, three paragraphs, a ____ separator: only the paragraphs remain.
        #expect(r.paragraphs.count == 3)
        #expect(r.paragraphs[0].hasPrefix("รมว.ดีอี เข้าร่วมคณะของนายกรัฐมนตรี"))
        #expect(r.paragraphs[2].hasPrefix("จากนั้น ได้หารือกับ Mr. Fan Jiang"))
        #expect(r.contentHash.utf8.count == 16)
    }

    /// Every real fixture either parses, with the invariants the issue asks for, or is rejected
    /// for the reason its content calls for.
    @Test func everyCorpusFixture() throws {
        let files = Fixtures.corpusFiles()
        #expect(files.count >= 40)
        var parsed = 0
        for url in files {
            let bytes = Fixtures.bytes(String(url.path.dropFirst(Fixtures.directory.path.count + 1)))
            let raw = String(decoding: bytes, as: UTF8.self)
            let rawLines = raw.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            do {
                let r = try ReleaseParser.parseThaigov(fileName: url.lastPathComponent, bytes: bytes)
                parsed += 1
                let where_ = url.lastPathComponent
                #expect(!r.title.isEmpty, "\(where_)")
                // Title-only pages are kept, with no paragraphs; every other page has some.
                #expect(r.isTitleOnly == Self.isTitleOnlyPage(url), "\(where_)")
                for text in [r.title] + r.paragraphs {
                    #expect(!text.unicodeScalars.contains { Self.invisible.contains($0.value) }, "\(where_): \(text.prefix(40))")
                    #expect(text == TextNormalizer.normalizeLine(text), "\(where_): not normalised")
                    #expect(!text.isEmpty)
                }
                #expect(!r.paragraphs.contains("พิมพ์"), "\(where_)")
                #expect(r.paragraphs.first != r.title, "\(where_): title repeated at the top")
                #expect(!r.paragraphs.contains { $0.allSatisfy { "*_-=.".contains($0) || $0 == " " } }, "\(where_): separator kept")
                // No block of paragraphs immediately repeated (doubled body).
                let p = r.paragraphs
                for m in 1...max(1, p.count / 2) {
                    for i in 0...(max(0, p.count - 2 * m)) where i + 2 * m <= p.count {
                        #expect(p[i..<(i + m)] != p[(i + m)..<(i + 2 * m)], "\(where_): block of \(m) at \(i) doubled")
                    }
                }
                // Oracles from the raw text: the footer's number, the first date line.
                let footer = rawLines.last { $0.hasPrefix("ที่มา") }!
                #expect(footer.hasSuffix("/\(r.id)"), "\(where_)")
                let dateLine = rawLines.dropFirst().first { !$0.trimmingCharacters(in: .whitespaces).isEmpty }!
                #expect(ThaiCalendar.parseThaiDate(dateLine) == r.published, "\(where_)")
                // The category is the file-name prefix, trimmed, under its slug's canonical name.
                let expectedCategory = url.lastPathComponent.components(separatedBy: "_").first!.trimmingCharacters(in: .whitespaces)
                #expect(r.category == CategoryCatalog.category(named: expectedCategory), "\(where_)")
                #expect(r.category.slug != nil, "\(where_): a category with no slug")
                if Self.englishCategories.contains(expectedCategory) { #expect(r.language == .en, "\(where_)") }
                let first = Array(TextNormalizer.normalizeLine(rawLines[0]).utf8)
                let full = Array("รัฐบาลไทย-ข่าวทำเนียบรัฐบาล-".utf8)
                let bare = Array("รัฐบาลไทย-".utf8)
                let rest = first.starts(with: full) ? first.dropFirst(full.count) : first.dropFirst(bare.count)
                #expect(r.title == TextNormalizer.normalizeLine(String(decoding: rest, as: UTF8.self)), "\(where_)")
            } catch {
                // Only placeholders are rejected: named `_<n>...` (no category), dated 2513.
                #expect(url.lastPathComponent.hasPrefix("_"), "\(url.lastPathComponent): \(error)")
                #expect(error.code == .placeholderPage, "\(url.lastPathComponent): \(error)")
                #expect(error.line == 4)
            }
        }
        let placeholders = files.filter { $0.lastPathComponent.hasPrefix("_") }.count
        #expect(placeholders >= 2)
        #expect(parsed == files.count - placeholders)
    }

    @Test func dateSlashLineAndPrintDropped() throws {
        let r = try parse("2023/11/07/Soft Power _1_48128b73-cb3a-4bf3-af7c-889a5496744a.txt")
        #expect(r.title == "คณะกรรมการ Soft Power เตรียมถกนัดแรก")
        #expect(r.published == CivilDate(year: 2023, month: 11, day: 7))
        #expect(r.paragraphs.first == "ตั้งเป้าสร้างงาน สร้างอาชีพ 20 ล้านตำแหน่ง")
        #expect(r.category == Category(name: "การผลักดัน Soft Power", slug: "soft-power"))  // the slug's canonical name
        #expect(!r.paragraphs.contains("07/11/2566"))
    }

    @Test func zeroWidthTitleEnglishTabInName() throws {
        let r = try parse("2023/09/07/Government News\t_1_e6e1767d-e630-44b9-8a47-db3c916c70b8.txt")
        #expect(r.title == "PM: Govt ready to work for best interest of Thai people")
        #expect(r.category == Category(name: "Government News", slug: "government-news"))
        #expect(r.language == .en)
        #expect(r.paragraphs.first?.hasPrefix("September 6, 2023, at 10.00 hrs") == true)
        #expect(r.paragraphs.count == 4)
    }

    @Test func bareTitleWithHyphen() throws {
        let r = try parse("2023/11/11/ด้านความมั่นคง_6_3a93bfa2-fe59-40a1-a7a6-2162d39ab48d.txt")
        #expect(r.title.hasPrefix("กรมการจัดหางาน ส่งเสริมภูมิปัญญาท้องถิ่นสู่การสร้างรายได้ ลงพื้นที่สกลนคร-นครพนม"))
        #expect(r.paragraphs.first?.hasPrefix("วันที่ 9 - 11 พฤศจิกายน 2566") == true)
        #expect(r.id == 74582)
    }

    @Test(arguments: [
        ("2023/11/09/การผลักดัน Soft Power_1_7ee45ff6-020e-44ac-b06d-350a606cda55.txt", "รมว.ศธ. หารือกับ วอศ.เสาวภา เตรียมผลิต e-Book การทำอาหารไทย"),
        ("2020/09/17/ถามให้ชัด รัฐจะเคลียร์_1.txt", "วิธีการล้างมือที่ถูกต้องเพื่อป้องกันไวรัสโควิด-19 ??"),
    ])
    func titlesWithHyphens(file: String, title: String) throws {
        #expect(try parse(file).title.hasPrefix(title))
    }

    /// A page whose only text is its title (thaigov had a photo or a video) is a release: kept with
    /// no paragraphs, not with the title copied into a body.
    @Test(arguments: titleOnlyPages)
    func titleOnlyPageIsKept(prefix: String) throws {
        let url = try #require(Fixtures.corpusFiles().first { $0.path.contains("/corpus/" + prefix) })
        let rel = String(url.path.dropFirst(Fixtures.directory.path.count + 1 + "corpus/".count))
        let r = try parse(rel)
        #expect(r.isTitleOnly)
        #expect(r.paragraphs.isEmpty)
        #expect(!r.title.isEmpty)
        #expect(r.id > 0 && r.published.year >= 2020)
    }

    @Test func doubledBodyKeptOnce() throws {
        let r = try parse("2020/11/06/ด้านสังคม_3.txt")
        #expect(r.paragraphs.count == 7)
        #expect(Set(r.paragraphs).count == r.paragraphs.count)
        #expect(r.paragraphs.last?.hasPrefix("******************************") == true)  // separator + date: has text
    }

    @Test func doubledBlockInEnglishStatement() throws {
        let r = try parse("2024/03/07/Statements_1_33096ea6-108b-4489-b8e8-cc71c0eb4188.txt")
        #expect(r.language == .en)
        // The title is repeated once whole and once split over six lines; then a 2-line block is doubled.
        #expect(!r.paragraphs.contains("At ITB Berlin 2024"))
        #expect(r.paragraphs.first == "on 7 March 2024 at 11.30 – 12.00 hrs.")
        #expect(r.paragraphs.filter { $0 == "at CityCube, M 1 & M 2, Level 3" }.count == 1)
        #expect(r.paragraphs.contains("Distinguished guests,"))
    }

    @Test func thaiDigitsStayInBody() throws {
        let r = try parse("2020/09/17/ด้านกฎหมายฯ_2.txt")
        #expect(r.published == CivilDate(year: 2020, month: 8, day: 25))
        #expect(r.paragraphs.contains { $0.contains("๒๕ สิงหาคม ๒๕๖๓") })
        #expect(r.category.slug == "law")
    }

    @Test func largeCabinetSummary() throws {
        let rel = "2023/01/03/สรุปข่าวการประชุม ครม_1_7865c073-2200-41bd-94d9-e06381e26762.txt"
        #expect(Fixtures.bytes("corpus/" + rel).count > 100_000)
        let r = try parse(rel)
        #expect(r.paragraphs.count > 100)
        #expect(r.category.slug == "cabinet-summary")
    }

    @Test func byteOrderMarkFile() throws {
        let rel = "2023/11/23/ด้านสังคม_2_d73046cc-c600-4c24-a7a1-66e43d20f6cb.txt"
        #expect(Fixtures.bytes("corpus/" + rel).count > 3)
        let r = try parse(rel)
        #expect(!(r.title + r.paragraphs.joined()).unicodeScalars.contains("\u{FEFF}"))
    }

    @Test func twoFootersUsesTheLast() throws {
        let r = try parse("2024/03/14/ทัน LINE ไทยคู่ฟ้า_2_70e17725-6549-428c-9579-d846fb291e5b.txt")
        #expect(r.id == 80297)
        #expect(r.paragraphs.contains("ที่มา : https://www.thaigov.go.th/news/contents/details/80085"))
        #expect(r.category.slug == "thaikoofah-line")
    }

    @Test func unknownCategoryKeptWithADerivedSlug() throws {
        let r = try parse("2022/11/05/ผู้เกษียณอายุราชการสำนักเลขาธิการนายกรัฐมนตรีื ปี 2564_1_9d852748-344b-431d-95b6-236e7a55f779.txt")
        #expect(r.category.slug == "ผู้เกษียณอายุราชการสำนักเลขาธิการนายกรัฐมนตรีื-ปี-2564")
        #expect(r.category.name == "ผู้เกษียณอายุราชการสำนักเลขาธิการนายกรัฐมนตรีื ปี 2564")
    }

    @Test(arguments: [
        ("bad/bad-date.txt", ReleaseError.Code.badDateLine, 4, "วันพุธที่ 31 กุมภาพันธ์ 2566"),
        ("bad/wrong-weekday.txt", .badDateLine, 4, "วันจันทร์ที่ 18 ตุลาคม 2566"),
        ("bad/no-date-line.txt", .missingDateLine, 4, "ข้อความทดสอบ"),
        ("bad/missing-footer.txt", .missingSourceURL, 6, "ที่มา"),
        ("bad/bad-source-url.txt", .badSourceURL, 8, "www.thaigov.go.th/news"),
        ("bad/invalid-utf8.txt", .invalidUTF8, 5, "byte 225"),
        ("bad/empty.txt", .emptyFile, nil, "empty"),
        ("bad/blank.txt", .emptyFile, nil, "no text"),
        ("bad/no-title-prefix.txt", .missingTitle, 1, "ข่าวที่ไม่มีหัว"),
        ("bad/empty-body.txt", .emptyBody, 10, "no title and no body text"),
    ] as [(String, ReleaseError.Code, Int?, String)])
    func badFilesRejected(file: String, code: ReleaseError.Code, line: Int?, messagePart: String) {
        let e = error(file)
        #expect(e?.code == code, "\(file): \(String(describing: e))")
        #expect(e?.line == line, "\(file): \(String(describing: e))")
        #expect(e?.message.contains(messagePart) == true, "\(file): \(String(describing: e))")
    }

    @Test func badFixturesAllCovered() {
        #expect(Fixtures.badFiles().count == 10)
    }

    @Test func badDateMessageFormat() {
        let e = error("bad/bad-date.txt")
        #expect(e?.description == "bad-date-line: line 4: \"วันพุธที่ 31 กุมภาพันธ์ 2566\"")
        #expect(e?.field == "published")
    }

    @Test func tooLarge() {
        let bytes = Fixtures.bytes("corpus/2023/10/18/ด้านสังคม_3_cfd21588-8b89-477a-8859-5f42da947959.txt")
        #expect(throws: ReleaseError.self) { try ReleaseParser.parseThaigov(fileName: "x_1.txt", bytes: bytes, maxBytes: 1000) }
        do {
            _ = try ReleaseParser.parseThaigov(fileName: "x_1.txt", bytes: bytes, maxBytes: 1000)
        } catch {
            #expect(error.code == .tooLarge)
        }
    }

    @Test func crlfThaiDigitDateAndOverride() throws {
        let text = "รัฐบาลไทย-ทดสอบ-หัวข้อ\r\n\r\nวันพุธที่ ๑๘ ต.ค. ๒๕๖๖\r\n๑๘/๑๐/๒๕๖๖\r\nทดสอบ-หัวข้อ\r\nเนื้อหา\r\n\r\nที่มา : https://www.thaigov.go.th/news/contents/details/1234\r\n"
        let r = try ReleaseParser.parseThaigov(fileName: "ignored.txt", bytes: Array(text.utf8), categoryOverride: " ด้านเศรษฐกิจ ")
        #expect(r.title == "ทดสอบ-หัวข้อ")
        #expect(r.published == CivilDate(year: 2023, month: 10, day: 18))
        #expect(r.paragraphs == ["เนื้อหา"])
        #expect(r.category == Category(name: "ด้านเศรษฐกิจ", slug: "economy"))
        #expect(r.id == 1234)
    }

    @Test(arguments: [
        ("ด้านสังคม_3_cfd21588-8b89-477a-8859-5f42da947959.txt", "ด้านสังคม"),
        ("Soft Power _1_48128b73-cb3a-4bf3-af7c-889a5496744a.txt", "Soft Power"),
        ("Government News\t_2_d5d8375f-5282-4f12-a507-4677618f798a.txt", "Government News"),
        ("ความสัมพันธ์และความร่วมมือระหว่างประเทศ(ทวิภาคี)_1_78ff73c2-0e81-49da-99b1-898edf3a4a3e.txt", "ความสัมพันธ์และความร่วมมือระหว่างประเทศ(ทวิภาคี)"),
        ("สรุปข่าวการประชุม ครม._1.txt", "สรุปข่าวการประชุม ครม."),
        ("data/2020/09/17/ด้านสังคม_97.txt", "ด้านสังคม"),
        ("a_b_12.txt", "a_b"),
    ])
    func categoryFromFileName(name: String, expected: String) {
        #expect(ReleaseParser.category(fromFileName: name) == expected)
    }

    @Test(arguments: ["_1_b826d441-ffa7-476d-94b1-90876a11365e.txt", "_1.txt", "nocategory.txt", "x_1.json", "x_.txt", "x_1a.txt"])
    func noCategoryFromFileName(name: String) {
        #expect(ReleaseParser.category(fromFileName: name) == nil)
    }

    @Test(arguments: [
        ("https://www.thaigov.go.th/news/contents/details/73500", Int64(73500)),
        ("http://www.thaigov.go.th/news/contents/details/1/", 1),
        ("https://x.example/a/42?ref=1", 42),
    ])
    func releaseIDs(url: String, id: Int64) {
        #expect(ReleaseParser.releaseID(fromSourceURL: url) == id)
    }

    @Test(arguments: ["www.thaigov.go.th/1", "https:///123", "https://x/abc", "https://x/0", "ftp://x/1", "https://x/99999999999999999999"])
    func badReleaseIDs(url: String) {
        #expect(ReleaseParser.releaseID(fromSourceURL: url) == nil)
    }

    @Test func contentHashTracksContent() throws {
        let rel = "corpus/2023/10/18/ด้านสังคม_3_cfd21588-8b89-477a-8859-5f42da947959.txt"
        let bytes = Fixtures.bytes(rel)
        let a = try ReleaseParser.parseThaigov(fileName: "ด้านสังคม_3.txt", bytes: bytes)
        let b = try ReleaseParser.parseThaigov(fileName: "ด้านสังคม_9.txt", bytes: bytes)
        #expect(a.contentHash == b.contentHash)
        #expect(a.contentHash.allSatisfy { $0.isHexDigit })
        var changed = a.paragraphs
        changed[1] += "x"
        let h2 = ReleaseParser.contentHash(title: a.title, published: a.published, category: a.category.name, language: a.language, paragraphs: changed)
        #expect(h2 != a.contentHash)
        // Moving text between paragraphs changes the hash too.
        let joined = ReleaseParser.contentHash(title: "t", published: a.published, category: "c", language: .th, paragraphs: ["ab", "c"])
        let split = ReleaseParser.contentHash(title: "t", published: a.published, category: "c", language: .th, paragraphs: ["a", "bc"])
        #expect(joined != split)
    }

    /// Mutated real files must never crash the parser: truncations, flipped bytes, inserted
    /// invalid UTF-8, all either parse or throw.
    @Test func mutationsNeverCrash() {
        var rng = SplitMix64(seed: 99)
        let base = Fixtures.bytes("corpus/2023/11/07/Soft Power _1_48128b73-cb3a-4bf3-af7c-889a5496744a.txt")
        var outcomes = 0
        for _ in 0..<400 {
            var b = base
            switch rng.next() % 4 {
            case 0: b = Array(b.prefix(Int(rng.next() % UInt64(b.count))))
            case 1:
                for _ in 0..<8 { b[Int(rng.next() % UInt64(b.count))] = UInt8(truncatingIfNeeded: rng.next()) }
            case 2: b.insert(contentsOf: [0xE0, 0xB8], at: Int(rng.next() % UInt64(b.count)))
            default:
                let cut = Int(rng.next() % UInt64(b.count))
                b.removeSubrange(cut..<min(b.count, cut + Int(rng.next() % 400)))
            }
            do {
                _ = try ReleaseParser.parseThaigov(fileName: "x_1.txt", bytes: b)
                outcomes += 1
            } catch {
                #expect(!error.message.isEmpty)
                outcomes += 1
            }
        }
        #expect(outcomes == 400)
    }
}

@Suite struct EntityTests {
    @Test func namesFromRealReleases() throws {
        let a = try ReleaseParser.parseThaigov(
            fileName: "ด้านสังคม_3.txt", bytes: Fixtures.bytes("corpus/2023/10/18/ด้านสังคม_3_cfd21588-8b89-477a-8859-5f42da947959.txt"))
        #expect(a.entities.contains("นายประเสริฐ จันทรรวงทอง"))
        let b = try ReleaseParser.parseThaigov(
            fileName: "x_1.txt", bytes: Fixtures.bytes("corpus/2023/11/11/ด้านความมั่นคง_6_3a93bfa2-fe59-40a1-a7a6-2162d39ab48d.txt"))
        #expect(b.entities.contains("นายสมชาย มรกตศรีวรรณ"))
        #expect(b.entities.contains("นางสาวบุณยวีร์ ไขว้พันธุ์"))
    }

    @Test(arguments: [
        ("พลตำรวจเอก เพิ่มพูน ชิดชอบ รัฐมนตรีว่าการ", ["พลตำรวจเอก เพิ่มพูน ชิดชอบ"]),
        ("นายกรัฐมนตรี เศรษฐา ทวีสิน กล่าว", []),
        ("นายอำเภอ เมือง ลงพื้นที่", []),
        ("(นายสมชาย ใจดี) และนายสมชาย ใจดี อีกครั้ง", ["นายสมชาย ใจดี"]),
        ("นายสมชาย ใจดีผู้อำนวยการสำนักงานส่งเสริมการค้าระหว่างประเทศ", []),
        ("Mr. Fan Jiang, CEO", []),
    ])
    func simpleCases(text: String, expected: [String]) {
        #expect(EntityExtractor.extract(from: [text]) == expected)
    }

    /// A given name followed by the sentence going on is not a person with a family name; a
    /// real name followed by the same words still is. Lines as the corpus writes them.
    @Test(arguments: [
        ("นายวัลลภ กล่าวต่อว่า รัฐบาลให้ความสำคัญ", []),
        ("นายวัลลภ กล่าวว่า", []),
        ("นายชัย กล่าวอีกว่า ทั้งนี้", []),
        ("นางสาวเกณิกา ยังกล่าวอีกว่า", []),
        ("นายอนุทิน กล่าวด้วยว่า", []),
        ("นายเศรษฐา กล่าว", []),
        ("นายภูมิธรรม เปิดเผยว่า", []),
        ("นายคารม ชี้แจงเพิ่มเติมว่า", []),
        ("นายชัย และรัฐมนตรีว่าการกระทรวงการคลัง", []),
        ("นายกฤษฎา ได้รับมอบหมายให้", []),
        ("นายวัลลภ ตั้งคำพาณิช กล่าวต่อว่า", ["นายวัลลภ ตั้งคำพาณิช"]),
        ("นายเศรษฐา ทวีสิน นายกรัฐมนตรี กล่าวว่า", ["นายเศรษฐา ทวีสิน"]),
        ("นางสาวเกณิกา อุ่นจิตร รองโฆษกประจำสำนักนายกรัฐมนตรี", ["นางสาวเกณิกา อุ่นจิตร"]),
        ("นายอนุทิน ชาญวีรกูล กล่าวด้วยว่า", ["นายอนุทิน ชาญวีรกูล"]),
        // Family names that begin like a verb or a function word, or contain one, are names.
        ("นายสมชาย ร่วมสุข กล่าว", ["นายสมชาย ร่วมสุข"]),
        ("นายประยุทธ์ จันทร์โอชา", ["นายประยุทธ์ จันทร์โอชา"]),
        ("นายชวน หลีกภัย กล่าวว่า", ["นายชวน หลีกภัย"]),
        ("นางสาวศศิกานต์ วัฒนะจันทร์", ["นางสาวศศิกานต์ วัฒนะจันทร์"]),
    ])
    func verbIsNoFamilyName(text: String, expected: [String]) {
        #expect(EntityExtractor.extract(from: [text]) == expected)
    }

    @Test(arguments: ["กล่าวต่อว่า", "กล่าวอีกว่า", "ยังกล่าวอีกว่า", "เปิดเผยว่า", "และการกำกับดูแล", "กล่าว", "ได้"])
    func predicates(words: String) {
        #expect(EntityExtractor.isPredicate(words))
    }

    @Test(arguments: ["ทวีสิน", "จันทรรวงทอง", "ร่วมสุข", "ตามสัตย์", "มรกตศรีวรรณ", "หลีกภัย", "ชาญวีรกูล", "ชิดชอบ"])
    func familyNames(name: String) {
        #expect(!EntityExtractor.isPredicate(name))
    }

    @Test func corpusEntitiesLookLikeNames() {
        for url in Fixtures.corpusFiles() {
            guard let r = try? ReleaseParser.parseThaigov(fileName: url.lastPathComponent, bytes: Array(FileManager.default.contents(atPath: url.path)!)) else { continue }
            #expect(r.entities.count <= EntityExtractor.maxEntities)
            for e in r.entities {
                #expect(!["นายกรัฐมนตรี", "นายกฯ", "นายอำเภอ", "นางพยาบาล"].contains { e.hasPrefix($0) }, "\(e)")
                #expect(e.split(separator: " ").count <= 3, "\(e)")
                #expect(r.paragraphs.contains { $0.contains(e) }, "\(e)")
            }
        }
    }
}
