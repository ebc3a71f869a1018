import KhaosanModel
import KhaosanWire
import Testing

struct Crafted: Sendable, CustomTestStringConvertible {
    var name: String
    var bytes: [UInt8]
    var decode: @Sendable ([UInt8]) throws(WireError) -> Void
    var field: String
    var testDescription: String { name }

    init<M: WireMessage>(_: M.Type, _ name: String, _ bytes: [UInt8], field: String) {
        self.name = "\(M.protoName): \(name)"
        self.bytes = bytes
        self.decode = { (b) throws(WireError) in _ = try M(wireBytes: b) }
        self.field = field
    }
}

/// The minimum a Release needs to decode: a language.
let releaseHead = Proto.string(3, "ข่าว") + Proto.int(6, 1)

let invalidUTF8Cases: [Crafted] = [
    Crafted(Release.self, "title", Proto.int(6, 1) + Proto.bytes(3, badUTF8), field: "title"),
    Crafted(Release.self, "second paragraph", releaseHead + Proto.string(7, "ย่อหน้า") + Proto.bytes(7, [0x61, 0xFF]), field: "paragraphs[1]"),
    Crafted(Release.self, "category slug", releaseHead + Proto.bytes(5, Proto.string(1, "ก") + Proto.bytes(2, [0xC0, 0x80])), field: "category.slug"),
    Crafted(GetResponse.self, "nested paragraph", Proto.bytes(1, releaseHead + (0..<3).flatMap { _ in Proto.string(7, "ก") } + Proto.bytes(7, badUTF8)),
            field: "release.paragraphs[3]"),
    Crafted(ApplyBatchRequest.self, "item release title", Proto.bytes(2, Proto.int(1, 1) + Proto.bytes(2, Proto.int(6, 1))) + Proto.bytes(2, Proto.bytes(2, Proto.int(6, 2) + Proto.bytes(3, [0xED, 0xA0, 0x80]))),
            field: "items[1].release.title"),
    Crafted(SearchRequest.self, "category", Proto.bytes(6, badUTF8), field: "categories[0]"),
    Crafted(SearchRequest.self, "query", Proto.bytes(1, [0x80]), field: "query"),
    Crafted(SearchResponse.self, "month facet label", Proto.bytes(4, Proto.bytes(2, badUTF8)), field: "month_facets[0].label"),
    Crafted(IngestResult.self, "error message", Proto.bytes(4, Proto.bytes(4, badUTF8)), field: "error.message"),
    Crafted(IngestRequest.self, "raw file name", Proto.bytes(1, Proto.bytes(1, badUTF8)), field: "raw.file_name"),
    Crafted(HealthCheckRequest.self, "service", Proto.bytes(1, [0xF8, 0x88, 0x80, 0x80, 0x80]), field: "service"),
]

@Test(arguments: invalidUTF8Cases)
func invalidUTF8IsRejectedNamingTheField(_ c: Crafted) {
    #expect {
        try c.decode(c.bytes)
    } throws: { error in
        guard let e = error as? WireError else { return false }
        return e.code == .invalidUTF8 && e.field == c.field
    }
}

@Test func rawTextIsBytesSoBadUTF8AndNULReachTheParser() throws {
    let bytes = Proto.bytes(1, Proto.string(1, "a.txt") + Proto.bytes(2, [0x00, 0xFF, 0x41]))
    let request = try IngestRequest(wireBytes: bytes)
    #expect(request == .raw(.thaigovFile(fileName: "a.txt", bytes: [0x00, 0xFF, 0x41]), categoryOverride: nil))
}

struct NULCase: Sendable, CustomTestStringConvertible {
    var field: String
    var encode: @Sendable () throws(WireError) -> [UInt8]
    var testDescription: String { field }
}

let nulCases: [NULCase] = [
    NULCase(field: "title") { () throws(WireError) in
        var r = thaiRelease()
        r.title = "ข่าว\u{0}ลับ"
        return try r.wireBytes()
    },
    NULCase(field: "items[1].release.paragraphs[2]") { () throws(WireError) in
        var r = thaiRelease(paragraphs: 4)
        r.paragraphs[2] = "\u{0}"
        return try ApplyBatchRequest(source: "s", items: [BatchItem(sequence: 1, release: thaiRelease()), BatchItem(sequence: 2, release: r)]).wireBytes()
    },
    NULCase(field: "category.name") { () throws(WireError) in
        var r = thaiRelease()
        r.category.name = "a\u{0}"
        return try r.wireBytes()
    },
    NULCase(field: "categories[1]") { () throws(WireError) in
        try SearchRequest(categories: ["ok", "x\u{0}y"]).wireBytes()
    },
    NULCase(field: "raw.category_override") { () throws(WireError) in
        try IngestRequest.raw(.thaigovFile(fileName: "a.txt", bytes: [0]), categoryOverride: "\u{0}").wireBytes()
    },
    NULCase(field: "error.field") { () throws(WireError) in
        try IngestResult(status: .rejected, error: ReleaseError(code: .badField, field: "t\u{0}", message: "m")).wireBytes()
    },
    NULCase(field: "hits[0].highlights") { () throws(WireError) in
        // Control: highlights hold no strings, so the NUL is in the snippet.
        var hit = thaiHit(0)
        hit.snippet = "\u{0}"
        return try LatestResponse(hits: [hit]).wireBytes()
    },
]

@Test(arguments: nulCases)
func embeddedNULIsRejectedNamingTheField(_ c: NULCase) {
    let expected = c.field == "hits[0].highlights" ? "hits[0].snippet" : c.field
    #expect {
        _ = try c.encode()
    } throws: { error in
        guard let e = error as? WireError else { return false }
        return e.code == .embeddedNUL && e.field == expected
    }
}

@Test(arguments: [
    ("truncated length", [0x1A, 0x05, 0x41] as [UInt8]),
    ("tag without value", [0x0A]),
    ("unterminated varint", [0x08, 0xFF, 0xFF, 0xFF]),
    ("eleven-byte varint", [0x08] + [UInt8](repeating: 0xFF, count: 10) + [0x01]),
    ("wire type 7", [0x0F, 0x00]),
    ("field number 0", [0x02, 0x00]),
    ("wrong wire type for a string", [0x1D, 0x00, 0x00, 0x00, 0x00]),
    ("length over 2 GiB", [0x3A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]),
])
func garbageIsMalformed(_ name: String, _ bytes: [UInt8]) {
    #expect {
        _ = try Release(wireBytes: Proto.int(6, 1) + bytes)
    } throws: { error in
        (error as? WireError)?.code == .malformed
    }
}

@Test func unknownFieldsAreSkipped() throws {
    let release = thaiRelease()
    let bytes = try release.wireBytes() + Proto.string(99, "from a newer peer") + Proto.int(100, 7)
    #expect(try Release(wireBytes: bytes) == release)
}

@Test(arguments: [
    ("sort", Proto.int(8, 9)),
    ("language", Proto.int(7, 3)),
])
func unknownEnumValuesAreInvalid(_ field: String, _ bytes: [UInt8]) {
    #expect {
        _ = try SearchRequest(wireBytes: bytes)
    } throws: { error in
        guard let e = error as? WireError else { return false }
        return e.code == .invalidValue && e.field == field
    }
}

@Test func missingRequiredPartsAreInvalid() {
    // An empty Release has no language; a BatchItem needs its release; an IngestRequest needs an item.
    let cases: [(String, () throws -> Void)] = [
        ("language", { _ = try Release(wireBytes: []) }),
        ("items[0].release", { _ = try ApplyBatchRequest(wireBytes: Proto.bytes(2, Proto.int(1, 5))) }),
        ("item", { _ = try IngestRequest(wireBytes: []) }),
        ("hits[0].language", { _ = try LatestResponse(wireBytes: Proto.bytes(1, Proto.int(1, 5))) }),
    ]
    for (field, run) in cases {
        #expect {
            try run()
        } throws: { error in
            guard let e = error as? WireError else { return false }
            return e.code == .invalidValue && e.field == field
        }
    }
}

@Test func datesBeyondInt32AreInvalid() {
    var r = thaiRelease()
    r.published = CivilDate(year: 9_000_000, month: 1, day: 1)
    #expect {
        _ = try r.wireBytes()
    } throws: { error in
        guard let e = error as? WireError else { return false }
        return e.code == .invalidValue && e.field == "published_days"
    }
}

/// 4 MiB of two-byte unknown fields: protobuf-c would allocate ~187 MB for this.
let hostile: [UInt8] = {
    var out = [UInt8]()
    out.reserveCapacity(4 << 20)
    while out.count < 4 << 20 { out += [0x78, 0x00] }
    return out
}()

@Test(arguments: [WireLimits.fixed(1 << 20), WireLimits.default])
func hostileUnknownFieldsHitTheAllocationLimit(_ limits: WireLimits) {
    #expect {
        _ = try SearchRequest(wireBytes: hostile, limits: limits)
    } throws: { error in
        (error as? WireError)?.code == .allocationLimit
    }
}

@Test func budgetIsEnoughForALargeLegitimateMessage() throws {
    // 200 hits with many highlights is the densest legitimate shape (small structs per wire byte).
    var hits = (0..<200).map(thaiHit)
    for i in hits.indices { hits[i].highlights = (0..<50).map { Highlight(start: UInt32($0), end: UInt32($0 + 1)) } }
    let response = SearchResponse(hits: hits, total: 200)
    #expect(try SearchResponse(wireBytes: response.wireBytes()) == response)
}

struct EmptyCase: Sendable, CustomTestStringConvertible {
    var name: String
    var check: @Sendable () throws -> Void
    var testDescription: String { name }
    init<M: WireMessage & Equatable>(_ value: M) {
        name = M.protoName
        check = { () throws -> Void in
            let bytes = try value.wireBytes()
            #expect(bytes == [], "an all-default message packs to nothing")
            let decoded = try M(wireBytes: [])
            #expect(decoded == value)
        }
    }
}

@Test(arguments: [
    EmptyCase(SearchRequest()), EmptyCase(Highlight(start: 0, end: 0)), EmptyCase(FacetCount(key: "", count: 0)), EmptyCase(SearchResponse()),
    EmptyCase(GetRequest()), EmptyCase(GetResponse()), EmptyCase(LatestRequest()), EmptyCase(LatestResponse()), EmptyCase(StatsRequest()),
    EmptyCase(StatsResponse()), EmptyCase(ApplyBatchRequest()), EmptyCase(ApplyBatchResponse()), EmptyCase(AppliedPositionRequest()),
    EmptyCase(AppliedPositionResponse()), EmptyCase(IntegrityCheckRequest()), EmptyCase(IntegrityCheckResponse()), EmptyCase(BackupRequest()),
    EmptyCase(BackupResponse()), EmptyCase(IngestResult()), EmptyCase(SyncRequest()), EmptyCase(SyncResponse()), EmptyCase(IngestStatusRequest()),
    EmptyCase(IngestStatusResponse()), EmptyCase(HealthCheckRequest()), EmptyCase(HealthCheckResponse()),
])
func emptyPayloadDecodesToDefaults(_ c: EmptyCase) throws {
    try c.check()
}

/// A stream reader hands over whatever has arrived: every prefix must decode or throw, never crash.
@Test(arguments: [0, 1])
func everyPrefixDecodesOrThrows(_ which: Int) throws {
    let bytes: [UInt8] = which == 0
        ? try GetResponse(release: thaiRelease(paragraphs: 4), version: 2, versions: [ReleaseVersion(version: 1, contentHash: "a", storedAtUnixMs: 5, release: thaiRelease(paragraphs: 2))]).wireBytes()
        : try SearchResponse(hits: (0..<3).map(thaiHit), total: 3, categoryFacets: [FacetCount(key: "k", label: "ป้าย", count: 1)]).wireBytes()
    var decoded = 0
    var errors = 0
    for n in 0...bytes.count {
        let prefix = Array(bytes[..<n])
        do {
            if which == 0 { _ = try GetResponse(wireBytes: prefix) } else { _ = try SearchResponse(wireBytes: prefix) }
            decoded += 1
        } catch {
            #expect(error.code == .malformed || error.code == .invalidValue || error.code == .invalidUTF8, "\(n): \(error)")
            errors += 1
        }
    }
    #expect(decoded + errors == bytes.count + 1)
    #expect(decoded >= 2, "the empty prefix and the whole message decode")
    #expect(errors > 0)
}

@Test func libraryIsNewEnough() throws {
    try WireLibrary.checkMinimumVersion()
    #expect(WireLibrary.protobufCVersionNumber >= 1_004_001)
    #expect(WireLibrary.protobufCVersion.split(separator: ".").count == 3)
}

@Test func errorsDescribeThemselves() {
    let e = WireError(code: .invalidUTF8, field: "release.paragraphs[3]", message: "bad")
    #expect(e.description == "invalid-utf8 at release.paragraphs[3]: bad")
}

/// pack/unpack are reentrant and each decode has its own budget: decode from many tasks at once.
@Test func concurrentDecodesAreIndependent() async throws {
    let bytes = try ApplyBatchRequest(source: "s", items: (0..<3).map { BatchItem(sequence: UInt64($0), release: thaiRelease(id: Int64($0))) }).wireBytes()
    let ok = await withTaskGroup(of: Bool.self) { group in
        for i in 0..<16 {
            group.addTask {
                if i % 4 == 0 { return (try? SearchRequest(wireBytes: hostile, limits: .fixed(1 << 20))) == nil }
                return (try? ApplyBatchRequest(wireBytes: bytes))?.items.count == 3
            }
        }
        return await group.reduce(true) { $0 && $1 }
    }
    #expect(ok)
}

/// Issue 13, item 8: a NUL inside a string used to be cut there by protobuf-c, silently. Now the
/// message is refused before the unpack, naming the field.
@Suite("Wire: NUL inside a string")
struct EmbeddedNULTests {
    static func release(title: String, paragraphs: [String] = ["เนื้อหา"]) -> Release {
        Release(id: 7, sourceURL: "https://www.thaigov.go.th/news/contents/details/7", title: title,
                published: CivilDate(year: 2024, month: 5, day: 1), category: Category(name: "ข่าว", slug: nil),
                language: .th, paragraphs: paragraphs, entities: [], contentHash: "00ff")
    }

    /// Encodes with the marker "QZQ" in a string, then turns its Z into NUL (Swift's encoder
    /// refuses NUL). Three bytes, so no length or tag byte can be mistaken for it.
    static func withNUL(_ bytes: [UInt8]) -> [UInt8] {
        var out = bytes
        let marker = Array("QZQ".utf8)
        let i = (0...(out.count - marker.count)).first { out[$0..<($0 + marker.count)].elementsEqual(marker) }!
        out[i + 1] = 0
        return out
    }

    @Test func nulInAStructuredReleaseTitle() throws {
        let bytes = Self.withNUL(try IngestRequest.release(Self.release(title: "หัวข้อQZQต่อ")).wireBytes())
        let error = #expect(throws: WireError.self) { _ = try IngestRequest(wireBytes: bytes) }
        #expect(error?.code == .embeddedNUL)
        #expect(error?.field == "release.title")
    }

    @Test func nulInAForwardedParagraphNamesItsPlace() throws {
        let items = [BatchItem(sequence: 1, release: Self.release(title: "a")),
                     BatchItem(sequence: 2, release: Self.release(title: "b", paragraphs: ["หนึ่ง", "สองQZQสาม"]))]
        let bytes = Self.withNUL(try ApplyBatchRequest(source: "s", items: items).wireBytes())
        let error = #expect(throws: WireError.self) { _ = try ApplyBatchRequest(wireBytes: bytes) }
        #expect(error?.code == .embeddedNUL)
        #expect(error?.field == "items[1].release.paragraphs[1]")
    }

    @Test func nulInBytesIsNotAString() throws {
        let raw = RawRelease.thaigovFile(fileName: "a.txt", bytes: [0x41, 0x00, 0x42])
        let decoded = try IngestRequest(wireBytes: try IngestRequest.raw(raw, categoryOverride: nil).wireBytes())
        #expect(decoded == .raw(raw, categoryOverride: nil))
    }
}

/// The offset in the message is the first byte of the first ill-formed sequence, as a peer
/// would count it (found by UTF8Scan after the SIMD check says no).
@Test(arguments: [
    ([0x61, 0x62, 0xE0, 0x80, 0x80], 2),
    (Array("กข".utf8) + [0xFF], 6),
    ([0x61, 0xE0, 0xB8], 1),
    (Array("ab".utf8) + [0xED, 0xA0, 0x80], 2),
    ([0xF4, 0x90, 0x80, 0x80], 0),
    (Array("กขค".utf8) + [0x41, 0xC0, 0x80], 10),
    (Array("ok".utf8) + [0xF0, 0x9F, 0x98], 2),
] as [([UInt8], Int)])
func invalidUTF8NamesTheFirstBadByte(_ bytes: [UInt8], _ offset: Int) {
    #expect {
        try HealthCheckRequest(wireBytes: Proto.bytes(1, bytes))
    } throws: { error in
        guard let e = error as? WireError else { return false }
        return e.code == .invalidUTF8 && e.message == "string of \(bytes.count) bytes is not valid UTF-8 (first bad byte near offset \(offset))"
    }
}
