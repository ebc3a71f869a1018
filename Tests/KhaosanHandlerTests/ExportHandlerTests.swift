import KhaosanModel
import KhaosanRPC
import KhaosanWire
import Testing

/// QueryService/Export over the in-process transport (with its stream windows), on a real store:
/// every hit once, in (date, id) order, across index pages, segments and message boundaries.
@Suite("Export handler in process")
struct ExportHandlerTests {
    private func apply(_ q: QueryUnderTest, _ releases: [Release], from sequence: UInt64) async throws {
        let items = releases.enumerated().map { BatchItem(sequence: sequence + UInt64($0.offset), release: $0.element) }
        let _: ApplyBatchResponse = try await q.client.unary(KhaosanMethods.applyBatch, ApplyBatchRequest(source: "s", items: items))
    }

    private func export(_ q: QueryUnderTest, _ request: ExportRequest) async throws -> (total: UInt64, rows: [ExportRow], messages: Int) {
        try await q.client.serverStreaming(KhaosanMethods.export, request) { (responses: ResponseStream<ExportResponse>) in
            var rows: [ExportRow] = []
            var total: UInt64 = 0, messages = 0
            for try await m in responses {
                total = m.total
                messages += 1
                rows += m.rows
            }
            return (total, rows, messages)
        }
    }

    /// Releases with many on the same day (so index pages end inside a day), ids not in date
    /// order, Thai text with commas, quotes and line breaks; every third has ประชุม in its title.
    /// Bodies of about 1 KB; with 16 KiB messages a full-text export is more messages than one
    /// stream window.
    static func synthetic(_ n: Int) -> [Release] {
        let sentence = "รัฐบาลแถลงว่า \"โครงการ\" เดินหน้า, ประชาชนได้ประโยชน์ "
        return (0..<n).map { i in
            let day = CivilDate(year: 2023, month: 1, day: 1).daysSinceEpoch + (i * 7919) % 40
            let id = Int64(100_000 + (i * 7_331) % 100_003)
            return Release(
                id: id, sourceURL: "https://www.thaigov.go.th/news/contents/details/\(id)",
                title: (i % 3 == 0 ? "ประชุม ครม. ครั้งที่ \(i)" : "ข่าว, \"ทดสอบ\" ฉบับ \(i)"),
                published: CivilDate(daysSinceEpoch: day), category: Category(name: "ข่าวทำเนียบรัฐบาล", slug: "government-house"),
                language: .th,
                paragraphs: ["ย่อหน้าแรก \(i)", String(repeating: sentence, count: 6), "ย่อหน้าสุดท้าย"],
                entities: [], contentHash: "hash-\(id)")
        }
    }

    /// Where two long lists part (index, both elements or a missing one), so that a failure
    /// reads in one line rather than as two lists of thousands.
    static func firstDifference<T: Equatable>(_ got: [T], _ want: [T]) -> String? {
        for i in 0..<max(got.count, want.count) {
            let g = i < got.count ? "\(got[i])" : "(none)", w = i < want.count ? "\(want[i])" : "(none)"
            if i >= got.count || i >= want.count || got[i] != want[i] {
                return "at \(i) of \(got.count) (expected \(want.count)): got \(g.prefix(80)), expected \(w.prefix(80))"
            }
        }
        return nil
    }

    static func inOrder(_ rs: [Release]) -> [Release] {
        rs.sorted { ($0.published, $0.id) < ($1.published, $1.id) }
    }

    @Test func everyReleaseOnceInDateThenIdOrderAcrossPagesAndSegments() async throws {
        let releases = Self.synthetic(2_600)
        try await QueryUnderTest.with(exportMessageBytes: 16 << 10) { q in
            // Three batches: three memory segments with overlapping dates.
            try await apply(q, Array(releases[0..<900]), from: 1)
            try await apply(q, Array(releases[900..<1_800]), from: 901)
            try await apply(q, Array(releases[1_800...]), from: 1_801)

            let all = try await export(q, ExportRequest(query: "", fullText: true))
            let expected = Self.inOrder(releases)
            #expect(all.total == UInt64(releases.count))
            #expect(Self.firstDifference(all.rows.map(\.id), expected.map(\.id)) == nil)
            #expect(Self.firstDifference(all.rows.map(\.title), expected.map(\.title)) == nil)
            #expect(Self.firstDifference(all.rows.map(\.body), expected.map { $0.paragraphs.joined(separator: "\n") }) == nil)
            #expect(all.rows.allSatisfy { $0.current && $0.version == 1 && $0.category.slug == "government-house" })
            // More messages than the client's window of 64: the stream waited for grants.
            #expect(all.messages > 64, "\(all.messages) messages")

            // A query: exactly the search's hits, oldest first.
            let meetings = try await export(q, ExportRequest(query: "ประชุม"))
            let wanted = expected.filter { $0.title.hasPrefix("ประชุม") }
            #expect(meetings.total == UInt64(wanted.count))
            #expect(Self.firstDifference(meetings.rows.map(\.id), wanted.map(\.id)) == nil)
            #expect(meetings.rows.allSatisfy { $0.body.isEmpty })
            let search: SearchResponse = try await q.client.unary(KhaosanMethods.search, SearchRequest(query: "ประชุม", limit: 1))
            #expect(search.total == meetings.total)

            // Filters as in search.
            let from = CivilDate(year: 2023, month: 1, day: 10), to = CivilDate(year: 2023, month: 1, day: 20)
            let window = try await export(q, ExportRequest(query: "ประชุม", from: from, to: to))
            #expect(Self.firstDifference(window.rows.map(\.id), wanted.filter { $0.published >= from && $0.published <= to }.map(\.id)) == nil)
            // An unknown category is refused as in search, naming the flag and the value.
            await #expect { _ = try await export(q, ExportRequest(query: "", categories: ["no-such-category"])) } throws: { error in
                (error as? RPCError)?.code == .invalidArgument && "\(error)".contains("no-such-category")
            }
        }
    }

    @Test func versionsComeAsRowsOldestFirst() async throws {
        var releases = Self.synthetic(5)
        try await QueryUnderTest.with { q in
            try await apply(q, releases, from: 1)
            let first = releases[2]
            var changed = first
            changed.title = "แก้ไขแล้ว: " + first.title
            changed.contentHash = "hash-changed"
            try await apply(q, [changed], from: 6)
            releases[2] = changed

            let plain = try await export(q, ExportRequest(query: ""))
            #expect(plain.rows.count == 5 && plain.rows.allSatisfy(\.current))
            #expect(plain.rows.first { $0.id == first.id }?.title == changed.title)

            let withVersions = try await export(q, ExportRequest(query: "", fullText: true, versions: true))
            #expect(withVersions.total == 5 && withVersions.rows.count == 6)
            let rows = withVersions.rows.filter { $0.id == first.id }
            #expect(rows.map(\.version) == [1, 2] && rows.map(\.current) == [false, true])
            #expect(rows.map(\.title) == [first.title, changed.title])
            #expect(rows[0].body == first.paragraphs.joined(separator: "\n"))
            // The old version sits just before the current one, in the release's place.
            let ids = withVersions.rows.map(\.id)
            #expect(ids == Self.inOrder(releases).flatMap { $0.id == first.id ? [$0.id, $0.id] : [$0.id] })
        }
    }

    /// Past the limit of exports at once, one is refused with its reason; once the running
    /// one ends, an export runs again.
    @Test func exportsPastTheLimitAreRefusedUntilOneEnds() async throws {
        try await QueryUnderTest.with(exportMessageBytes: 1 << 10, maxExports: 1) { q in
            try await apply(q, Self.synthetic(300), from: 1)
            let (firstArrived, arrived) = AsyncStream.makeStream(of: Void.self)
            let (released, release) = AsyncStream.makeStream(of: Void.self)
            let running = Task {
                try await q.client.serverStreaming(KhaosanMethods.export, ExportRequest(query: "", fullText: true)) { (responses: ResponseStream<ExportResponse>) in
                    var rows = 0
                    for try await m in responses {
                        if rows == 0 {
                            // Hold the export open (its window fills) until the second one was tried.
                            arrived.yield()
                            for await _ in released { break }
                        }
                        rows += m.rows.count
                    }
                    return rows
                }
            }
            for await _ in firstArrived { break }
            do {
                _ = try await export(q, ExportRequest(query: ""))
                Issue.record("a second export ran beside the first")
            } catch let e as RPCError {
                #expect(e.code == .resourceExhausted && e.metadata[Metadata.refusalKey] == "exports", "\(e)")
            }
            release.yield()
            #expect(try await running.value == 300)
            #expect(try await export(q, ExportRequest(query: "")).rows.count == 300)
        }
    }

    @Test func aQueryThatDoesNotParseIsInvalidArgument() async throws {
        try await QueryUnderTest.with { q in
            await #expect {
                _ = try await export(q, ExportRequest(query: "(\"unclosed"))
            } throws: { ($0 as? RPCError)?.code == .invalidArgument }
        }
    }
}
