/// A deliberately simple name finder: a Thai honorific or rank, then a given name and a family
/// name (`นายประเสริฐ จันทรรวงทอง`, `พลตำรวจเอก เพิ่มพูน ชิดชอบ`, `นางสาวบุณยวีร์ ไขว้พันธุ์`).
/// It prefers missing a name to inventing one: both names must be Thai words, and words that
/// merely start like an honorific (นายกรัฐมนตรี, นายอำเภอ, นางพยาบาล, ...) are skipped.
package enum EntityExtractor {
    package static let maxEntities = 50

    /// Honorifics written attached to the given name (`นายประเสริฐ`), longest first.
    static let attached: [[UInt8]] = ["นางสาว", "นาย", "นาง"].map { Array($0.utf8) }
    /// Ranks and titles written before the given name, with or without a space.
    static let ranks: [[UInt8]] = [
        "พลตำรวจเอก", "พลตำรวจโท", "พลตำรวจตรี", "พลอากาศเอก", "พลเรือเอก", "พลเอก", "พลโท", "พลตรี",
        "พันตำรวจเอก", "พันเอก", "ร้อยเอก", "ร้อยตำรวจเอก", "ศาสตราจารย์", "รองศาสตราจารย์", "ดร.",
    ].map { Array($0.utf8) }
    /// Words that begin with นาย/นาง but are roles, not names.
    static let notNames: [[UInt8]] = [
        "นายกรัฐมนตรี", "นายกฯ", "นายกเทศมนตรี", "นายกสมาคม", "นายกองค์การ", "นายกสภา", "นายกอบ",
        "นายทหาร", "นายอำเภอ", "นายจ้าง", "นายหน้า", "นายทะเบียน", "นายตำรวจ", "นายด่าน", "นายช่าง",
        "นายสิบ", "นายเรือ", "นายร้อย", "นายพล", "นายประกัน", "นายทุน", "นายแพทย์", "นายสัตวแพทย์",
        "นางงาม", "นางพยาบาล", "นางแบบ", "นางฟ้า", "นางรำ", "นางใน",
    ].map { Array($0.utf8) }

    /// Names found in the given lines, in order of first appearance, without repeats.
    package static func extract(from lines: [String]) -> [String] {
        var found: [String] = []
        var seen: Set<[UInt8]> = []
        for line in lines {
            var l = line
            l.withUTF8 { buf in scan(buf, found: &found, seen: &seen) }
            if found.count >= maxEntities { break }
        }
        return found
    }

    static func scan(_ b: UnsafeBufferPointer<UInt8>, found: inout [String], seen: inout Set<[UInt8]>) {
        let n = b.count
        guard let base = b.baseAddress, n > 0 else { return }
        // Names start a word: at the line start or after a space, possibly behind ( or ".
        // Thai puts few spaces in a line, so spaces are found 8 bytes at a time.
        var next = 0  // where the scan for a space resumes
        var candidate = 0
        while found.count < maxEntities {
            var c = candidate
            if c < n && (base[c] == 0x28 || base[c] == 0x22) { c += 1 }
            if c < n && base[c] == 0xE0, let (end, _) = match(b, at: c) {
                let bytes = Array(b[c..<end])
                if seen.insert(bytes).inserted { found.append(String(decoding: bytes, as: UTF8.self)) }
                next = max(next, end)
            }
            // Next space at or after `next`.
            var i = next
            while i + 8 <= n {
                let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self) ^ 0x2020_2020_2020_2020
                if (w &- 0x0101_0101_0101_0101) & ~w & 0x8080_8080_8080_8080 != 0 { break }
                i += 8
            }
            while i < n && base[i] != 0x20 { i += 1 }
            if i >= n { return }
            candidate = i + 1
            next = i + 1
        }
    }

    @inline(__always)
    static func hasPrefix(_ b: UnsafeBufferPointer<UInt8>, _ at: Int, _ p: [UInt8]) -> Bool {
        guard at + p.count <= b.count else { return false }
        for k in 0..<p.count where b[at + k] != p[k] { return false }
        return true
    }

    /// Length in bytes of the run of Thai letters (no digits, no ฯ/ๆ) starting at `at`.
    static func thaiWord(_ b: UnsafeBufferPointer<UInt8>, _ at: Int) -> Int {
        var p = at
        while p + 2 < b.count, b[p] == 0xE0, b[p + 1] == 0xB8 || b[p + 1] == 0xB9 {
            let v = 0x0E00 + (b[p + 1] == 0xB9 ? 0x40 : 0) + UInt32(b[p + 2] & 0x3F)
            if v == 0x0E2F || v == 0x0E46 || v >= 0x0E4F { break }
            p += 3
        }
        return p - at
    }

    /// (end of the name, where to continue) for a name starting at `i`, or nil.
    static func match(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> (Int, Int)? {
        // Every honorific above starts with ด น พ ร or ศ: a cheap filter before the list scans.
        guard i + 2 < b.count, b[i + 1] == 0xB8 else { return nil }
        switch b[i + 2] {
        case 0x94, 0x99, 0x9E, 0xA3, 0xA8: break
        default: return nil
        }
        var givenStart: Int?
        for r in ranks where hasPrefix(b, i, r) {
            var p = i + r.count
            if p < b.count && b[p] == 0x20 { p += 1 }
            givenStart = p
            break
        }
        if givenStart == nil {
            for h in attached where hasPrefix(b, i, h) {
                for x in notNames where hasPrefix(b, i, x) { return nil }
                givenStart = i + h.count
                break
            }
        }
        guard let g = givenStart else { return nil }
        let given = thaiWord(b, g)
        // A given name of 2-15 Thai letters, one space, a family name of 2-15: Thai does not put
        // spaces between words, so a longer run is a name glued to the next words.
        guard given >= 6, given <= 45, g + given < b.count, b[g + given] == 0x20 else { return nil }
        let f = g + given + 1
        let family = thaiWord(b, f)
        guard family >= 6, family <= 45 else { return nil }
        let end = f + family
        // The family name must end the word: a following letter of another script means we cut
        // something that is not a name.
        if end < b.count {
            let c = b[end]
            if (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A { return nil }
        }
        if isPredicate(String(decoding: UnsafeBufferPointer(rebasing: b[f..<end]), as: UTF8.self)) { return nil }
        return (end, end)
    }

    /// Words that open a clause and begin no Thai family name: conjunctions, prepositions and the
    /// verbs press releases put after a name (none begins any of the 9,836 family names of the
    /// Thai Male and Female Names Corpus, checked 2026-12-01).
    static let clauseOpeners: [String] = [
        "และ", "หรือ", "ซึ่ง", "ที่", "ใน", "จาก", "ว่า", "เพื่อ", "โดย", "กับ", "ไป", "ก็", "ความ", "ได้", "ให้",
        "กล่าว", "เปิดเผย", "ชี้แจง", "ระบุ", "เน้นย้ำ", "ย้ำ", "สั่งการ", "แถลงว่า", "แถลงข่าว", "ยืนยัน",
        "รายงาน", "เดินทาง", "ตรวจเยี่ยม", "เป็นประธาน", "ให้สัมภาษณ์", "ได้รับ", "มอบหมายให้", "เข้าร่วม",
    ]

    /// Whether the words after a given name are the sentence going on rather than a family name
    /// (`นายวัลลภ กล่าวต่อว่า`): they open with a clause word, end in ว่า (reported speech: no
    /// family name ends so), or are made of function words and common verbs only
    /// (`ThaiStopWords`, split at any point: กล่าว+อีก+ว่า). The last costs a few real names
    /// made of such words (60 of the 9,836, 0.6%, e.g. มานะ): missing a name is preferred to
    /// inventing one. Compared by Unicode scalars, as Thai marks are scalars of their own.
    package static func isPredicate(_ family: String) -> Bool {
        if clauseOpeners.contains(where: { family.unicodeScalars.starts(with: $0.unicodeScalars) }) { return true }
        if family.unicodeScalars.count > 3 && family.hasSuffix("ว่า") { return true }
        return splitsIntoStopWords(Array(family.unicodeScalars))
    }

    /// True when `s` is a concatenation of `ThaiStopWords` (a reachability pass over scalar
    /// offsets; a family name is at most 15 letters).
    static func splitsIntoStopWords(_ s: [Unicode.Scalar]) -> Bool {
        guard !s.isEmpty else { return false }
        var reachable = [Bool](repeating: false, count: s.count + 1)
        reachable[0] = true
        for i in 0..<s.count where reachable[i] {
            for j in (i + 1)...s.count where !reachable[j] {
                var word = String.UnicodeScalarView()
                word.append(contentsOf: s[i..<j])
                if ThaiStopWords.words.contains(String(word)) { reachable[j] = true }
            }
        }
        return reachable[s.count]
    }
}
