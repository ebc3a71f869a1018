// IngestRequest's hand mapping ([swift: hand-mapped] in ingest.proto): the proto's oneof is a Swift
// enum whose raw case carries KhaosanModel.RawRelease plus the category override, which together
// are the proto's RawRelease ([swift: no type]). The rest of its bridge is in Generated/.
internal import KhaosanModel
internal import CProtobufC
internal import CKhaosanProto

extension IngestRequest {
    init(c: borrowing Khaosan__V1__IngestRequest) throws(WireError) {
        switch c.item_case {
        case KHAOSAN__V1__INGEST_REQUEST__ITEM_RAW:
            guard let raw = c.raw else { throw WireError(code: .malformed, field: "raw", message: "oneof case set without a value") }
            do throws(WireError) {
                let (r, override) = try swiftRawRelease(raw.pointee)
                self = .raw(r, categoryOverride: override)
            } catch { throw error.under("raw") }
        case KHAOSAN__V1__INGEST_REQUEST__ITEM_RELEASE:
            self = .release(try decodeSubmessage(c.release, field: "release"))
        case KHAOSAN__V1__INGEST_REQUEST__ITEM__NOT_SET:
            throw WireError(code: .invalidValue, field: "item", message: "neither raw nor release is set")
        default:
            throw unknownEnum(c.item_case.rawValue, field: "item")
        }
    }

    func fill(_ m: UnsafeMutablePointer<Khaosan__V1__IngestRequest>, _ arena: Arena) throws(WireError) {
        switch self {
        case .raw(let r, let override):
            m.pointee.item_case = KHAOSAN__V1__INGEST_REQUEST__ITEM_RAW
            m.pointee.raw = try cRawRelease(r, categoryOverride: override, arena, field: "raw")
        case .release(let r):
            m.pointee.item_case = KHAOSAN__V1__INGEST_REQUEST__ITEM_RELEASE
            try encodeSubmessage(r, into: &m.pointee.release, arena, field: "release")
        }
    }

    var wireSizeHint: Int {
        switch self {
        case .raw(let r, _):
            switch r {
            case .thaigovFile(_, let b), .structuredJSON(_, let b): b.count + 512
            }
        case .release(let r): r.wireSizeHint
        }
    }
}

private func cRawRelease(_ r: RawRelease, categoryOverride: String?, _ arena: Arena, field: String) throws(WireError) -> UnsafeMutablePointer<Khaosan__V1__RawRelease> {
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

private func swiftRawRelease(_ c: borrowing Khaosan__V1__RawRelease) throws(WireError) -> (RawRelease, categoryOverride: String?) {
    let name = try swiftString(c.file_name, field: "file_name")
    let bytes = swiftBytes(c.text)
    let override = try optionalString(c.category_override, field: "category_override")
    switch c.format {
    case KHAOSAN__V1__RAW_RELEASE__FORMAT__FORMAT_THAIGOV: return (.thaigovFile(fileName: name, bytes: bytes), override)
    case KHAOSAN__V1__RAW_RELEASE__FORMAT__FORMAT_JSON: return (.structuredJSON(fileName: name, bytes: bytes), override)
    default: throw unknownEnum(c.format.rawValue, field: "format")
    }
}
