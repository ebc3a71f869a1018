import KhaosanModel
import KhaosanRPC
import KhaosanWire
import Testing

/// Categories over the QueryService handlers: one slug one row whatever spelling a release
/// arrived with, and an unknown `--category` refused by the server with suggestions.
@Suite("Category handlers in process")
struct CategoryHandlerTests {
    /// Real releases re-filed under the spellings the corpus uses for one slug, as an ingester
    /// older than the normalisation journaled them (name as found, its slug or none).
    static func releases() throws -> [Release] {
        let spellings: [Category] = [
            Category(name: "ข่าวรอง นรม  รมตนร", slug: "deputy-pm"),
            Category(name: "ข่าวรองนายกรัฐมนตรี  รัฐมนตรีประจำสำนักนายกรัฐมนตรี", slug: "deputy-pm"),
            Category(name: "สรุปข่าวการประชุม ครม.", slug: "cabinet-summary"),
            Category(name: "สรุปข่าวการประชุม ครม", slug: "cabinet-summary"),
            Category(name: "other", slug: "other"),
            Category(name: "อื่นๆ", slug: "other"),
            Category(name: "ผู้เกษียณอายุราชการสำนักเลขาธิการนายกรัฐมนตรีื ปี 2564", slug: nil),
            Category(name: "ด้านเศรษฐกิจ", slug: "economy"),
        ]
        return try HandlerFixtures.releases(spellings.count * 2).enumerated().map { i, r in
            var r = r
            r.category = spellings[i % spellings.count]
            return r
        }
    }

    private func apply(_ q: QueryUnderTest, _ releases: [Release]) async throws {
        let items = releases.enumerated().map { BatchItem(sequence: UInt64($0.offset + 1), release: $0.element) }
        let _: ApplyBatchResponse = try await q.client.unary(KhaosanMethods.applyBatch, ApplyBatchRequest(source: "s", items: items))
    }

    @Test func oneSlugIsOneRowInStatsAndFacets() async throws {
        let releases = try Self.releases()
        try await QueryUnderTest.with { q in
            try await apply(q, releases)
            let stats: StatsResponse = try await q.client.unary(KhaosanMethods.stats, StatsRequest())
            let expected = Dictionary(grouping: releases.map { CategoryCatalog.normalised($0.category) }, by: { $0.slug! })
            #expect(stats.categories.map(\.key).sorted() == expected.keys.sorted())
            for c in stats.categories {
                #expect(c.count == UInt64(expected[c.key]!.count), "\(c.key)")
                #expect(c.label == expected[c.key]!.first!.name, "\(c.key)")
            }
            #expect(stats.categories.first { $0.key == "deputy-pm" }?.label == "ข่าวรองนายกรัฐมนตรี  รัฐมนตรีประจำสำนักนายกรัฐมนตรี")
            #expect(stats.categories.contains { $0.key == "ผู้เกษียณอายุราชการสำนักเลขาธิการนายกรัฐมนตรีื-ปี-2564" })

            let all: SearchResponse = try await q.client.unary(KhaosanMethods.search, SearchRequest(query: "ที่", limit: 1, facets: true))
            let facetKeys = all.categoryFacets.map(\.key)
            #expect(Set(facetKeys).count == facetKeys.count, "\(facetKeys)")
            #expect(Set(facetKeys).isSubset(of: Set(expected.keys)))

            // A stored release reads back under its canonical name.
            let got: GetResponse = try await q.client.unary(KhaosanMethods.get, GetRequest(id: releases[0].id))
            #expect(got.release?.category == Category(name: "ข่าวรองนายกรัฐมนตรี  รัฐมนตรีประจำสำนักนายกรัฐมนตรี", slug: "deputy-pm"))
        }
    }

    /// Any spelling of a category, or its slug, filters to the same releases.
    @Test(arguments: ["deputy-pm", "ข่าวรอง นรม รมตนร", "ข่าวรองนายกรัฐมนตรี  รัฐมนตรีประจำสำนักนายกรัฐมนตรี", "DEPUTY-PM", "deputy_pm"])
    func everySpellingFilters(value: String) async throws {
        let releases = try Self.releases()
        try await QueryUnderTest.with { q in
            try await apply(q, releases)
            let unfiltered: SearchResponse = try await q.client.unary(KhaosanMethods.search, SearchRequest(query: "ที่", limit: 100))
            let ids = Set(releases.filter { $0.category.slug == "deputy-pm" }.map(\.id)).intersection(unfiltered.hits.map(\.id))
            #expect(!ids.isEmpty)
            let r: SearchResponse = try await q.client.unary(KhaosanMethods.search, SearchRequest(query: "ที่", categories: [value], limit: 100))
            #expect(Set(r.hits.map(\.id)) == ids)
            let t: TimelineResponse = try await q.client.unary(KhaosanMethods.timeline, TimelineRequest(queries: ["ที่"], categories: [value]))
            #expect(t.series.first?.total == UInt64(ids.count))
        }
    }

    @Test(arguments: [
        ("ekonomy", "economy"), ("deputypm", "deputy-pm"), ("สรุปข่าวประชุม ครม", "cabinet-summary"), ("อื่น", "other"),
    ])
    func unknownCategoryIsRefusedWithSuggestions(value: String, suggested: String) async throws {
        try await QueryUnderTest.with { q in
            try await apply(q, try Self.releases())
            for call in ["search", "timeline"] {
                do {
                    if call == "search" {
                        let _: SearchResponse = try await q.client.unary(KhaosanMethods.search, SearchRequest(query: "ที่", categories: [value]))
                    } else {
                        let _: TimelineResponse = try await q.client.unary(KhaosanMethods.timeline, TimelineRequest(queries: ["ที่"], categories: [value]))
                    }
                    Issue.record("\(call) with --category \(value) was answered")
                } catch let e as RPCError {
                    #expect(e.code == .invalidArgument, "\(e)")
                    #expect(e.message.hasPrefix("--category \"\(value)\""), "\(e.message)")
                    #expect(e.message.contains(suggested), "\(e.message)")
                }
            }
        }
    }

    /// A category the catalogue knows but the archive does not hold is a valid filter: no hits.
    @Test func knownCategoryNotInTheArchiveMatchesNothing() async throws {
        try await QueryUnderTest.with { q in
            try await apply(q, try Self.releases())
            let r: SearchResponse = try await q.client.unary(KhaosanMethods.search, SearchRequest(query: "ที่", categories: ["spokesperson"]))
            #expect(r.total == 0)
        }
    }
}
