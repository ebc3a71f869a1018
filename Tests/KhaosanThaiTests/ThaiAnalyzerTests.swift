import Foundation
import KhaosanTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@testable import KhaosanThai

/// Real releases: the corpus fixtures bundled with KhaosanTestSupport (override with KHAOSAN_CORPUS_SAMPLE).
enum Corpus {
    static let sampleDir = ProcessInfo.processInfo.environment["KHAOSAN_CORPUS_SAMPLE"] ?? Fixtures.url("corpus").path

    /// Sample files in byte order of their paths, so the selection is stable.
    static func files(limit: Int) throws -> [(path: String, text: String)] {
        let root = URL(fileURLWithPath: sampleDir)
        guard let e = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: sampleDir])
        }
        var paths: [String] = []
        for case let url as URL in e where url.pathExtension == "txt" { paths.append(url.path) }
        paths.sort { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        guard !paths.isEmpty else { throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: sampleDir]) }
        // Spread the picks over the years and categories.
        let step = max(1, paths.count / limit)
        return try stride(from: 0, to: paths.count, by: step).prefix(limit).map { i in
            (paths[i], String(decoding: try Data(contentsOf: URL(fileURLWithPath: paths[i])), as: UTF8.self))
        }
    }
}

let analyzer = ThaiAnalyzer.shared

func normalized(_ s: String) -> String {
    var u = String.UnicodeScalarView()
    for c in NormalizedText(s).scalars { u.append(Unicode.Scalar(c)!) }
    return String(u)
}

func slice(_ s: String, _ r: Range<Int>) -> String? {
    let u = Array(s.utf8)
    guard r.lowerBound >= 0, r.upperBound <= u.count else { return nil }
    return String(validating: u[r], as: UTF8.self)
}

@Suite struct ClusterTests {
    // Expected cuts from PyThaiNLP 5.4.0 tcc_p (the rules newmm uses), an independent implementation,
    // except the last three: tcc_p leaves the thanthakhat alone (โป|ร|์), which these rules forbid.
    @Test(arguments: [
        ("เกาะ", "เกาะ"), ("เสีย", "เสีย"), ("เรือ", "เรือ"), ("กรรม", "ก|ร|ร|ม"), ("ไม่", "ไม่"),
        ("ที่", "ที่"), ("น้ำ", "น้ำ"), ("ก็", "ก็"), ("ศาสตร์", "ศา|สตร์"), ("จันทร์", "จันทร์"),
        ("เศรษฐา", "เศ|ร|ษ|ฐา"), ("ประยุทธ์", "ป|ระ|ยุทธ์"), ("เดือน", "เดือ|น"), ("แข็ง", "แข็ง"),
        ("โต๊ะ", "โต๊ะ"), ("ความ", "ค|วา|ม"), ("ตัว", "ตัว"), ("เปลี่ยน", "เปลี่ย|น"),
        ("สวัสดี", "ส|วัส|ดี"), ("นักเรียน", "นัก|เรีย|น"), ("เอ็นดู", "เอ็น|ดู"),
        ("ไตรสรณกุล", "ไต|ร|ส|ร|ณ|กุ|ล"), ("ผลิตภัณฑ์", "ผ|ลิ|ต|ภัณฑ์"), ("เกียรติ", "เกีย|ร|ติ"),
        ("กษัตริย์", "ก|ษัต|ริย์"), ("เรือนจำอำเภอแม่สอด", "เรือ|น|จำ|อำ|เภ|อ|แม่|ส|อ|ด"),
        ("โปร์", "โป|ร์"), ("ออนไลน์", "อ|อ|น|ไล|น์"), ("โชว์", "โช|ว์"),
    ])
    func tccRules(word: String, expected: String) {
        let cuts = analyzer.clusters(word).map { slice(word, $0)! }
        #expect(cuts.joined(separator: "|") == expected)
    }

    @Test func clustersTileTheTextAndNeverSplitAMarkFromItsBase() throws {
        for (path, text) in try Corpus.files(limit: 12) {
            let u = Array(text.utf8)
            let cl = analyzer.clusters(text)
            var pos = 0
            for r in cl {
                // Only dropped zero-width characters may lie between clusters.
                if r.lowerBound > pos, let gap = slice(text, pos..<r.lowerBound) {
                    #expect(normalized(gap).isEmpty, "\(path): gap \(pos)..<\(r.lowerBound)")
                }
                #expect(r.lowerBound >= pos && r.upperBound > r.lowerBound, "\(path): \(r)")
                pos = r.upperBound
                // A Thai non-spacing mark right after a consonant must be in the consonant's cluster.
                if r.lowerBound >= 3, let s = slice(text, r), let first = s.unicodeScalars.first,
                   ThaiChar.isMark(first.value) || first.value == 0x0E32 || first.value == 0x0E33 {
                    let prev = String(decoding: u[(r.lowerBound - 3)..<r.lowerBound], as: UTF8.self)
                    if let p = prev.unicodeScalars.first, prev.unicodeScalars.count == 1, ThaiChar.isMark(first.value) {
                        #expect(!ThaiChar.isConsonant(p.value), "\(path): mark split from its base at \(r)")
                    }
                }
            }
            #expect(pos <= u.count)
        }
    }
}

@Suite struct WordTests {
    func thaiWords(_ s: String) -> [String] { analyzer.words(s).map(\.text) }

    // Cabinet members as they appear in thaigov releases, in running text (no space after the name).
    @Test(arguments: [
        ("เศรษฐา", "ทวีสิน"), ("แพทองธาร", "ชินวัตร"), ("ประยุทธ์", "จันทร์โอชา"), ("อนุทิน", "ชาญวีรกูล"),
        ("ไตรสรณ์", "ไตรสรณกุล"), ("ไตรศุลี", "ไตรสรณกุล"), ("ประวิตร", "วงษ์สุวรรณ"), ("วิษณุ", "เครืองาม"),
        ("ดอน", "ปรมัตถ์วินัย"), ("จุรินทร์", "ลักษณวิศิษฏ์"), ("สมศักดิ์", "เทพสุทิน"), ("สุทิน", "คลังแสง"),
        ("ปานปรีย์", "พหิทธานุกร"), ("ภูมิธรรม", "เวชยชัย"), ("พีระพันธุ์", "สาลีรัฐวิภาค"), ("พิชัย", "ชุณหวชิร"),
        ("อิทธิพล", "คุณปลื้ม"), ("วราวุธ", "ศิลปอาชา"), ("จุลพันธ์", "อมรวิวัฒน์"), ("ประเสริฐ", "จันทรรวงทอง"),
    ])
    func cabinetNamesStayWhole(given: String, family: String) {
        for text in ["นายกรัฐมนตรีมอบหมายให้\(given) \(family)เป็นประธานการประชุม",
                     "ขณะที่\(given) \(family)รองนายกรัฐมนตรี", "\(given)กล่าวว่า"] {
            let w = thaiWords(text)
            #expect(w.contains(given), "\(text) -> \(w)")
            if text.contains(family) { #expect(w.contains(family), "\(text) -> \(w)") }
        }
    }

    @Test(arguments: [
        ("นายเศรษฐา ทวีสิน", ["นาย", "เศรษฐา", "ทวีสิน"]),
        ("นางสาวแพทองธาร ชินวัตร", ["นางสาว", "แพทองธาร", "ชินวัตร"]),
        ("น.ส.แพทองธาร ชินวัตร", ["น.ส.", "แพทองธาร", "ชินวัตร"]),
        ("พลเอกประยุทธ์ จันทร์โอชา", ["พลเอก", "ประยุทธ์", "จันทร์โอชา"]),
        ("พล.อ.ประวิตร วงษ์สุวรรณ", ["พล.อ.", "ประวิตร", "วงษ์สุวรรณ"]),
        ("พล.ต.อ.สมศักดิ์ เทพสุทิน", ["พล.ต.อ.", "สมศักดิ์", "เทพสุทิน"]),
        ("ดร.ไตรรงค์ สุวรรณคีรี", ["ดร.", "ไตรรงค์", "สุวรรณคีรี"]),
        ("ศาสตราจารย์วิษณุ เครืองาม", ["ศาสตราจารย์", "วิษณุ", "เครืองาม"]),
        ("Mr. Srettha Thavisin", ["mr", "srettha", "thavisin"]),
        ("Dr.Anutin Charnvirakul", ["dr", "anutin", "charnvirakul"]),
        ("Mrs. Paetongtarn", ["mrs", "paetongtarn"]),
    ])
    func honorificsAreSeparateTokens(text: String, expected: [String]) {
        let w = analyzer.words(text)
        #expect(w.map(\.text) == expected)
        #expect(w.first?.kind == .honorific, "\(w)")
        #expect(w.dropFirst().allSatisfy { $0.kind != .honorific }, "\(w)")
    }

    @Test func titleWordsInsideLongerWordsAreNotSplitOff() {
        #expect(thaiWords("นายกรัฐมนตรี").first != "นาย")
        #expect(!analyzer.words("นายกรัฐมนตรี").contains { $0.kind == .honorific })
    }

    @Test func unknownRunsFallBackToClustersNeverCodePoints() {
        // Nonsense made of real clusters: every cut must be a cluster boundary.
        let text = "เกียรติเบียร์ฟฟฟกขฃ"
        let bounds = Set(analyzer.clusters(text).flatMap { [$0.lowerBound, $0.upperBound] })
        for w in analyzer.words(text) {
            #expect(bounds.contains(w.utf8Range.lowerBound) && bounds.contains(w.utf8Range.upperBound), "\(w)")
        }
    }

    @Test func latinAndNumbers() {
        let w = analyzer.words("COVID-19 ปี ๒๕๖๖ ราคา 1,000 บาท")
        #expect(w.map(\.text) == ["covid", "19", "ปี", "2566", "ราคา", "1", "000", "บาท"])
        #expect(w[1].kind == .number && w[3].kind == .number && w[0].kind == .latinWord)
    }
}

@Suite struct NormalisationTests {
    // (normalised spelling, un-normalised spelling of the same text)
    @Test(arguments: [
        ("นายเศรษฐา ทวีสิน", "นายเศรษฐา\u{00A0}ทวีสิน"),
        ("นายเศรษฐา ทวีสิน", "นาย\u{200B}เศรษฐา \u{FEFF}ทวีสิน"),
        ("ประชุม ครม. 2566 ข้อ 12", "ประชุม ครม. ๒๕๖๖ ข้อ ๑๒"),
        ("น้ำท่วมจังหวัดลำพูน", "น\u{0E49}\u{0E4D}\u{0E32}ท่วมจังหวัดล\u{0E4D}\u{0E32}พูน"),
        ("ผู้ว่าราชการ", "ผ\u{0E49}\u{0E39}ว่าราชการ"),          // tone typed before sara uu
        ("ที่ประชุม", "ที\u{0E48}\u{0E48}ประชุม"),                    // doubled tone mark
        ("government house", "Government\u{2003}HOUSE"),
        ("ศาสตร์", "ศาส\u{00AD}ตร์"),
    ])
    func sameTokens(clean: String, raw: String) {
        #expect(analyzer.words(raw).map(\.text) == analyzer.words(clean).map(\.text))
        #expect(SearchText.scalars(raw) == SearchText.scalars(clean))
        #expect(analyzer.clusters(raw).count == analyzer.clusters(clean).count)
    }

    /// Runs of spaces (newlines and no-break spaces too) are one space, none at either end.
    @Test func searchStreamFoldsSpaces() {
        #expect(SearchText.scalars("  ไฟ \n\u{00A0} ฟ้า  ") == SearchText.scalars("ไฟ ฟ้า"))
        #expect(SearchText.scalars("A\tB").map { Character(Unicode.Scalar($0)!) } == ["a", " ", "b"])
    }
}

@Suite struct OffsetTests {
    @Test func offsetsSliceTheOriginalCharacters() throws {
        var checked = 0
        for (path, text) in try Corpus.files(limit: 10) {
            for t in analyzer.words(text) {
                let s = try #require(slice(text, t.utf8Range), "\(path): \(t) is not on character boundaries")
                #expect(normalized(s) == t.text, "\(path): \(t)")
                checked += 1
            }
        }
        #expect(checked > 3_000)
    }

    @Test func offsetsOfAnUnnormalisedText() {
        let raw = "นาย\u{200B}เศรษฐา\u{00A0}ทวีสิน ๒๕๖๖ ล\u{0E4D}\u{0E32}พูน"
        for t in analyzer.words(raw) {
            let s = slice(raw, t.utf8Range)
            #expect(s != nil, "\(t)")
            if let s { #expect(normalized(s) == t.text, "\(t)") }
        }
        let w = analyzer.words(raw)
        #expect(slice(raw, w.first { $0.text == "2566" }!.utf8Range) == "๒๕๖๖")
        #expect(slice(raw, w.first { $0.text == "ลำพูน" }!.utf8Range) == "ล\u{0E4D}\u{0E32}พูน")
    }
}

/// The search index contract: a phrase is found exactly where it occurs in the normalised text.
@Suite struct PhraseRecallTests {
    struct SplitMix { var s: UInt64; mutating func next() -> UInt64 {
        s &+= 0x9E37_79B9_7F4A_7C15; var z = s
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9; z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    } }

    /// Byte-level occurrence count, overlapping ones included (what `grep -F -o` would see).
    static func occurrences(_ needle: [UInt8], _ hay: [UInt8]) -> Int {
        guard !needle.isEmpty, hay.count >= needle.count else { return 0 }
        return hay.withUnsafeBytes { h in
            needle.withUnsafeBytes { nd in
                var n = 0
                var from = 0
                let first = Int32(needle[0])
                while from <= h.count - nd.count,
                      let hit = memchr(h.baseAddress! + from, first, h.count - nd.count + 1 - from) {
                    let at = h.baseAddress!.distance(to: UnsafeRawPointer(hit))
                    if memcmp(hit, nd.baseAddress!, nd.count) == 0 { n += 1 }
                    from = at + 1
                }
                return n
            }
        }
    }

    @Test func phrasesAgreeWithSubstringSearch() throws {
        let files = try Corpus.files(limit: 30)
        let norm = files.map { normalized($0.text) }
        let hay = norm.map { Array($0.utf8) }
        var rng = SplitMix(s: 4)
        var phrases: [String] = []
        // Thai phrases from the texts, cut at cluster boundaries and at arbitrary characters, 1-14 chars.
        while phrases.count < 200 {
            let f = Int(rng.next() % UInt64(files.count))
            let scalars = Array(norm[f].unicodeScalars)
            guard scalars.count > 20 else { continue }
            let start = Int(rng.next() % UInt64(scalars.count - 15))
            guard ThaiChar.isThai(scalars[start].value) else { continue }
            let len = phrases.count < 40 ? 1 + Int(rng.next() % 2) : 1 + Int(rng.next() % 14)
            var end = start
            while end < scalars.count && end - start < len && ThaiChar.isThai(scalars[end].value) { end += 1 }
            var p = String(String.UnicodeScalarView(scalars[start..<end]))
            if phrases.count % 2 == 0 {
                // Cluster-aligned variant: trim to the clusters the phrase starts and ends on.
                let cl = analyzer.clusters(p)
                if cl.count > 1, let first = cl.first { p = slice(p, first.lowerBound..<cl[cl.count - 2].upperBound)! }
            }
            phrases.append(p)
        }
        // A phrase that begins and ends inside words, from the issue.
        phrases.append("เรือนจำอำเภอแม่")
        var agree = 0
        var disagreements: [String] = []
        for p in phrases {
            let q = SearchText.scalars(p)
            let needle = Array(p.utf8)
            var same = true
            for i in files.indices where SearchText.occurrences(of: q, in: files[i].text, limit: 1).isEmpty != (Self.occurrences(needle, hay[i]) == 0) {
                same = false
            }
            if same { agree += 1 } else { disagreements.append(p) }
        }
        print("phrase recall test: \(agree)/\(phrases.count) phrases agree with substring search over \(files.count) files")
        #expect(agree == phrases.count, "disagreements: \(disagreements)")
    }

    @Test func phraseInsideALongerWordIsFound() {
        let text = "ผู้ต้องขังในเรือนจำอำเภอแม่สอดได้รับการตรวจ"
        func count(_ q: String, _ t: String = text) -> Int { SearchText.occurrences(of: SearchText.scalars(q), in: t).count }
        #expect(count("เรือนจำอำเภอแม่") == 1)
        #expect(count("อำเภอแม่สอด") == 1)
        #expect(count("ยา") == 0)
        #expect(count("ขัง") == 1)
        #expect(count("ไฟ") == 0)
        #expect(count("เก", "เกาะสมุย") == 1)
        #expect(count("ต") == 2)
        // Across a space, and only there.
        #expect(count("เศรษฐา ทวี", "นายเศรษฐา ทวีสิน") == 1)
        #expect(count("เศรษ ทวี", "นายเศรษฐา ทวีสิน") == 0)
        #expect(count("๒๕๖๖", "ปี 2566") == 1)
    }
}
