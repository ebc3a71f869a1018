#if canImport(Glibc)
import Glibc
#endif
package import KhaosanModel
package import KhaosanThai

/// Typed names of a release, found when the query service stores it (`prepare`, off the writer
/// thread): people, organisations and places. It prefers missing a name to inventing one.
///
/// - People: the ingester's list (`Release.entities`, `EntityExtractor`: an attached honorific
///   or a spelled-out rank, a given name, one space, a family name) and, from the segmenter, the
///   abbreviated ranks and titles (พล.อ., พล.ต.อ., ดร., ผศ.ดร., น.ส., ...). Either way the second
///   word must not be a verb or a role (`นายวัลลภ กล่าวต่อว่า` is no name).
/// - Organisations: a word starting with กระทรวง, กรม, สำนักงาน, สำนัก, องค์การ or บริษัท, and
///   the words the segmenter finds glued after it, up to a function word or a space; the
///   ministries by their full names (one, กระทรวงการอุดมศึกษา วิทยาศาสตร์ วิจัยและนวัตกรรม,
///   has spaces); a company up to จำกัด (มหาชน).
/// - Places: provinces and countries (`Gazetteer`) as whole segmenter words; names that are
///   also everyday words (เลย, แพร่, ตาก) only behind จังหวัด, จ. or ประเทศ; not inside a
///   person's name.
package enum NameExtractor {
    package static let maxPerKind = 50

    /// `tokens`: the analyser's words of the title and of each paragraph, when the caller has
    /// them already (the store's prepare does: segmenting twice was a tenth of an ingest).
    package static func extract(title: String, paragraphs: [String], people: [String], tokens: [[ThaiToken]]? = nil) -> [Entity] {
        var out = Collector()
        for name in people {
            let e = Entity.legacy(name)
            if e.kind == .person && !plausiblePerson(e.name) { continue }
            out.add(e)
        }
        let analyzer = ThaiAnalyzer.shared
        for (k, line) in ([title] + paragraphs).enumerated() where !line.isEmpty {
            let tokens = tokens.flatMap { k < $0.count ? $0[k] : nil } ?? analyzer.words(line)
            let utf8 = Array(line.utf8)
            var personSpans: [Range<Int>] = []
            titledPeople(tokens, utf8, &out, &personSpans)
            for e in out.entities where e.kind == .person {
                // The ingester's names, located in this line, so no place is taken from them.
                let b = Array(e.name.utf8)
                var i = 0
                while let r = find(b, in: utf8, from: i) { personSpans.append(r); i = r.upperBound }
            }
            organisations(tokens, utf8, &out)
            places(tokens, utf8, personSpans, &out)
        }
        return out.entities
    }

    package static func key(_ e: Entity) -> String { EntityFilter.key(e) }

    static var titles: [String] { Entity.titles }
    static func strippingTitle(_ name: String) -> String { Entity.strippingTitle(name) }
    static func normalised(_ s: String) -> String { EntityFilter.normalised(s) }

    /// Words that follow a given name where a family name would: verbs and roles. A "name"
    /// whose second word starts with one is the given name followed by the sentence.
    static let notFamilyNames: [String] = [
        "กล่าว", "ได้", "จะ", "เป็น", "ให้", "มี", "ไป", "มา", "เดินทาง", "ร่วม", "เข้า", "ตรวจ", "พร้อม",
        "และ", "ซึ่ง", "ที่", "โดย", "เพื่อ", "ประธาน", "รัฐมนตรี", "รอง", "ผู้", "นายก", "อธิบดี",
        "เลขาธิการ", "ปลัด", "โฆษก", "ผู้ว่าราชการ", "ระบุ", "เปิดเผย", "เน้นย้ำ", "แถลง", "ชี้แจง", "ยัง",
        "ก็", "ได้รับ", "เห็น", "มอบ", "สั่ง", "ขอ", "เผย", "พูด", "ตอบ", "ลง", "หารือ", "นำ", "ทำ", "ใน",
        "กับ", "จาก", "ของ", "ว่า", "ถึง", "แจ้ง", "เชิญ", "อดีต", "ส.ส.", "สมาชิก", "ประจำ", "หัวหน้า",
        // A suspect named by the given name only: นายวศิษฎ์ อายุ 31 ปี, นายตงเจี้ยน สัญชาติ จีน.
        "อายุ", "สัญชาติ", "ชาว", "เพศ",
    ]

    static let notFamilyNameSet = Set(notFamilyNames)

    /// A given name, a space, a family name that is not the start of the sentence: a family
    /// name that begins like a verb or a role of `notFamilyNames` (กล่าวว่า, พร้อมด้วย) counts
    /// only when the names corpus knows it (พร้อมพันธุ์).
    static func plausiblePerson(_ name: String) -> Bool {
        var rest = strippingTitle(name)
        return rest.withUTF8 { u -> Bool in
            // Spaces as Characters: one carrying a combining mark is not one.
            func isSpace(_ i: Int) -> Bool { u[i] == 0x20 && Entity.characterBoundary(u, i + 1) }
            guard let space = u.indices.first(where: isSpace) else { return false }
            // นายกฤษณะฯ: ฯ shortens a name given before; what follows is the sentence.
            if find(paiyannoi, in: UnsafeBufferPointer(rebasing: u[..<space])) { return false }
            var f = space + 1
            while f < u.count && isSpace(f) { f += 1 }
            guard f < u.count else { return false }
            let family = UnsafeBufferPointer(rebasing: u[f...])
            if familyNames.contains(Array(family)) { return true }
            // A title where the family name should be: the first "name" was a title's tail
            // (ศาสตราจารย์เกียรติคุณ นายแพทย์...).
            if Entity.titleBytes.contains(where: { startsWithWord(family, $0) }) { return false }
            if notFamilyNameBytes.contains(where: { startsWithWord(family, $0) }) { return false }
            // A function word of the sentence (นายจำนงค์ จึงได้รวบรวม), as the segmenter cuts it.
            if let first = ThaiAnalyzer.shared.words(String(decoding: family, as: UTF8.self)).first, stops.contains(bytes(first)) { return false }
            return true
        }
    }

    /// The names corpus's family names as UTF-8 (a Set of Thai Strings checks normalisation
    /// scalar by scalar on every lookup).
    static let familyNames: Set<[UInt8]> = Set(PersonNames.shared.familyNames.map { Array($0.utf8) })
    static let notFamilyNameBytes: [[UInt8]] = notFamilyNames.map { Array($0.utf8) }
    static let paiyannoi = Array("ฯ".utf8)

    /// `u` starts with `p` and a character ends there (what `String.hasPrefix` decides).
    static func startsWithWord(_ u: UnsafeBufferPointer<UInt8>, _ p: [UInt8]) -> Bool {
        Entity.startsWith(u, 0, p) && Entity.characterBoundary(u, p.count)
    }

    static func find(_ needle: [UInt8], in hay: UnsafeBufferPointer<UInt8>) -> Bool {
        guard hay.count >= needle.count else { return false }
        for i in 0...(hay.count - needle.count) where Entity.startsWith(hay, i, needle) { return true }
        return false
    }

    // MARK: - People behind a title

    /// Words that start with a title (นาย, นาง) and are roles, not a name after the title.
    static let roles: [[UInt8]] = [
        "นายกรัฐมนตรี", "นายกฯ", "นายกเทศมนตรี", "นายกสมาคม", "นายกองค์การ", "นายกสภา", "นายกอบ", "นายก ",
        "นายทหาร", "นายอำเภอ", "นายจ้าง", "นายหน้า", "นายทะเบียน", "นายตำรวจ", "นายด่าน", "นายช่าง",
        "นายสิบ", "นายเรือ", "นายร้อย", "นายพล", "นายประกัน", "นายทุน", "นายแพทย์สาธารณสุข",
        "นางงาม", "นางพยาบาล", "นางแบบ", "นางฟ้า", "นางรำ", "นางใน", "พระบาท", "พระราช", "พระบรม", "พระองค์",
        "คุณภาพ", "คุณค่า", "คุณธรรม", "คุณสมบัติ", "คุณประโยชน์", "คุณูปการ", "คุณวุฒิ",
    ].map { Array($0.utf8) }

    /// Every title the segmenter marks (นาย, นางสาว, น.ส., ดร., พล.อ., พลเอก, นายแพทย์, ...),
    /// stacked titles included, glued to the word before or not (มีนายยรรยง ...): the given
    /// name glued after it, one or two spaces, and the family name up to a space or punctuation.
    static func titledPeople(_ t: [ThaiToken], _ line: [UInt8], _ out: inout Collector, _ spans: inout [Range<Int>]) {
        var i = 0
        while i < t.count {
            guard t[i].kind == .honorific, line[t[i].utf8Range.lowerBound] >= 0x80, !clergy.contains(bytes(t[i])) else { i += 1; continue }
            let start = t[i].utf8Range.lowerBound
            if roles.contains(where: { hasPrefix(line, start, $0) }) { i += 1; continue }
            var j = i + 1
            // Stacked titles (ผศ. ดร., ศาสตราจารย์เกียรติคุณ นายแพทย์), at most one space between.
            while j < t.count, t[j].kind == .honorific, gap(line, t[j - 1], t[j]) <= 1 { j += 1 }
            guard j < t.count, gap(line, t[j - 1], t[j]) <= 1, isThai(t[j]) else { i = j; continue }
            var g = j + 1
            while g < t.count, gap(line, t[g - 1], t[g]) == 0, isThai(t[g]) { g += 1 }
            guard g < t.count, isThai(t[g]), spaces(line, t[g - 1].utf8Range.upperBound, t[g].utf8Range.lowerBound) else { i = g; continue }
            // The sentence may go on glued to the family name (วิชัยกุลให้การต้อนรับ): a
            // function word ends it.
            var f = g + 1
            // An abbreviation glued on is a position (ผลพฤกษาผบก.สอท.4), not the family name; a
            // full stop after it (มาวงษ์.) ends the name and is not part of it.
            var fullStop = false
            while f < t.count, gap(line, t[f - 1], t[f]) == 0, isThai(t[f]), !stops.contains(bytes(t[f])) {
                if let dot = t[f].text.firstIndex(of: ".") {
                    if t[f].text.index(after: dot) == t[f].text.endIndex && t[f].text.count > 1 { fullStop = true; f += 1 }
                    break
                }
                f += 1
            }
            var end = t[f - 1].utf8Range.upperBound
            if fullStop && end > 0 && line[end - 1] == 0x2E { end -= 1 }
            let given = t[j].utf8Range.lowerBound..<t[g - 1].utf8Range.upperBound
            let family = t[g].utf8Range.lowerBound..<end
            guard given.count >= 6, given.count <= 45, family.count >= 6, family.count <= 60 else { i = g; continue }
            let name = String(decoding: line[start..<end], as: UTF8.self).split(separator: " ").joined(separator: " ")
            guard plausiblePerson(name) else { i = g; continue }
            out.add(Entity(kind: .person, name: name))
            spans.append(start..<end)
            i = f
        }
    }

    /// Titles of monks and of the sacred (พระปฐมเจดีย์): no given-and-family name follows.
    static let clergy: Set<[UInt8]> = byteSet(["พระ", "พระครู", "พระมหา"])

    /// One or two spaces and nothing else between `a` and `b`.
    static func spaces(_ line: [UInt8], _ a: Int, _ b: Int) -> Bool {
        b - a >= 1 && b - a <= 2 && line[a..<b].allSatisfy { $0 == 0x20 }
    }

    // MARK: - Organisations

    static let prefixBytes: [[UInt8]] = Entity.organisationPrefixes.map { Array($0.utf8) }
    static let companyBytes = Array("บริษัท".utf8)
    /// Names taken whole where they are written, with nothing glued after them: the ministries
    /// (the sentence goes on glued to them: กระทรวงพาณิชย์ให้ความสำคัญ...) and names with spaces
    /// or function words inside, which the generic rule would cut.
    static let knownNames: [String] = [
        "กระทรวงการอุดมศึกษา วิทยาศาสตร์ วิจัยและนวัตกรรม", "กระทรวงการพัฒนาสังคมและความมั่นคงของมนุษย์",
        "กระทรวงทรัพยากรธรรมชาติและสิ่งแวดล้อม", "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม",
        "กระทรวงการท่องเที่ยวและกีฬา", "กระทรวงเกษตรและสหกรณ์", "สำนักนายกรัฐมนตรี",
        "กระทรวงกลาโหม", "กระทรวงการคลัง", "กระทรวงการต่างประเทศ", "กระทรวงคมนาคม", "กระทรวงพลังงาน",
        "กระทรวงพาณิชย์", "กระทรวงมหาดไทย", "กระทรวงยุติธรรม", "กระทรวงแรงงาน", "กระทรวงวัฒนธรรม",
        "กระทรวงศึกษาธิการ", "กระทรวงสาธารณสุข", "กระทรวงอุตสาหกรรม",
        "สำนักงานคณะกรรมการพัฒนาการเศรษฐกิจและสังคมแห่งชาติ", "สำนักงานตำรวจแห่งชาติ",
    ].sorted { $0.utf8.count > $1.utf8.count }
    static let knownBytes: [(name: String, bytes: [UInt8])] = knownNames.map { ($0, Array($0.utf8)) }
    /// Words that end an organisation's name when glued after it (Thai writes a sentence
    /// without spaces: กรมควบคุมโรคได้จัด...).
    static let stops: Set<[UInt8]> = byteSet([
        "ได้", "จะ", "ที่", "ซึ่ง", "โดย", "ให้", "เพื่อ", "ใน", "กับ", "จาก", "ของ", "ว่า", "เป็น", "มี", "ร่วม",
        "ร่วมกับ", "จัด", "เปิด", "ลง", "หรือ", "ต่าง", "ต่างๆ", "ทุก", "นี้", "นั้น", "ดังกล่าว", "แต่",
        "กล่าว", "พร้อม", "ไป", "มา", "เข้า", "ได้รับ", "คือ", "ทั้ง", "อีก", "ยัง", "เร่ง", "ขอ", "แล้ว",
        "เมื่อ", "ตาม", "ถึง", "แก่", "ต่อ", "ไว้", "นำ", "ทำ", "รวม", "หลาย", "อยู่", "ก็", "จึง", "เพราะ",
        "ประกาศ", "แจ้ง", "รายงาน", "เตรียม", "ดำเนินการ", "ติดตาม", "เดินหน้า",
        "เสนอ", "ผลักดัน", "มอบหมาย", "เร่งรัด", "เชิญ", "หน่วยงาน", "เช่น", "ฯลฯ",
    ])
    /// Words a name does not end with (kept only inside it).
    static let connectors: Set<[UInt8]> = byteSet(["และ", "แห่ง", "การ"])

    static func organisations(_ t: [ThaiToken], _ line: [UInt8], _ out: inout Collector) {
        var i = 0
        while i < t.count {
            let start = t[i].utf8Range.lowerBound
            // Every organisation's name starts with one of the prefixes' first letters (ก ส อ บ).
            guard start + 2 < line.count, line[start] == 0xE0, line[start + 1] == 0xB8,
                  [0x81, 0xAA, 0xAD, 0x9A].contains(line[start + 2]) else { i += 1; continue }
            if let known = knownBytes.first(where: { hasPrefix(line, start, $0.bytes) }) {
                out.add(Entity(kind: .organisation, name: known.name))
                let end = start + known.bytes.count
                while i < t.count && t[i].utf8Range.lowerBound < end { i += 1 }
                continue
            }
            guard let prefix = prefixBytes.first(where: { hasPrefix(line, start, $0) }),
                  !notOrganisationBytes.contains(where: { hasPrefix(line, start, $0) }) else { i += 1; continue }
            if prefix == companyBytes, let (name, next) = company(t, line, i) {
                out.add(Entity(kind: .organisation, name: name))
                i = next
                continue
            }
            var j = i + 1
            while j < t.count, j - i < 12, gap(line, t[j - 1], t[j]) == 0, isThai(t[j]) || t[j].kind == .number,
                  !stops.contains(bytes(t[j])), !startsOrganisation(line, t[j]) {
                // และ glued inside a name (กรมป้องกันและบรรเทาสาธารณภัย) unless another
                // organisation follows it (กรมปศุสัตว์และกรมการค้าภายใน).
                if bytes(t[j]) == andBytes && (j + 1 >= t.count || gap(line, t[j], t[j + 1]) != 0 || startsOrganisation(line, t[j + 1])
                                          || stops.contains(bytes(t[j + 1]))) { break }
                j += 1
            }
            while j - 1 > i, connectors.contains(bytes(t[j - 1])) { j -= 1 }
            let end = t[j - 1].utf8Range.upperBound
            // The bare word (กรม, กระทรวง ...) with nothing after it names no organisation.
            if end - start > prefix.count + 3 {
                out.add(Entity(kind: .organisation, name: String(decoding: line[start..<end], as: UTF8.self)))
            }
            i = j
        }
    }

    /// บริษัท [space] NAME ... จำกัด [(มหาชน)]: up to 10 words; nil when no จำกัด follows.
    /// Words that start like an organisation and are not one.
    static let notOrganisations = ["กรมธรรม์", "องค์การมหาชน", "บริษัทจำกัด", "บริษัทมหาชน", "บริษัทเอกชน", "บริษัทประกัน", "บริษัทฯ", "กรมสมเด็จ", "กรมหลวง", "กรมพระ", "กรมขุน", "สำนักงานใหญ่", "สำนักงานสาขา"]

    static let notOrganisationBytes: [[UInt8]] = notOrganisations.map { Array($0.utf8) }

    static func company(_ t: [ThaiToken], _ line: [UInt8], _ i: Int) -> (String, Int)? {
        let start = t[i].utf8Range.lowerBound
        var j = i + 1
        while j < t.count, j - i <= 10, gap(line, t[j - 1], t[j]) <= 1, !hasPrefix(bytes(t[j]), 0, companyBytes) {
            if bytes(t[j]) == limitedBytes {
                var end = t[j].utf8Range.upperBound
                var next = j + 1
                let mahachon = Array(" (มหาชน)".utf8)
                if hasPrefix(line, end, mahachon) {
                    end += mahachon.count
                    while next < t.count && t[next].utf8Range.lowerBound < end { next += 1 }
                } else if hasPrefix(line, end, Array("(มหาชน)".utf8)) {
                    end += "(มหาชน)".utf8.count
                    while next < t.count && t[next].utf8Range.lowerBound < end { next += 1 }
                }
                return (String(decoding: line[start..<end], as: UTF8.self), next)
            }
            j += 1
        }
        return nil
    }

    static func startsOrganisation(_ line: [UInt8], _ tok: ThaiToken) -> Bool {
        // กระทรวง inside a department's name (สำนักงานปลัดกระทรวง...) is part of it; a new
        // ministry or department glued on starts another name.
        for p in ministryOrDepartment where hasPrefix(bytes(tok), 0, p) { return true }
        return false
    }

    // MARK: - Places

    /// Normalised spelling (the segmenter's words joined, as UTF-8) → place, the first words of
    /// all of them, and the most words a name takes. Keys are bytes, not Strings: hashing a Thai
    /// String checks its normalisation scalar by scalar, which made the lookups here most of the
    /// extractor's time (and the extractor most of khaosan-queryd's ingest).
    static let places: (byKey: [[UInt8]: Gazetteer.Place], first: Set<[UInt8]>, ambiguous: Set<[UInt8]>, maxWords: Int) = {
        let g = Gazetteer.shared
        let analyzer = ThaiAnalyzer.shared
        var byKey: [[UInt8]: Gazetteer.Place] = [:]
        var first: Set<[UInt8]> = []
        var ambiguous: Set<[UInt8]> = []
        var maxWords = 1
        for (spelling, place) in g.byName {
            let words = analyzer.words(spelling)
            guard !words.isEmpty else { continue }
            let k = Array(words.map(\.text).joined().utf8)
            byKey[k] = place
            first.insert(bytes(words[0]))
            if g.needsMarker.contains(spelling) { ambiguous.insert(k) }
            maxWords = max(maxWords, words.count)
        }
        return (byKey, first, ambiguous, min(maxWords, 8))
    }()
    static let markers: Set<[UInt8]> = byteSet(["จังหวัด", "จ.", "ประเทศ"])
    /// Most words start no place: this filter turns them away before a word's bytes are copied
    /// and hashed for the exact lookup (that was most of `places`' time).
    static let placeFirstWords = WordFilter(places.first)

    static func places(_ t: [ThaiToken], _ line: [UInt8], _ personSpans: [Range<Int>], _ out: inout Collector) {
        let table = places
        var i = 0
        while i < t.count {
            guard isThai(t[i]), placeFirstWords.mayContain(t[i].text), table.first.contains(bytes(t[i])) else { i += 1; continue }
            var key: [UInt8] = []
            var best: (Gazetteer.Place, Int)?
            var j = i
            while j < t.count, j - i < table.maxWords, j == i || gap(line, t[j - 1], t[j]) == 0, isThai(t[j]) {
                key += bytes(t[j])
                if let p = table.byKey[key] {
                    if !table.ambiguous.contains(key) || (i > 0 && markers.contains(bytes(t[i - 1]))) { best = (p, j + 1) }
                }
                j += 1
            }
            if let (place, next) = best {
                let r = t[i].utf8Range.lowerBound..<t[next - 1].utf8Range.upperBound
                if !personSpans.contains(where: { $0.overlaps(r) }) { out.add(Entity(kind: .place, name: place.name)) }
                i = next
            } else {
                i += 1
            }
        }
    }

    // MARK: - Helpers

    struct Collector {
        var entities: [Entity] = []
        /// Kind and name as UTF-8, and people by their name's search scalars without title
        /// (`EntityFilter.key`: นายณัฐพล รังสิตพล and ดร.ณัฐพล รังสิตพล are one person), not as
        /// Strings: hashing Thai Strings checks their normalisation scalar by scalar.
        var seen: Set<[UInt8]> = []
        var people: Set<[UInt32]> = []
        var counts: [Int] = Array(repeating: 0, count: Entity.Kind.allCases.count)

        mutating func add(_ e: Entity) {
            guard counts[e.kind.code] < NameExtractor.maxPerKind, seen.insert([UInt8(e.kind.code)] + Array(e.name.utf8)).inserted else { return }
            if e.kind == .person, !people.insert(SearchText.scalars(Entity.strippingTitle(e.name)).filter { Unicode.Scalar($0) != nil }).inserted { return }
            counts[e.kind.code] += 1
            entities.append(e)
        }
    }

    static func isThai(_ t: ThaiToken) -> Bool { t.kind == .thaiWord || t.kind == .thaiUnknown }

    /// A token's text as UTF-8: what the word sets here are keyed by (see `places`).
    @inline(__always) static func bytes(_ t: ThaiToken) -> [UInt8] { Array(t.text.utf8) }
    static func byteSet(_ words: [String]) -> Set<[UInt8]> { Set(words.map { Array($0.utf8) }) }
    static let andBytes = Array("และ".utf8)
    static let limitedBytes = Array("จำกัด".utf8)
    static let ministryOrDepartment = [Array("กระทรวง".utf8), Array("กรม".utf8)]

    /// Bytes between two tokens in the original line (0: glued, 1: one space or mark).
    static func gap(_ line: [UInt8], _ a: ThaiToken, _ b: ThaiToken) -> Int { b.utf8Range.lowerBound - a.utf8Range.upperBound }

    static func hasPrefix(_ b: [UInt8], _ at: Int, _ p: [UInt8]) -> Bool {
        guard at + p.count <= b.count else { return false }
        for k in 0..<p.count where b[at + k] != p[k] { return false }
        return true
    }

    /// The words of each paragraph, cut from the words of the body they were joined into (by
    /// newlines, which no word crosses); nil if one does.
    static func paragraphTokens(_ body: [ThaiToken], paragraphs: [String]) -> [[ThaiToken]]? {
        var out: [[ThaiToken]] = []
        out.reserveCapacity(paragraphs.count)
        var start = 0
        var t = 0
        for p in paragraphs {
            let end = start + p.utf8.count
            var words: [ThaiToken] = []
            while t < body.count, body[t].utf8Range.lowerBound < end {
                var w = body[t]
                guard w.utf8Range.lowerBound >= start, w.utf8Range.upperBound <= end else { return nil }
                w.utf8Range = (w.utf8Range.lowerBound - start)..<(w.utf8Range.upperBound - start)
                words.append(w)
                t += 1
            }
            out.append(words)
            start = end + 1
        }
        return t == body.count ? out : nil
    }

    static func find(_ needle: [UInt8], in hay: [UInt8], from: Int) -> Range<Int>? {
        guard !needle.isEmpty, from >= 0, hay.count - from >= needle.count else { return nil }
        // This runs for every person of a release over every paragraph: memchr for the needle's
        // last byte (a Thai letter's distinct byte, where the first is E0 for all), then memcmp.
        let n = needle.count
        return hay.withUnsafeBytes { h in
            needle.withUnsafeBytes { nd in
                let base = h.baseAddress!, last = nd[n - 1]
                var at = from + n - 1
                while at < h.count {
                    guard let p = memchr(base + at, Int32(last), h.count - at) else { return nil }
                    let end = base.distance(to: UnsafeRawPointer(p))
                    if memcmp(base + end - (n - 1), nd.baseAddress!, n) == 0 { return (end - n + 1)..<(end + 1) }
                    at = end + 1
                }
                return nil
            }
        }
    }
}
