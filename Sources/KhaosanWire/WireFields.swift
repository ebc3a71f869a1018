// The field conversions that generated code (Generated/, scripts/gen-wire.py) calls. The generator
// knows the proto; the Swift property's type picks the variant (String or String? with "" as nil,
// T or T? for a message, E or E? for an enum), so the generator never needs to read Swift.
// Everything here is generic within this module, so release builds specialise it away.
internal import CProtobufC
internal import CKhaosanProto

/// A Swift value converted field by field to and from its protoc-c struct.
protocol WireStruct {
    associatedtype CType: CMessage
    init(c: borrowing CType) throws(WireError)
    func fill(_ m: UnsafeMutablePointer<CType>, _ arena: Arena) throws(WireError)
    /// About the bytes the C side of an encode takes (structs, strings, pointer arrays): sizes the
    /// arena's first chunk so that one malloc holds the whole message.
    var wireSizeHint: Int { get }
    /// The value of a non-optional field of this type that is absent from the message.
    static func wireMissing(field: String) throws(WireError) -> Self
}

extension WireStruct {
    static func wireMissing(field: String) throws(WireError) -> Self {
        throw WireError(code: .invalidValue, field: field, message: "\(field) is missing")
    }
}

// MARK: Singular message fields

/// A singular message field's Swift type: a `WireStruct` (required) or an optional one.
protocol WireSubmessage {
    associatedtype CType: CMessage
    static func wireSubmessage(_ p: UnsafeMutablePointer<CType>?, field: String) throws(WireError) -> Self
    func storeWireSubmessage(into slot: inout UnsafeMutablePointer<CType>?, _ arena: Arena, field: String) throws(WireError)
    var wireSubmessageSizeHint: Int { get }
}

extension WireSubmessage where Self: WireStruct {
    @inline(__always)
    static func wireSubmessage(_ p: UnsafeMutablePointer<CType>?, field: String) throws(WireError) -> Self {
        guard let p else { return try wireMissing(field: field) }
        do throws(WireError) { return try Self(c: p.pointee) } catch { throw error.under(field) }
    }

    @inline(__always)
    func storeWireSubmessage(into slot: inout UnsafeMutablePointer<CType>?, _ arena: Arena, field: String) throws(WireError) {
        let m = arena.message(CType.self)
        do throws(WireError) { try fill(m, arena) } catch { throw error.under(field) }
        slot = m
    }

    var wireSubmessageSizeHint: Int { wireSizeHint }
}

extension Optional: WireSubmessage where Wrapped: WireSubmessage & WireStruct {
    typealias CType = Wrapped.CType

    @inline(__always)
    static func wireSubmessage(_ p: UnsafeMutablePointer<CType>?, field: String) throws(WireError) -> Self {
        guard p != nil else { return nil }
        return try Wrapped.wireSubmessage(p, field: field)
    }

    @inline(__always)
    func storeWireSubmessage(into slot: inout UnsafeMutablePointer<CType>?, _ arena: Arena, field: String) throws(WireError) {
        if let self { try self.storeWireSubmessage(into: &slot, arena, field: field) }
    }

    var wireSubmessageSizeHint: Int { self?.wireSubmessageSizeHint ?? 0 }
}

@inline(__always)
func decodeSubmessage<T: WireSubmessage>(_ p: UnsafeMutablePointer<T.CType>?, field: String) throws(WireError) -> T {
    try T.wireSubmessage(p, field: field)
}

@inline(__always)
func encodeSubmessage<T: WireSubmessage>(_ value: T, into slot: inout UnsafeMutablePointer<T.CType>?, _ arena: Arena, field: String) throws(WireError) {
    try value.storeWireSubmessage(into: &slot, arena, field: field)
}

// MARK: Strings

/// A string field's Swift type: `String`, or `String?` for which "" on the wire is nil.
protocol WireStringField {
    static func wireString(_ p: UnsafePointer<CChar>?, field: String) throws(WireError) -> Self
    func storeWireString(into slot: inout UnsafeMutablePointer<CChar>?, _ arena: Arena, field: String) throws(WireError)
    var wireStringSizeHint: Int { get }
}

extension String: WireStringField {
    @inline(__always)
    static func wireString(_ p: UnsafePointer<CChar>?, field: String) throws(WireError) -> String {
        try swiftString(p, field: field)
    }

    @inline(__always)
    func storeWireString(into slot: inout UnsafeMutablePointer<CChar>?, _ arena: Arena, field: String) throws(WireError) {
        slot = try arena.cString(self, field: field)
    }

    var wireStringSizeHint: Int { utf8.count + 1 }
}

extension Optional: WireStringField where Wrapped == String {
    @inline(__always)
    static func wireString(_ p: UnsafePointer<CChar>?, field: String) throws(WireError) -> String? {
        try optionalString(p, field: field)
    }

    /// nil leaves the field at protoc-c's default, the empty string.
    @inline(__always)
    func storeWireString(into slot: inout UnsafeMutablePointer<CChar>?, _ arena: Arena, field: String) throws(WireError) {
        if let self { slot = try arena.cString(self, field: field) }
    }

    var wireStringSizeHint: Int { self.map { $0.utf8.count + 1 } ?? 0 }
}

@inline(__always)
func decodeString<T: WireStringField>(_ p: UnsafePointer<CChar>?, field: String) throws(WireError) -> T {
    try T.wireString(p, field: field)
}

@inline(__always)
func encodeString<T: WireStringField>(_ value: T, into slot: inout UnsafeMutablePointer<CChar>?, _ arena: Arena, field: String) throws(WireError) {
    try value.storeWireString(into: &slot, arena, field: field)
}

// MARK: Enums

/// A Swift enum mirroring a proto enum (the mapping is generated). An unknown value is
/// `.invalidValue`: it means a newer peer.
protocol WireEnumField {
    associatedtype CEnum: Equatable
    static func wireEnum(_ c: CEnum, field: String) throws(WireError) -> Self
    var wireEnumValue: CEnum { get }
}

/// An enum whose zero value (`[swift: nil]` in the proto) has no case: `E?` holds it as nil, and
/// a non-optional `E` field refuses it.
protocol WireNullableEnum: WireEnumField {
    static var wireNil: CEnum { get }
}

extension Optional: WireEnumField where Wrapped: WireNullableEnum {
    typealias CEnum = Wrapped.CEnum

    @inline(__always)
    static func wireEnum(_ c: CEnum, field: String) throws(WireError) -> Self {
        c == Wrapped.wireNil ? nil : try Wrapped.wireEnum(c, field: field)
    }

    var wireEnumValue: CEnum { self?.wireEnumValue ?? Wrapped.wireNil }
}

@inline(__always)
func decodeEnum<T: WireEnumField>(_ c: T.CEnum, field: String) throws(WireError) -> T {
    try T.wireEnum(c, field: field)
}

// MARK: Repeated scalars

func swiftScalars<T>(_ items: UnsafeMutablePointer<T>?, count: Int) -> [T] {
    guard count > 0, let items else { return [] }
    return Array(UnsafeBufferPointer(start: items, count: count))
}

func cScalars<T>(_ values: [T], arena: Arena) -> (Int, UnsafeMutablePointer<T>?) {
    guard let array = arena.array(T.self, count: values.count) else { return (0, nil) }
    values.withUnsafeBufferPointer { src in _ = UnsafeMutableBufferPointer(start: array, count: src.count).initialize(fromContentsOf: src) }
    return (values.count, array)
}
