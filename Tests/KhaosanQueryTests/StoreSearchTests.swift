import Foundation
@testable import KhaosanQuery
import KhaosanModel
import KhaosanThai
import KhaosanTestSupport
import Logging
import Testing

/// Ground truth is plain substring search over the stored text (Latin lowercased), so these tests
/// hold whatever bigram flavour the analyser uses.
enum Truth {
    static let releases = StoreFixtures.releases
    static let texts: [Int64: [UInt8]] = Dictionary(uniqueKeysWithValues: releases.map {
        ($0.id, Array(StoreFixtures.text($0).lowercased().utf8))
    })

    static func ids(containing phrase: String) -> Set<Int64> {
        let needle = Array(phrase.lowercased().utf8)
        return Set(texts.filter { contains($0.value, needle) }.map(\.key))
    }

    static func contains(_ hay: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, hay.count >= needle.count else { return false }
        for i in 0...(hay.count - needle.count) where hay[i] == needle[0] {
            if hay[i..<(i + needle.count)].elementsEqual(needle) { return true }
        }
        return false
    }

    static func isConsonant(_ c: Character) -> Bool {
        c.unicodeScalars.first.map { (0x0E01...0x0E2E).contains($0.value) } ?? false
    }

    static func isLeadingVowel(_ c: Character) -> Bool {
        c.unicodeScalars.first.map { (0x0E40...0x0E44).contains($0.value) } ?? false
    }

    static func isThai(_ c: Character) -> Bool {
        c.unicodeScalars.allSatisfy { (0x0E01...0x0E5B).contains($0.value) }
    }

    /// Phrases cut from the middle of titles (start and end inside words, at places where a
    /// character cluster begins) and given names after "นาย", plus very short words.
    static let qualityPhrases: [String] = {
        var out: [String] = []
        for r in releases where r.language == .th {
            let runs = r.title.split { !isThai($0) }.map(Array.init).filter { $0.count >= 8 }
            guard let run = runs.first else { continue }
            var start = 1
            while start < run.count - 4, !(isConsonant(run[start]) && !isLeadingVowel(run[start - 1])) { start += 1 }
            var end = min(run.count - 1, start + 6)
            while end > start + 2, !(isConsonant(run[end]) || isLeadingVowel(run[end])) || isLeadingVowel(run[end - 1]) { end -= 1 }
            if end > start + 1 { out.append(String(run[start..<end])) }
        }
        var names: [String] = []
        for r in releases where r.language == .th {
            for p in r.paragraphs {
                var rest = Substring(p)
                while let range = rest.range(of: "นาย") {
                    let name = rest[range.upperBound...].prefix { isThai($0) }
                    if name.count >= 4, !name.hasPrefix("ก"), !names.contains(String(name)) { names.append(String(name)) }
                    rest = rest[range.upperBound...]
                }
            }
        }
        out += names.prefix(10)
        out += ["ไฟ", "ยา", "น้ำ", "ก", "รัฐ"]
        return out
    }()
}

@Suite struct StoreSearchTests {
    static let store: ReleaseStore = try! StoreFixtures.loadedStore("search")

    func ids(_ text: String, _ configure: (inout SearchQuery) -> Void = { _ in }) throws -> [Int64] {
        var q = SearchQuery(text: text, limit: 100)
        configure(&q)
        return try Self.store.search(q).hits.map(\.id)
    }

    @Test func qualityPhrasesHaveEnoughVariety() {
        #expect(Truth.qualityPhrases.count >= 30)
    }

    @Test(arguments: Truth.qualityPhrases)
    func matchesEqualSubstringSearch(_ phrase: String) throws {
        let expected = Truth.ids(containing: phrase)
        let results = try Self.store.search(SearchQuery(text: phrase, limit: 100))
        #expect(Set(results.hits.map(\.id)) == expected, "phrase \(phrase)")
        #expect(results.total == expected.count)
    }

    @Test func quotedThaiPhraseWithSpace() throws {
        // Two words separated by one space in some body line.
        let line = try #require(Truth.releases.lazy.flatMap(\.paragraphs).first { $0.contains(" ") && $0.unicodeScalars.first.map { (0x0E01...0x0E5B).contains($0.value) } == true })
        let words = line.split(separator: " ").prefix(2).map(String.init)
        let phrase = words.joined(separator: " ")
        let found = Set(try ids("\"\(phrase)\""))
        #expect(found.isSuperset(of: Truth.ids(containing: phrase)))
        for id in found {
            #expect(Truth.ids(containing: words[0]).contains(id) && Truth.ids(containing: words[1]).contains(id))
        }
        // Unquoted, the two runs are two terms ANDed.
        #expect(Set(try ids(phrase)) == Truth.ids(containing: words[0]).intersection(Truth.ids(containing: words[1])))
    }

    @Test func englishWordsAreCaseInsensitive() throws {
        let upper = Set(try ids("COVID"))
        let lower = Set(try ids("covid"))
        #expect(upper == lower)
        #expect(!upper.isEmpty)
        for id in upper { #expect(Truth.ids(containing: "covid").contains(id)) }
        let asWord = Set(Truth.releases.filter {
            StoreFixtures.text($0).lowercased().split { !$0.isLetter && !$0.isNumber }.contains("covid")
        }.map(\.id))
        #expect(upper.isSuperset(of: asWord))
        #expect(Set(try ids("Prayut")) == Set(try ids("prayut")))
        #expect(!(try ids("Prayut")).isEmpty)
    }

    @Test func booleanOperators() throws {
        let a = Truth.ids(containing: "ยา"), b = Truth.ids(containing: "ไฟ"), c = Truth.ids(containing: "น้ำ")
        #expect(Set(try ids("ยา ไฟ")) == a.intersection(b))
        #expect(Set(try ids("ยา AND ไฟ")) == a.intersection(b))
        #expect(Set(try ids("ยา OR ไฟ")) == a.union(b))
        #expect(Set(try ids("ยา NOT น้ำ")) == a.subtracting(c))
        #expect(Set(try ids("ยา -น้ำ")) == a.subtracting(c))
        #expect(Set(try ids("ยา AND NOT น้ำ")) == a.subtracting(c))
        #expect(Set(try ids("(ยา OR ไฟ) -น้ำ")) == a.union(b).subtracting(c))
        #expect(Set(try ids("น้ำ (ยา OR ไฟ)")) == c.intersection(a.union(b)))
        #expect(Set(try ids("\"ยา\" OR (ไฟ น้ำ)")) == a.union(b.intersection(c)))
        // A term that analyses to nothing is dropped.
        #expect(Set(try ids("ยา !!!")) == a)
    }

    @Test func filters() throws {
        let all = Truth.ids(containing: "ยา")
        let dates = Truth.releases.filter { all.contains($0.id) }.map(\.published).sorted()
        let mid = dates[dates.count / 2]
        let byID = Dictionary(uniqueKeysWithValues: Truth.releases.map { ($0.id, $0) })
        #expect(Set(try ids("ยา") { $0.from = mid }) == all.filter { byID[$0]!.published >= mid })
        #expect(Set(try ids("ยา") { $0.to = mid }) == all.filter { byID[$0]!.published <= mid })
        #expect(Set(try ids("ยา") { $0.from = mid; $0.to = mid }) == all.filter { byID[$0]!.published == mid })

        let cat = byID[all.first!]!.category.name
        #expect(Set(try ids("ยา") { $0.categories = [cat] }) == all.filter { byID[$0]!.category.name == cat })
        let en = Truth.ids(containing: "the")
        let slugged = try #require(Truth.releases.first { $0.category.slug != nil && en.contains($0.id) })
        #expect(Set(try ids("the") { $0.categories = [slugged.category.slug!] }) == en.filter { byID[$0]!.category.slug == slugged.category.slug })
        #expect(Set(try ids("the") { $0.categories = [slugged.category.slug!, cat] }) == en.filter { byID[$0]!.category.slug == slugged.category.slug || byID[$0]!.category.name == cat })
        let prayut = Set(try ids("prayut"))
        #expect(Set(try ids("prayut") { $0.language = .en }) == prayut.filter { byID[$0]!.language == .en })
        #expect(Set(try ids("prayut") { $0.language = .th }) == prayut.filter { byID[$0]!.language == .th })
    }

    @Test func sorts() throws {
        let byID = Dictionary(uniqueKeysWithValues: Truth.releases.map { ($0.id, $0) })
        let expected = Truth.ids(containing: "ยา")
        let newest = try ids("ยา") { $0.sort = .newest }
        #expect(newest == expected.sorted { (byID[$0]!.published, $0) > (byID[$1]!.published, $1) })
        let oldest = try ids("ยา") { $0.sort = .oldest }
        #expect(oldest == expected.sorted { (byID[$0]!.published, $0) < (byID[$1]!.published, $1) })
        let relevance = try Self.store.search(SearchQuery(text: "ยา", limit: 100))
        #expect(Set(relevance.hits.map(\.id)) == expected)
        #expect(zip(relevance.hits, relevance.hits.dropFirst()).allSatisfy { $0.score >= $1.score })
        #expect(relevance.hits.allSatisfy { $0.score > 0 })
    }

    @Test(arguments: [SearchQuery.Sort.relevance, .newest, .oldest])
    func paginationCoversEverythingOnce(_ sort: SearchQuery.Sort) throws {
        let full = try ids("ยา") { $0.sort = sort }
        var paged: [Int64] = []
        var offset = 0
        while true {
            let r = try Self.store.search(SearchQuery(text: "ยา", sort: sort, limit: 3, offset: offset))
            #expect(r.total == full.count)
            if r.hits.isEmpty { break }
            paged += r.hits.map(\.id)
            offset += 3
        }
        #expect(paged == full)
        // Past the last hit: no hits, the same total.
        let deep = try Self.store.search(SearchQuery(text: "ยา", sort: sort, limit: 10, offset: full.count + 5))
        #expect(deep.hits.isEmpty && deep.total == full.count)
        // A page of up to 1,000 hits is not cut to 100.
        #expect(try Self.store.search(SearchQuery(text: "ยา", limit: 1000)).hits.count == min(full.count, 1000))
        let big = try Self.store.search(SearchQuery(text: "ยา", sort: sort, limit: 1000, offset: 0)).hits.map(\.id)
        #expect(big == Array(full.prefix(1000)))
    }

    @Test func facetsCountTheCurrentQueryAndFilters() throws {
        let byID = Dictionary(uniqueKeysWithValues: Truth.releases.map { ($0.id, $0) })
        for filterTo in [nil, Truth.releases.map(\.published).sorted()[Truth.releases.count / 2]] {
            let r = try Self.store.search(SearchQuery(text: "ยา", to: filterTo, limit: 2, facets: true))
            let matching = Truth.ids(containing: "ยา").filter { filterTo == nil || byID[$0]!.published <= filterTo! }
            #expect(r.total == matching.count)
            var cats: [String: Int] = [:]
            var months: [String: Int] = [:]
            for id in matching {
                let rel = byID[id]!
                cats[rel.category.slug ?? rel.category.name, default: 0] += 1
                months[String(rel.published.description.prefix(7)), default: 0] += 1
            }
            #expect(Dictionary(uniqueKeysWithValues: r.categoryFacets.map { ($0.key, $0.count) }) == cats)
            #expect(Dictionary(uniqueKeysWithValues: r.monthFacets.map { ($0.key, $0.count) }) == months)
            #expect(r.monthFacets.map(\.key) == r.monthFacets.map(\.key).sorted())
        }
        let none = try Self.store.search(SearchQuery(text: "ยา"))
        #expect(none.categoryFacets.isEmpty && none.monthFacets.isEmpty)
    }

    @Test(arguments: ["ยา", "COVID", "ประชาชน", "Prime Minister"])
    func snippetsAreExactTextWithHighlights(_ phrase: String) throws {
        let byID = Dictionary(uniqueKeysWithValues: Truth.releases.map { ($0.id, $0) })
        let r = try Self.store.search(SearchQuery(text: "\"\(phrase)\"", limit: 100))
        #expect(!r.hits.isEmpty)
        for hit in r.hits {
            let body = byID[hit.id]!.paragraphs.joined(separator: "\n")
            var core = Substring(hit.snippet)
            if core.hasPrefix("…") { core = core.dropFirst() }
            if core.hasSuffix("…") { core = core.dropLast() }
            #expect(body.contains(core), "snippet of \(hit.id) is not a slice of the body")
            #expect(hit.snippet.hasPrefix("…") == !body.hasPrefix(core))
            #expect(core.count <= Snippet.charactersBefore + Snippet.charactersAfter + phrase.count)
            let bytes = Array(hit.snippet.utf8)
            let needle = Array(phrase.lowercased().utf8)
            if Truth.contains(Array(body.lowercased().utf8), needle) {
                #expect(!hit.highlights.isEmpty, "no highlight in \(hit.id)")
            }
            for h in hit.highlights {
                let slice = String(decoding: bytes[h], as: UTF8.self).lowercased()
                #expect(slice == phrase.lowercased(), "highlight \(h) of \(hit.id) is \(slice)")
            }
            // Every occurrence inside the snippet is highlighted.
            let occurrences = Truth.contains(Array(String(core).lowercased().utf8), needle)
            #expect(occurrences == !hit.highlights.isEmpty)
        }
    }

    @Test func snippetFallsBackToStartOfBody() {
        #expect(Snippet.make(text: "abc def", needles: [SearchText.scalars("zzz")]) == nil)
        let (s, h) = Snippet.opening("abc def")
        #expect(s == "abc def" && h.isEmpty)
        let long = String(repeating: "ก", count: 500)
        let (s2, _) = Snippet.opening(long)
        #expect(s2.hasSuffix("…") && !s2.hasPrefix("…"))
        let text = String(repeating: "x", count: 100) + "ไฟฟ้า" + String(repeating: "y", count: 200)
        let (s3, h3) = Snippet.make(text: text, needles: [SearchText.scalars("ไฟฟ้า")])!
        #expect(s3.hasPrefix("…") && s3.hasSuffix("…"))
        #expect(h3.count == 1 && String(decoding: Array(s3.utf8)[h3[0]], as: UTF8.self) == "ไฟฟ้า")
        // Thai digits and runs of spaces match as in search; the highlight covers the original.
        let (s4, h4) = Snippet.make(text: "งบ ๑๐,๐๐๐  บาท", needles: [SearchText.scalars("10,000 บาท")])!
        #expect(String(decoding: Array(s4.utf8)[h4[0]], as: UTF8.self) == "๑๐,๐๐๐  บาท")
    }
}

/// Snippets of long stored texts are looked for around an anchor in the compact bytes first, and
/// only a window is decoded; the result must be the one a search of the whole text gives,
/// wherever the first match is, for Thai and for Latin needles (found without case).
struct SnippetPrefixTests {
    @Test(arguments: [0, 100, 1_000, 2_000, 3_000, 4_000, 4_096, 5_000, 20_000, 31_990])
    func aMatchAnywhereGivesTheSameWindowAsAWholeTextSearch(at: Int) {
        for (typed, needle) in [("ไฟฟ้าดับ", "ไฟฟ้าดับ"), ("Vaccine-X", "vaccine-x"), ("ก๊าซ LNG", "ก๊าซ lng")] {
            Self.check(at: at, typed: typed, needle: needle)
        }
    }

    /// Random long texts of Thai with marks, Latin in both cases, digits of both scripts and
    /// scalars CompactText escapes: the windowed snippet equals the whole-text one, and it never
    /// cuts a character cluster.
    @Test(arguments: [1, 2, 3, 4])
    func windowedSnippetsEqualWholeTextSnippets(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let pieces = ["ก", "ข", "ส", "ำ", "ั", "ี", "่", "้", "เ", "า", "น", "ร", "ย", " ", "\n", "A", "a", "B", "b", "é", "😀", "๑", "1", ",", "-"]
        for _ in 0..<20 {
            let text = (0..<(1_500 + Int(rng.next() % 6_000))).map { _ in pieces[Int(rng.next() % UInt64(pieces.count))] }.joined()
            let chars = Array(text.unicodeScalars)
            let start = Int(rng.next() % UInt64(chars.count - 8))
            let typed = String(String.UnicodeScalarView(chars[start..<(start + 2 + Int(rng.next() % 5))]))
            let needles = [SearchText.scalars(typed)].filter { !$0.isEmpty }
            guard !needles.isEmpty else { continue }
            let got = Snippet.make(compact: CompactText.encode(text), needles: needles)
            let expected = Snippet.make(text: text, needles: needles)
            #expect(got?.snippet == expected?.snippet, "needle \(typed.debugDescription)")
            #expect(got?.highlights == expected?.highlights)
            if let got {
                var core = Substring(got.snippet)
                if core.hasPrefix("…") { core = core.dropFirst() }
                if core.hasSuffix("…") { core = core.dropLast() }
                #expect(text.contains(core), "snippet cuts a cluster: \(core.prefix(20).debugDescription)")
            }
        }
    }

    static func check(at: Int, typed: String, needle: String) {
        let filler = String(repeating: "ประชาชน é ", count: 4_000)
        let chars = Array(filler)
        let text = String(chars[..<at]) + typed + String(chars[at...]) + " " + typed
        let needles = [SearchText.scalars(needle)]
        let got = Snippet.make(compact: CompactText.encode(text), needles: needles)!
        let whole = Snippet.occurrences(needles, in: text)
        let expected = Snippet.window(text, around: whole.min { $0.lowerBound < $1.lowerBound }!, highlights: whole)
        #expect(got.snippet == expected.snippet)
        #expect(got.highlights == expected.highlights)
        #expect(!got.highlights.isEmpty)
    }
}
