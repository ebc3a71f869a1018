// release.proto <-> KhaosanModel. Decisions:
// - Release.language LANGUAGE_UNSPECIFIED or an unknown value is `.invalidValue`: every stored
//   release has a language, and a value this build does not know means a newer peer.
// - Category.slug "" <-> nil; ReleaseErrorInfo field "" <-> nil, line 0 <-> nil.
// - A missing Category submessage decodes as name "" (proto3 default), since protobuf-c omits it
//   when the Swift side never sets one; a missing Release where one is required is `.invalidValue`.
package import KhaosanModel
internal import CProtobufC
internal import CKhaosanProto

extension Khaosan__V1__Category: CMessage { static func initialize(_ m: UnsafeMutablePointer<Self>) { khaosan__v1__category__init(m) } }
extension Khaosan__V1__Release: CMessage { static func initialize(_ m: UnsafeMutablePointer<Self>) { khaosan__v1__release__init(m) } }
extension Khaosan__V1__RawRelease: CMessage { static func initialize(_ m: UnsafeMutablePointer<Self>) { khaosan__v1__raw_release__init(m) } }
extension Khaosan__V1__ReleaseErrorInfo: CMessage { static func initialize(_ m: UnsafeMutablePointer<Self>) { khaosan__v1__release_error_info__init(m) } }

// MARK: Language

func cLanguage(_ l: Language) -> Khaosan__V1__Language {
    switch l {
    case .th: KHAOSAN__V1__LANGUAGE__LANGUAGE_TH
    case .en: KHAOSAN__V1__LANGUAGE__LANGUAGE_EN
    }
}

func cLanguage(_ l: Language?) -> Khaosan__V1__Language {
    l.map { cLanguage($0) } ?? KHAOSAN__V1__LANGUAGE__LANGUAGE_UNSPECIFIED
}

/// nil for LANGUAGE_UNSPECIFIED.
func swiftLanguage(_ c: Khaosan__V1__Language, field: String) throws(WireError) -> Language? {
    switch c {
    case KHAOSAN__V1__LANGUAGE__LANGUAGE_UNSPECIFIED: nil
    case KHAOSAN__V1__LANGUAGE__LANGUAGE_TH: .th
    case KHAOSAN__V1__LANGUAGE__LANGUAGE_EN: .en
    default: throw unknownEnum(c.rawValue, field: field)
    }
}

func requiredLanguage(_ c: Khaosan__V1__Language, field: String) throws(WireError) -> Language {
    guard let l = try swiftLanguage(c, field: field) else {
        throw WireError(code: .invalidValue, field: field, message: "language is unspecified")
    }
    return l
}

// MARK: Category

func fillCategory(_ m: UnsafeMutablePointer<Khaosan__V1__Category>, _ c: Category, _ arena: Arena) throws(WireError) {
    m.pointee.name = try arena.cString(c.name, field: "name")
    if let slug = c.slug { m.pointee.slug = try arena.cString(slug, field: "slug") }
}

func swiftCategory(_ c: UnsafeMutablePointer<Khaosan__V1__Category>?) throws(WireError) -> Category {
    guard let c else { return Category(name: "", slug: nil) }
    return Category(
        name: try swiftString(c.pointee.name, field: "name"),
        slug: try optionalString(c.pointee.slug, field: "slug")
    )
}

func cCategory(_ c: Category, _ arena: Arena, field: String) throws(WireError) -> UnsafeMutablePointer<Khaosan__V1__Category> {
    let m = arena.message(Khaosan__V1__Category.self)
    do throws(WireError) { try fillCategory(m, c, arena) } catch { throw error.under(field) }
    return m
}

func swiftCategory(_ c: UnsafeMutablePointer<Khaosan__V1__Category>?, field: String) throws(WireError) -> Category {
    do throws(WireError) { return try swiftCategory(c) } catch { throw error.under(field) }
}

// MARK: Release

/// UTF-8 bytes of the strings, to size the first arena chunk in one go.
func approximateSize(_ r: Release) -> Int {
    var n = r.title.utf8.count + r.sourceURL.utf8.count + r.contentHash.utf8.count + r.category.name.utf8.count + 256
    for p in r.paragraphs { n += p.utf8.count + 16 }
    for e in r.entities { n += e.utf8.count + 16 }
    return n
}

func fillRelease(_ m: UnsafeMutablePointer<Khaosan__V1__Release>, _ r: Release, _ arena: Arena) throws(WireError) {
    m.pointee.id = r.id
    m.pointee.source_url = try arena.cString(r.sourceURL, field: "source_url")
    m.pointee.title = try arena.cString(r.title, field: "title")
    m.pointee.published_days = try int32Days(r.published, field: "published_days")
    m.pointee.category = try cCategory(r.category, arena, field: "category")
    m.pointee.language = cLanguage(r.language)
    (m.pointee.n_paragraphs, m.pointee.paragraphs) = try cStrings(r.paragraphs, arena: arena, field: "paragraphs")
    (m.pointee.n_entities, m.pointee.entities) = try cStrings(r.entities, arena: arena, field: "entities")
    m.pointee.content_hash = try arena.cString(r.contentHash, field: "content_hash")
}

func cRelease(_ r: Release, _ arena: Arena, field: String) throws(WireError) -> UnsafeMutablePointer<Khaosan__V1__Release> {
    let m = arena.message(Khaosan__V1__Release.self)
    do throws(WireError) { try fillRelease(m, r, arena) } catch { throw error.under(field) }
    return m
}

func swiftRelease(_ c: borrowing Khaosan__V1__Release) throws(WireError) -> Release {
    Release(
        id: c.id,
        sourceURL: try swiftString(c.source_url, field: "source_url"),
        title: try swiftString(c.title, field: "title"),
        published: CivilDate(daysSinceEpoch: Int(c.published_days)),
        category: try swiftCategory(c.category, field: "category"),
        language: try requiredLanguage(c.language, field: "language"),
        paragraphs: try swiftStrings(c.paragraphs, count: c.n_paragraphs, field: "paragraphs"),
        entities: try swiftStrings(c.entities, count: c.n_entities, field: "entities"),
        contentHash: try swiftString(c.content_hash, field: "content_hash")
    )
}

/// A required Release submessage.
func swiftRelease(_ c: UnsafeMutablePointer<Khaosan__V1__Release>?, field: String) throws(WireError) -> Release {
    guard let c else { throw WireError(code: .invalidValue, field: field, message: "release is missing") }
    do throws(WireError) { return try swiftRelease(c.pointee) } catch { throw error.under(field) }
}

extension Release: WireMessage {
    package static var protoName: String { "khaosan.v1.Release" }

    package init(wireBytes: UnsafeRawBufferPointer, limits: WireLimits) throws(WireError) {
        self = try wireDecode(Khaosan__V1__Release.self, protoName: Self.protoName, bytes: wireBytes, limits: limits) { (c) throws(WireError) in
            try swiftRelease(c)
        }
    }

    package func wireBytes() throws(WireError) -> [UInt8] {
        try wireEncode(Khaosan__V1__Release.self, sizeHint: approximateSize(self)) { (m, arena) throws(WireError) in
            try fillRelease(m, self, arena)
        }
    }
}

// MARK: RawRelease

func cRawRelease(_ r: RawRelease, categoryOverride: String?, _ arena: Arena, field: String) throws(WireError) -> UnsafeMutablePointer<Khaosan__V1__RawRelease> {
    let m = arena.message(Khaosan__V1__RawRelease.self)
    do throws(WireError) {
        switch r {
        case .thaigovFile(let name, let bytes):
            m.pointee.file_name = try arena.cString(name, field: "file_name")
            m.pointee.text = arena.binary(bytes)
            m.pointee.format = KHAOSAN__V1__RAW_RELEASE__FORMAT__FORMAT_THAIGOV
        case .structuredJSON(let name, let bytes):
            m.pointee.file_name = try arena.cString(name, field: "file_name")
            m.pointee.text = arena.binary(bytes)
            m.pointee.format = KHAOSAN__V1__RAW_RELEASE__FORMAT__FORMAT_JSON
        }
        if let categoryOverride { m.pointee.category_override = try arena.cString(categoryOverride, field: "category_override") }
    } catch { throw error.under(field) }
    return m
}

func swiftRawRelease(_ c: borrowing Khaosan__V1__RawRelease) throws(WireError) -> (RawRelease, categoryOverride: String?) {
    let name = try swiftString(c.file_name, field: "file_name")
    let bytes = swiftBytes(c.text)
    let override = try optionalString(c.category_override, field: "category_override")
    switch c.format {
    case KHAOSAN__V1__RAW_RELEASE__FORMAT__FORMAT_THAIGOV: return (.thaigovFile(fileName: name, bytes: bytes), override)
    case KHAOSAN__V1__RAW_RELEASE__FORMAT__FORMAT_JSON: return (.structuredJSON(fileName: name, bytes: bytes), override)
    default: throw unknownEnum(c.format.rawValue, field: "format")
    }
}

// MARK: ReleaseErrorInfo

func cReleaseError(_ e: ReleaseError, _ arena: Arena, field: String) throws(WireError) -> UnsafeMutablePointer<Khaosan__V1__ReleaseErrorInfo> {
    let m = arena.message(Khaosan__V1__ReleaseErrorInfo.self)
    do throws(WireError) {
        m.pointee.code = try arena.cString(e.code.rawValue, field: "code")
        if let f = e.field { m.pointee.field = try arena.cString(f, field: "field") }
        if let line = e.line {
            guard let l = Int32(exactly: line), l > 0 else {
                throw WireError(code: .invalidValue, field: "line", message: "line \(line) is not in 1...\(Int32.max)")
            }
            m.pointee.line = l
        }
        m.pointee.message = try arena.cString(e.message, field: "message")
    } catch { throw error.under(field) }
    return m
}

func swiftReleaseError(_ c: borrowing Khaosan__V1__ReleaseErrorInfo) throws(WireError) -> ReleaseError {
    ReleaseError(
        code: ReleaseError.Code(rawValue: try swiftString(c.code, field: "code")),
        field: try optionalString(c.field, field: "field"),
        line: try lineNumber(c.line),
        message: try swiftString(c.message, field: "message")
    )
}

private func lineNumber(_ l: Int32) throws(WireError) -> Int? {
    guard l >= 0 else { throw WireError(code: .invalidValue, field: "line", message: "negative line \(l)") }
    return l == 0 ? nil : Int(l)
}
