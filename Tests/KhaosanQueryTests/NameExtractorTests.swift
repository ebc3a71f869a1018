@testable import KhaosanQuery
import KhaosanModel
import KhaosanThai
import Testing

/// The typed name extractor, one line of text at a time: what it must find, and what it must
/// not take for a name.
@Suite struct NameExtractorTests {
    static func names(_ line: String, _ kind: Entity.Kind, people: [String] = []) -> [String] {
        NameExtractor.extract(title: "", paragraphs: [line], people: people).filter { $0.kind == kind }.map(\.name)
    }

    @Test(arguments: [
        ("นายอนุทิน ชาญวีรกูล รองนายกรัฐมนตรี กล่าวว่า", ["นายอนุทิน ชาญวีรกูล"]),
        ("โดยภายในงานมีนายยรรยง พวงราช ที่ปรึกษา", ["นายยรรยง พวงราช"]),
        ("พล.ต.อ.พัชรวาท วงษ์สุวรรณ รองนายกรัฐมนตรี", ["พล.ต.อ.พัชรวาท วงษ์สุวรรณ"]),
        ("ผศ.ดร. สมชาย ใจดี อาจารย์", ["ผศ.ดร. สมชาย ใจดี"]),
        ("นางรัดเกล้า  อินทวงศ์ รองโฆษก", ["นางรัดเกล้า อินทวงศ์"]),
        ("ศาสตราจารย์เกียรติคุณ นายแพทย์เกษม วัฒนชัย องคมนตรี", ["นายแพทย์เกษม วัฒนชัย"]),
        // A given name followed by the sentence is not a name (issue 16: the verb taken as a
        // family name).
        ("นายวัลลภ กล่าวต่อว่า โครงการนี้", []),
        ("นายภูมิธรรม กล่าวว่า ตนรู้จัก", []),
        ("นายกรัฐมนตรี เดินทางไปเชียงใหม่", []),
        ("นายอำเภอนครไทย กำนัน ผู้ใหญ่บ้าน", []),
        ("ณ องค์พระปฐมเจดีย์ รวมระยะทาง", []),
        // A suspect by the given name only, then the age or the nationality.
        ("จับกุม นายวศิษฎ์ อายุ 31 ปี และนายตงเจี้ยน สัญชาติ จีน", []),
        // ฯ after a given name shortens a name given before: no family name follows.
        ("โดยนายกฤษณะฯ ยินดีให้ทำการตรวจค้น", []),
        // A position's abbreviation glued to the family name is not part of it; a full stop neither.
        ("พล.ต.ต.สถิตย์ พรมอุทัย ผบก.สอท.3 และ ร้อยตรี สมชาย ใจดี. นายก", ["พล.ต.ต.สถิตย์ พรมอุทัย", "ร้อยตรี สมชาย ใจดี"]),
    ] as [(String, [String])])
    func people(_ line: String, _ expected: [String]) {
        #expect(Self.names(line, .person) == expected)
    }

    @Test func theIngestersPeopleAreKeptUnlessTheFamilyNameIsAVerb() {
        let found = Self.names("ข้อความ", .person, people: ["นายเอกนัฏ พร้อมพันธุ์", "นายวัลลภ กล่าวต่อว่า", "นายสมชาย พร้อมด้วย"])
        // พร้อมพันธุ์ is in the names corpus; พร้อมด้วย starts with a word of the sentence.
        #expect(found == ["นายเอกนัฏ พร้อมพันธุ์"])
    }

    @Test func onePersonUnderTwoTitlesIsOneName() {
        #expect(Self.names("ดร.ณัฐพล รังสิตพล ปลัดกระทรวง และนายณัฐพล รังสิตพล", .person) == ["ดร.ณัฐพล รังสิตพล"])
    }

    @Test(arguments: [
        ("กรมควบคุมโรคได้จัดการประชุม", ["กรมควบคุมโรค"]),
        ("กระทรวงพาณิชย์ให้ความสำคัญกับเกษตรกร", ["กระทรวงพาณิชย์"]),
        ("ร่วมกับกรมป้องกันและบรรเทาสาธารณภัย ลงพื้นที่", ["กรมป้องกันและบรรเทาสาธารณภัย"]),
        ("กรมปศุสัตว์และกรมการค้าภายใน ในการกำหนดราคา", ["กรมปศุสัตว์", "กรมการค้าภายใน"]),
        ("กระทรวงการอุดมศึกษา วิทยาศาสตร์ วิจัยและนวัตกรรม เปิดเผย", ["กระทรวงการอุดมศึกษา วิทยาศาสตร์ วิจัยและนวัตกรรม"]),
        ("สำนักงานปลัดกระทรวงพาณิชย์ ร่วมกับ", ["สำนักงานปลัดกระทรวงพาณิชย์"]),
        ("บริษัท บิ๊กซี ซูเปอร์เซ็นเตอร์ จำกัด (มหาชน) และ", ["บริษัท บิ๊กซี ซูเปอร์เซ็นเตอร์ จำกัด (มหาชน)"]),
        ("กรมสมเด็จพระเทพรัตนราชสุดา สยามบรมราชกุมารี", []),
        ("ซื้อกรมธรรม์ประกันภัย", []),
        ("ส่งให้กรม และกระทรวง", []),
    ] as [(String, [String])])
    func organisations(_ line: String, _ expected: [String]) {
        #expect(Self.names(line, .organisation) == expected)
    }

    @Test(arguments: [
        ("ลงพื้นที่จังหวัดเชียงใหม่และจังหวัดลำปาง", ["เชียงใหม่", "ลำปาง"]),
        ("เดินทางกลับกรุงเทพฯ ในเวลา", ["กรุงเทพมหานคร"]),
        ("ความร่วมมือกับญี่ปุ่นและสหรัฐฯ", ["ญี่ปุ่น", "สหรัฐอเมริกา"]),
        // เลย and แพร่ are everyday words: a province only behind จังหวัด or จ.
        ("ไม่มีปัญหาเลย และเผยแพร่ข่าว", []),
        ("ตรวจราชการ จ.เลย และจังหวัดแพร่", ["เลย", "แพร่"]),
        // Thailand itself is no place of interest; a person's name is no place.
        ("ประเทศไทยและนายสุรินทร์ พิศสุวรรณ", []),
    ] as [(String, [String])])
    func places(_ line: String, _ expected: [String]) {
        #expect(Self.names(line, .place) == expected)
    }

    @Test func legacyNamesAreTypedByTheirFirstWord() {
        #expect(Entity.legacy("กระทรวงอุตสาหกรรม") == Entity(kind: .organisation, name: "กระทรวงอุตสาหกรรม"))
        #expect(Entity.legacy("นางสาวพิมพ์ภัทรา วิชัยกุล") == Entity(kind: .person, name: "นางสาวพิมพ์ภัทรา วิชัยกุล"))
    }

    @Test func aPersonsKeyHasNoTitle() {
        #expect(NameExtractor.key(Entity(kind: .person, name: "พล.ต.อ. พัชรวาท วงษ์สุวรรณ")) == "พัชรวาท วงษ์สุวรรณ")
        #expect(NameExtractor.key(Entity(kind: .person, name: "นายอนุทิน  ชาญวีรกูล")) == "อนุทิน ชาญวีรกูล")
    }
}

/// The store hands the extractor the words it segmented already (the body's, cut by paragraph):
/// the names must be the ones the extractor finds segmenting each line itself.
struct NameExtractorSharedTokensTests {
    @Test func wordsCutFromTheBodyGiveTheSameNames() throws {
        for r in StoreFixtures.releases {
            let body = r.paragraphs.joined(separator: "\n")
            let words = ThaiAnalyzer.shared.words(body)
            let lines = try #require(NameExtractor.paragraphTokens(words, paragraphs: r.paragraphs))
            #expect(lines.count == r.paragraphs.count)
            for (p, w) in zip(r.paragraphs, lines) { #expect(w == ThaiAnalyzer.shared.words(p), "release \(r.id)") }
            let shared = NameExtractor.extract(title: r.title, paragraphs: r.paragraphs, people: r.entities,
                                               tokens: [ThaiAnalyzer.shared.words(r.title)] + lines)
            #expect(shared == NameExtractor.extract(title: r.title, paragraphs: r.paragraphs, people: r.entities), "release \(r.id)")
        }
    }
}
