import Synchronization

/// The categories seen in the 2020-2024 thaigov corpus (taken from its file names), each with a
/// stable English slug. Several spellings may share a slug (`สรุปข่าวการประชุม ครม` and
/// `สรุปข่าวการประชุม ครม.`, `ข่าวรอง นรม  รมตนร` and `ข่าวรองนายกรัฐมนตรี  รัฐมนตรีประจำ...`,
/// `other` and `อื่นๆ`); a release is always stored under the slug's canonical name, so one slug
/// is one category everywhere (stats, facets, filters). A name not listed here is kept
/// (normalised) and gets a slug derived from it (`derivedSlug`), so every category has one.
package enum CategoryCatalog {
    /// (name as found, slug). The first entry for a slug is its canonical name.
    private static let table: [(String, String)] = [
        ("ด้านเศรษฐกิจ", "economy"),
        ("ด้านความมั่นคง", "security"),
        ("ด้านสังคม", "society"),
        ("ด้านกฎหมายฯ", "law"),
        ("ด้านการศึกษาฯ", "education"),
        ("ด้านวัฒนธรรมท่องเที่ยวฯ", "culture-tourism"),
        ("ข่าวนายกรัฐมนตรี", "prime-minister"),
        ("ข่าวคณะโฆษก", "spokesperson"),
        ("ข่าวทำเนียบรัฐบาล", "government-house"),
        ("ข่าวรองนายกรัฐมนตรี  รัฐมนตรีประจำสำนักนายกรัฐมนตรี", "deputy-pm"),
        ("ข่าวรอง นรม  รมตนร", "deputy-pm"),
        ("สรุปข่าวการประชุม ครม", "cabinet-summary"),
        ("สรุปข่าวการประชุม ครม.", "cabinet-summary"),
        ("คำกล่าวสุนทรพจน์", "speeches"),
        ("ชี้แจงประเด็นสำคัญ", "clarifications"),
        ("ทัน LINE ไทยคู่ฟ้า", "thaikoofah-line"),
        ("รายการวิทยุไทยคู่ฟ้า", "thaikoofah-radio"),
        ("ไฮไลต์ ไทยคู่ฟ้า", "thaikoofah-highlights"),
        ("Government News", "government-news"),
        ("Cabinet Meeting Synopsis", "cabinet-meeting-synopsis"),
        ("Statements", "statements"),
        ("Mr Srettha Thavisin, the 30th Prime Minister of Thailand", "pm-srettha-en"),
        ("ภารกิจ นายเศรษฐา ทวีสิน  นายกรัฐมนตรี", "pm-srettha-missions"),
        ("สารจากนายกรัฐมนตรี", "pm-message"),
        ("อื่นๆ", "other"),
        ("other", "other"),
        ("กระทู้จากสภา มาทำเนียบ", "parliament-questions"),
        ("สรุปคำตอบกระทู้ถาม", "parliament-answers"),
        ("ถามให้ชัด รัฐจะเคลียร์", "ask-clearly"),
        ("รัฐบาลมีคำตอบ", "government-answers"),
        ("การแถลงผลงานรัฐบาลประจำสัปดาห์", "weekly-report"),
        ("ข่าวทันสถานการณ์โควิด-19", "covid-19-updates"),
        ("เรียนรู้สู้โควิด-19", "covid-19-learning"),
        ("ข่าวสถานการณ์", "situation"),
        ("ข่าวสถานการณ์ฉุกเฉิน", "emergency"),
        ("มาตรการเยียวยาฯ", "relief-measures"),
        ("นวัตกรรมสร้างชาติ", "innovation"),
        // Government policy pages (2023-2024).
        ("การพัฒนาโครงสร้างพื้นฐาน", "infrastructure"),
        ("ปฏิรูปการศึกษาและสร้างสังคมแห่งการเรียนรู้ตลอดชีวิต", "education-reform"),
        ("ลดภาระค่าใช้จ่ายประชาชนด้านพลังงานและระบบสาธารณูปโภค", "energy-costs"),
        ("ภาคการค้าการลงทุน", "trade-investment"),
        ("ภาคการท่องเที่ยว", "tourism"),
        ("การผลักดัน Soft Power", "soft-power"),
        ("Soft Power", "soft-power"),
        ("การดูแลสิ่งแวดล้อม", "environment"),
        ("การปราบปรามยาเสพติด", "drug-suppression"),
        ("บทบาทประเทศไทยบนเวทีโลก", "global-role"),
        ("ความสัมพันธ์และความร่วมมือระหว่างประเทศ(ทวิภาคี)", "bilateral-relations"),
        ("ความสัมพันธ์และความร่วมมือระหว่างประเทศ(พหุภาคี)", "multilateral-relations"),
        ("การประคองภาระหนี้สินและต้นทุนทางการเงินภาคธุรกิจ SMEs", "sme-debt"),
        ("การแก้ไขปัญหาหนี้สินภาคการเกษตร", "farm-debt"),
        ("การแก้ไขปัญหาหนี้สินภาคประชาชน", "household-debt"),
        ("แก้ปัญหาหนี้สิน", "debt-relief"),
        ("พักหนี้เกษตรกร", "farmer-debt-moratorium"),
        ("รัฐบาลดิจิทัล", "digital-government"),
        ("นโยบาย Digital Wallet", "digital-wallet"),
        ("ยกระดับคุณภาพชีวิต", "quality-of-life"),
        ("สร้างคุณภาพชีวิต", "better-living"),
        ("สร้างรายได้จากผืนดินและส่งเสริมสิ่งแวดล้อม", "land-income"),
        ("สิทธิที่ทำกิน", "land-rights"),
        ("การพัฒนากองทัพ", "military-development"),
        ("แก้ไขปัญหาความเห็นต่างรัฐธรรมนูญ พศ 2560", "constitution"),
    ]

    /// Matching key: normalised, inner spaces collapsed, a final dot dropped, ASCII lowercased,
    /// so `ข่าวรอง นรม รมตนร` and `government news` still find their category.
    private static func key(_ s: String) -> String {
        var k = TextNormalizer.normalizeLine(s).lowercased()
        while k.hasSuffix(".") { k.removeLast() }
        return k
    }

    private static let byKey: [String: String] = {
        var d: [String: String] = [:]
        for (name, slug) in table where d[key(name)] == nil { d[key(name)] = slug }
        return d
    }()

    private static let byExactName: [String: String] = {
        var d: [String: String] = [:]
        for (name, slug) in table where d[name] == nil { d[name] = slug }
        return d
    }()

    private static let canonicalBySlug: [String: String] = {
        var d: [String: String] = [:]
        for (name, slug) in table where d[slug] == nil { d[slug] = name }
        return d
    }()

    /// Every known (name, slug) pair, in catalogue order; a slug may appear under several names.
    package static var known: [Category] { table.map { Category(name: $0.0, slug: $0.1) } }

    /// The category for a name as found: a known spelling gives its slug's canonical name; an
    /// unknown name is kept, normalised (`TextNormalizer.normalizeLine`: NFC, zero-width
    /// characters dropped, runs of spaces as one), with a slug derived from it; a derived slug
    /// that is a known slug (a name typed as `Government-News`) is that category. Only the
    /// empty name (no category in the file name) has no slug.
    package static func category(named name: String) -> Category {
        if let known = memo.withLock({ $0.categories[name] }) { return known }
        let c = uncachedCategory(named: name)
        memo.withLock { m in
            if m.categories.count >= memoLimit { m.categories.removeAll(keepingCapacity: true) }
            m.categories[name] = c
        }
        return c
    }

    /// Names seen, normalised: a search with `--category` normalises every name the index's
    /// segments hold, and the parser the same few dozen names over and over (each costs a
    /// normalisation pass and a few allocations, about 10 µs in a debug build). Bounded, as
    /// names come from input.
    private struct Memo {
        var categories: [String: Category] = [:]
        var keys: [String: String] = [:]
    }
    private static let memo = Mutex(Memo())
    private static let memoLimit = 4096

    private static func uncachedCategory(named name: String) -> Category {
        let trimmed = trimmedName(name)
        if trimmed.isEmpty { return Category(name: "", slug: nil) }
        if let slug = byExactName[trimmed] ?? byKey[key(trimmed)], let canonical = canonicalBySlug[slug] {
            return Category(name: canonical, slug: slug)
        }
        let normalised = trimmedName(TextNormalizer.normalizeLine(trimmed))
        guard let slug = derivedSlug(normalised) else { return Category(name: normalised, slug: nil) }
        if let canonical = canonicalBySlug[slug] { return Category(name: canonical, slug: slug) }
        return Category(name: normalised, slug: slug)
    }

    /// The category as it is stored from now on, for one stored or indexed before names were
    /// normalised (a non-canonical spelling, or an unknown name with no slug): the same rule as
    /// a newly parsed release gets, so old rows and new ones agree.
    package static func normalised(_ c: Category) -> Category {
        category(named: c.name)
    }

    /// A slug for a name the catalogue does not list: lowercased, every run of characters that
    /// are not letters, digits or combining marks (spaces, punctuation, symbols) as one `-`, none
    /// at either end. Thai stays Thai (`ผู้เกษียณอายุราชการ ปี 2564` → `ผู้เกษียณอายุราชการ-ปี-2564`):
    /// a transliteration would be a guess, and a Thai slug can still be typed and copied. Nil
    /// when nothing is left.
    package static func derivedSlug(_ name: String) -> String? {
        var out = String.UnicodeScalarView()
        var pendingDash = false
        for u in TextNormalizer.normalizeLine(name).lowercased().unicodeScalars {
            let p = u.properties
            let keep = p.isAlphabetic || p.numericType != nil
                || p.generalCategory == .nonspacingMark || p.generalCategory == .spacingMark
            if keep {
                if pendingDash && !out.isEmpty { out.append("-") }
                pendingDash = false
                out.append(u)
            } else {
                pendingDash = true
            }
        }
        return out.isEmpty ? nil : String(out)
    }

    /// A known category by slug or by any of its names, with its canonical name; nil if
    /// neither matches.
    package static func resolve(_ nameOrSlug: String) -> Category? {
        let t = trimmedName(nameOrSlug)
        if let name = canonicalBySlug[t.lowercased()] { return Category(name: name, slug: t.lowercased()) }
        if let slug = byKey[key(t)], let name = canonicalBySlug[slug] { return Category(name: name, slug: slug) }
        return nil
    }

    /// The matching key of a name or slug as typed (what `resolve` compares): normalised, a
    /// final dot dropped, lowercased.
    package static func matchingKey(_ s: String) -> String {
        if let k = memo.withLock({ $0.keys[s] }) { return k }
        let k = key(trimmedName(s))
        memo.withLock { m in
            if m.keys.count >= memoLimit { m.keys.removeAll(keepingCapacity: true) }
            m.keys[s] = k
        }
        return k
    }

    /// Leading/trailing whitespace (spaces, tabs, NBSP) removed; the inside kept as found.
    package static func trimmedName(_ s: String) -> String {
        let scalars = s.unicodeScalars
        func isSpace(_ u: Unicode.Scalar) -> Bool { u.properties.isWhitespace || u.value == 0x200B || u.value == 0xFEFF }
        guard let first = scalars.firstIndex(where: { !isSpace($0) }),
              let last = scalars.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(scalars[first...last])
    }
}
