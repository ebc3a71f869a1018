import Testing
@testable import KhaosanModel

@Suite struct CategoryMatcherTests {
    static let archive: [Category] = ["ด้านเศรษฐกิจ", "ด้านสังคม", "ด้านความมั่นคง", "สรุปข่าวการประชุม ครม", "Cabinet Meeting Synopsis",
                                      "Government News", "อื่นๆ", "ข่าวรอง นรม  รมตนร"].map { CategoryCatalog.category(named: $0) }

    @Test(arguments: [
        ("", "", 0), ("abc", "abc", 0), ("abc", "abd", 1), ("abc", "", 3), ("kitten", "sitting", 3),
        // Per scalar: a missing tone mark or vowel is one edit, not a whole cluster.
        ("ด้าน", "ดาน", 1), ("เศรษฐกิจ", "เศรษกิจ", 1), ("ครม", "ครม.", 1), ("สังคม", "สงคม", 1),
    ])
    func levenshtein(a: String, b: String, distance: Int) {
        #expect(EditDistance.levenshtein(a, b) == distance)
        #expect(EditDistance.levenshtein(b, a) == distance)
    }

    @Test(arguments: [
        ("economy", "economy"), ("ECONOMY", "economy"), ("ด้านเศรษฐกิจ", "economy"), ("สรุปข่าวการประชุม ครม.", "cabinet-summary"),
        ("ข่าวรองนายกรัฐมนตรี  รัฐมนตรีประจำสำนักนายกรัฐมนตรี", "deputy-pm"), ("ข่าวรอง นรม รมตนร", "deputy-pm"), ("other", "other"),
        ("government news", "government-news"),
    ])
    func matches(typed: String, slug: String) {
        #expect(CategoryMatcher.match(typed, in: Self.archive)?.slug == slug)
    }

    @Test(arguments: ["ekonomy", "เศรษฐกิจ", "cabinet", "spokesperson", "xyz"])
    func unknownValuesDoNotMatch(typed: String) {
        #expect(CategoryMatcher.match(typed, in: Self.archive) == nil)
    }

    @Test(arguments: [
        ("ekonomy", ["economy"]),
        ("econmy", ["economy"]),
        ("เศรษฐกิจ", ["economy"]),
        ("ด้านสงคม", ["society"]),
        ("cabinet", ["cabinet-meeting-synopsis", "cabinet-summary"]),
        ("cabinet-sumary", ["cabinet-summary"]),
        ("goverment-news", ["government-news"]),
        ("zzzzzzzz", []),
    ])
    func closest(typed: String, slugs: [String]) {
        #expect(CategoryMatcher.closest(to: typed, among: Self.archive).map { $0.slug ?? "" } == slugs)
    }
}
