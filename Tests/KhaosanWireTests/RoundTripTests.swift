import Foundation
import KhaosanModel
import KhaosanTestSupport
import KhaosanWire
import Testing

/// One message value, type-erased so tables can hold every message type.
struct Sample: Sendable, CustomTestStringConvertible {
    var name: String
    /// Encodes, decodes, compares; returns the encoding.
    var roundTrip: @Sendable () throws -> [UInt8]
    var testDescription: String { name }

    init<M: WireMessage & Equatable>(_ value: M) {
        name = M.protoName
        roundTrip = {
            let bytes = try value.wireBytes()
            let back = try M(wireBytes: bytes)
            #expect(back == value)
            // Strings are copied verbatim into the encoding, so equal re-encodings mean every
            // string survived byte for byte (Swift == alone would accept reordered Thai marks).
            #expect(try back.wireBytes() == bytes)
            return bytes
        }
    }
}

let everyMessage: [Sample] = [
    Sample(thaiRelease()),
    Sample(SearchRequest(query: "\"คณะรัฐมนตรี\" AND \(composedU)", from: CivilDate(year: 2020, month: 1, day: 1), to: CivilDate(year: 2023, month: 12, day: 31),
                         categories: ["economy", "ด้านความมั่นคง"], language: .th, sort: .newest, limit: 25, offset: 50, facets: true)),
    Sample(SearchRequest(query: "x", from: CivilDate(year: 1970, month: 1, day: 1), to: nil, sort: .oldest)),
    Sample(Highlight(start: 1, end: UInt32.max)),
    Sample(thaiHit(0)),
    Sample(FacetCount(key: "2023-11", label: "พฤศจิกายน 2566", count: 42)),
    Sample(SearchResponse(hits: (0..<5).map(thaiHit), total: 12_345, categoryFacets: [FacetCount(key: "economy", label: "เศรษฐกิจ", count: 9)],
                          monthFacets: [FacetCount(key: "2023-11", label: "พ.ย. 66", count: 3)], tookMicros: 812)),
    // Issue 16.
    Sample(TimelineRequest(queries: ["วัคซีน", "\"น้ำท่วม\" OR ฝุ่น"], period: .week, from: CivilDate(year: 1969, month: 12, day: 29),
                           to: CivilDate(year: 2024, month: 12, day: 31), categories: ["economy"], language: .en, wholeWords: true, totals: true)),
    Sample(TimelineRequest(queries: ["x"])),
    Sample(TimelineSeries(query: "(ข้าว", total: 0, error: "missing )", errorPosition: 5)),
    Sample(TimelineResponse(periodStartDays: [-31, 19_358],
                            series: [TimelineSeries(query: "วัคซีน", total: 70_000, counts: [0, 70_000])], totals: [3, UInt64.max], tookMicros: 99)),
    Sample(GetRequest(id: -7, includeVersions: true)),
    Sample(ReleaseVersion(version: 2, contentHash: "ab12", storedAtUnixMs: 1_700_000_000_000, release: thaiRelease())),
    Sample(GetResponse(release: thaiRelease(paragraphs: 12), version: 3,
                       versions: [ReleaseVersion(version: 1, contentHash: "aa", storedAtUnixMs: 1, release: thaiRelease(paragraphs: 1))])),
    Sample(GetResponse(release: nil, version: 0, versions: [])),
    Sample(LatestRequest(limit: 20)),
    Sample(LatestResponse(hits: (0..<3).map(thaiHit))),
    Sample(StatsRequest()),
    Sample(StatsResponse(version: "khaosan 0.1", releases: 187, versions: 190, databaseBytes: 1 << 30, textBytes: 9_000_000,
                         first: CivilDate(year: 2020, month: 9, day: 17), last: CivilDate(year: 2023, month: 11, day: 10),
                         categories: [FacetCount(key: "ภาคการค้าการลงทุน", label: "ภาคการค้าการลงทุน", count: 7)],
                         languages: [FacetCount(key: "th", label: "ไทย", count: 180), FacetCount(key: "en", label: "English", count: 7)],
                         appliedSequence: UInt64.max, protobufCVersion: "1.4.1")),
    Sample(BatchItem(sequence: 9, release: thaiRelease())),
    Sample(ApplyBatchRequest(source: "ingestd-ก", items: (0..<4).map { BatchItem(sequence: UInt64($0), release: thaiRelease(id: Int64($0))) })),
    Sample(ApplyBatchResponse(appliedSequence: 99, inserted: 3, updated: 1, duplicates: 2)),
    Sample(AppliedPositionRequest(source: "ingestd-ก")),
    Sample(AppliedPositionResponse(appliedSequence: 77)),
    Sample(IntegrityCheckRequest()),
    Sample(IntegrityCheckResponse(ok: true, detail: "ตรวจแล้ว ok")),
    Sample(BackupRequest(path: "/var/backups/คลัง.sqlite")),
    Sample(BackupResponse(bytes: 123_456_789, releases: 187)),
    Sample(IngestRequest.raw(.thaigovFile(fileName: "ภาคการค้าการลงทุน_1_2265c261.txt", bytes: Array("ข่าว\n\0\u{FF}".utf8) + [0xFF, 0x00]), categoryOverride: nil)),
    Sample(IngestRequest.raw(.structuredJSON(fileName: "x.json", bytes: Array("{\"title\":\"ข่าว\"}".utf8)), categoryOverride: "เศรษฐกิจ")),
    Sample(IngestRequest.raw(.thaigovFile(fileName: "", bytes: []), categoryOverride: nil)),
    Sample(IngestRequest.release(thaiRelease())),
    Sample(IngestResult(status: .rejected, id: 5, fileName: "ด้านกฎหมายฯ_1.txt",
                        error: ReleaseError(code: .badDateLine, field: "published", line: 4, message: "line 4: \"วันพุธที่ 31 กุมภาพันธ์ 2566\""), sequence: 0)),
    Sample(IngestResult(status: .rejected, error: ReleaseError(code: .emptyFile, message: "empty"))),
    Sample(IngestResult(status: .accepted, id: 6001, fileName: "a.txt", sequence: 12)),
    // Issue 15: notes on an accepted release.
    Sample(IngestResult(status: .updated, id: 6002, fileName: "_1.txt", sequence: 13, notes: [
        IngestNote(code: IngestNote.categoryKept, field: "category", message: "kept \"ด้านสังคม\" from the version before"),
        IngestNote(code: IngestNote.titleOnly, message: "no body text"),
    ])),
    Sample(IngestResult(status: .duplicate)),
    Sample(IngestResult(status: .updated)),
    Sample(SyncRequest()),
    Sample(SyncResponse(appliedSequence: 5)),
    Sample(IngestStatusRequest()),
    Sample(IngestStatusResponse(version: "0.1", protobufCVersion: "1.4.1", journalBytes: 10, journalSegments: 2, lastSequence: 3, forwardedSequence: 2,
                                lag: 1, queryReachable: true, acceptedTotal: 4, duplicateTotal: 5, updatedTotal: 6, rejectedTotal: 7,
                                lastForwardError: "connect: ไม่พบ socket")),
    Sample(HealthCheckRequest(service: "khaosan.v1.QueryService")),
    Sample(HealthCheckResponse(status: .serving)),
    Sample(HealthCheckResponse(status: .notServing)),
    Sample(HealthCheckResponse(status: .serviceUnknown)),
]

@Test(arguments: everyMessage)
func roundTrip(_ sample: Sample) throws {
    _ = try sample.roundTrip()
}

@Test func thaiStringsSurviveByteForByte() throws {
    #expect(composedU == reorderedU, "precondition: Swift treats the two spellings as equal")
    #expect(Array(composedU.utf8) != Array(reorderedU.utf8))
    let release = thaiRelease(paragraphs: 6)
    let back = try Release(wireBytes: try release.wireBytes())
    #expect(Array(back.title.utf8) == Array(release.title.utf8))
    #expect(back.title.utf8.suffix(9).elementsEqual(composedU.utf8))
    #expect(back.paragraphs.map { Array($0.utf8) } == release.paragraphs.map { Array($0.utf8) })
    #expect(back.entities.map { Array($0.utf8) } == release.entities.map { Array($0.utf8) })
    #expect(Array(back.category.name.utf8) == Array(release.category.name.utf8))
    #expect(back.published == release.published)
}

@Test func mappingsFollowTheProto() throws {
    // slug nil <-> "", field nil <-> "", line nil <-> 0, categoryOverride nil <-> "".
    var r = thaiRelease()
    r.category.slug = nil
    #expect(try Release(wireBytes: r.wireBytes()).category.slug == nil)
    r.category.slug = ""
    #expect(try Release(wireBytes: r.wireBytes()).category.slug == nil)

    // published_days is days since 1970-01-01: 2023-11-10 is day 19671.
    let bytes = try thaiRelease().wireBytes()
    let published = Proto.int(4, 19_671)
    #expect(bytes.windows(ofCount: published.count).contains { Array($0) == published })

    let stats = try StatsResponse(wireBytes: StatsResponse(releases: 0, first: CivilDate(year: 2020, month: 1, day: 1)).wireBytes())
    #expect(stats.first == nil, "dates mean nothing in an empty archive")
}

/// Real data: a corpus file split into paragraphs by lines.
@Test(.enabled(if: corpusFile() != nil))
func realCorpusReleaseRoundTrips() throws {
    let text = try #require(corpusFile())
    let lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    let release = Release(
        id: 1, sourceURL: "https://www.thaigov.go.th/news/contents/details/1", title: lines[0],
        published: CivilDate(year: 2023, month: 11, day: 10), category: Category(name: "ภาคการค้าการลงทุน", slug: nil),
        language: .th, paragraphs: Array(lines.dropFirst()), entities: [], contentHash: "00"
    )
    let bytes = try release.wireBytes()
    let back = try Release(wireBytes: bytes)
    #expect(back.paragraphs.map { Array($0.utf8) } == release.paragraphs.map { Array($0.utf8) })
    #expect(bytes.count > text.utf8.count - lines.count)
}

/// The largest bundled corpus fixture: a real Thai release.
func corpusFile() -> String? {
    let largest = Fixtures.corpusFiles().max { a, b in
        ((try? a.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0) < ((try? b.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0)
    }
    return largest.flatMap { try? String(contentsOf: $0, encoding: .utf8) }
}

extension Array where Element == UInt8 {
    func windows(ofCount n: Int) -> [ArraySlice<UInt8>] {
        guard count >= n else { return [] }
        return (0...(count - n)).map { self[$0..<($0 + n)] }
    }
}

/// `SizeLimits` is one derivation (issue 13, item 3): the model's input limit is the wire's, and
/// a batch of one record of the largest size still fits a message.
@Suite("Size limits agree")
struct SizeLimitsTests {
    @Test func limitsAreDerivedFromTheMessageLimit() throws {
        #expect(SizeLimits.maxReleaseInputBytes == ReleaseParser.defaultMaxBytes)
        #expect(SizeLimits.maxRecordBytes < SizeLimits.maxMessageBytes)
        // The biggest record a release may encode to, as one forwarded item with a long source id
        // and the largest sequence number, still leaves room in the message.
        let release = Release(
            id: Int64.max, sourceURL: "https://www.thaigov.go.th/news/contents/details/1", title: "t",
            published: CivilDate(year: 2024, month: 1, day: 1), category: Category(name: "ข่าว", slug: nil), language: .th,
            paragraphs: [String(repeating: "a", count: SizeLimits.maxRecordBytes - 200)], entities: [], contentHash: "0123456789abcdef")
        let record = try BatchItem(sequence: 0, release: release).wireBytes()
        #expect(record.count <= SizeLimits.maxRecordBytes)
        let batch = try ApplyBatchRequest(source: String(repeating: "s", count: 200), items: [BatchItem(sequence: .max, release: release)]).wireBytes()
        #expect(batch.count <= SizeLimits.maxMessageBytes)
    }
}
