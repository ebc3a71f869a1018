import Foundation
import KhaosanModel
import KhaosanRPC
import KhaosanWire
import Testing

/// QueryService/Diff, QueryService/Similar and a collapsing Search over the in-process
/// transport, on a real SQLite store (issue 16, items 5 and 6).
@Suite("Diff and near-duplicate handlers in process")
struct ChangesHandlerTests {
    private func apply(_ q: QueryUnderTest, _ releases: [Release], from sequence: UInt64) async throws {
        let items = releases.enumerated().map { BatchItem(sequence: sequence + UInt64($0.offset), release: $0.element) }
        let _: ApplyBatchResponse = try await q.client.unary(KhaosanMethods.applyBatch, ApplyBatchRequest(source: "test-source", items: items))
    }

    private func code(_ body: () async throws -> Void) async -> (RPCError.Code, String)? {
        do { try await body(); return nil } catch let e as RPCError { return (e.code, e.message) } catch { return nil }
    }

    @Test func diffOfTwoVersionsGivesTheEditedWords() async throws {
        let releases = try HandlerFixtures.releases(3)
        var v2 = releases[0]
        let word = "ฝนตกหนัก"
        v2.paragraphs[0] += " " + word
        v2.contentHash = String(v2.contentHash.reversed())
        try await QueryUnderTest.with { q in
            try await apply(q, releases, from: 1)
            try await apply(q, [v2], from: 10)
            let d: DiffResponse = try await q.client.unary(KhaosanMethods.diff, DiffRequest(id: v2.id))
            #expect(d.oldVersion == 1 && d.newVersion == 2 && d.versions == 2)
            let changed = d.fields.filter { $0.edits.contains { $0.kind != .equal } }
            #expect(changed.count == 1 && changed[0].name == "paragraph" && changed[0].oldNumber == 1 && changed[0].newNumber == 1)
            #expect(changed[0].edits.filter { $0.kind != .equal } == [DiffEdit(kind: .insert, text: " " + word)])
            // Every paragraph of both versions is there, so each side can be rebuilt.
            #expect(d.fields.filter { $0.name == "paragraph" }.count == v2.paragraphs.count)

            let unknownRelease = await code { let _: DiffResponse = try await q.client.unary(KhaosanMethods.diff, DiffRequest(id: 1)) }
            #expect(unknownRelease?.0 == .notFound && unknownRelease?.1 == "no release with id 1")
            let unknownVersion = await code {
                let _: DiffResponse = try await q.client.unary(KhaosanMethods.diff, DiffRequest(id: v2.id, oldVersion: 1, newVersion: 7))
            }
            #expect(unknownVersion?.0 == .notFound && unknownVersion?.1 == "release \(v2.id) has versions 1-2; no version 7")
        }
    }

    @Test func aPlantedCopyIsSimilarGroupedAndCollapsed() async throws {
        let releases = try HandlerFixtures.releases(12)
        let original = releases.max { $0.paragraphs.joined().count < $1.paragraphs.joined().count }!
        let filler = releases.first { $0.id != original.id }!
        // 85% of the original's body kept, the rest from another release.
        let body = original.paragraphs.joined(separator: "\n")
        let keep = body.count * 85 / 100
        var copy = original
        copy.id = 990_100
        copy.paragraphs = (String(body.prefix(keep)) + String(filler.paragraphs.joined(separator: "\n").prefix(body.count - keep)))
            .components(separatedBy: "\n")
        copy.contentHash = "planted-copy"
        try await QueryUnderTest.with { q in
            try await apply(q, releases + [copy], from: 1)
            let s: SimilarResponse = try await q.client.unary(KhaosanMethods.similar, SimilarRequest(id: copy.id, limit: 5))
            #expect(s.group == original.id)
            let top = try #require(s.hits.first)
            #expect(top.id == original.id && top.sameGroup && top.exact > 0.65 && top.exact < 0.85)
            let alone: SimilarResponse = try await q.client.unary(KhaosanMethods.similar, SimilarRequest(id: filler.id))
            #expect(alone.group == filler.id && !alone.hits.contains { $0.sameGroup })

            let query = "\"" + String(original.title.prefix(12)) + "\""
            let plain: SearchResponse = try await q.client.unary(KhaosanMethods.search, SearchRequest(query: query, limit: 50))
            let collapsed: SearchResponse = try await q.client.unary(KhaosanMethods.search, SearchRequest(query: query, limit: 50, collapse: true))
            #expect(plain.hits.contains { $0.id == copy.id } && plain.hits.contains { $0.id == original.id })
            #expect(collapsed.hits.count == plain.hits.count - 1)
            let shown = try #require(collapsed.hits.first { $0.id == original.id || $0.id == copy.id })
            #expect(shown.alsoPublishedAs == [shown.id == copy.id ? original.id : copy.id])

            let missing = await code { let _: SimilarResponse = try await q.client.unary(KhaosanMethods.similar, SimilarRequest(id: 5)) }
            #expect(missing?.0 == .notFound)
        }
    }
}
