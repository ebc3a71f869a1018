// observability.proto <-> ObservabilityMessages.swift, with the messages' WireMessage
// conformances beside them (one block per message, in the shape of Conformances.swift, so
// scripts/gen-wire.py can take them over as they are).
internal import CProtobufC
internal import CKhaosanProto

extension Khaosan__V1__MetricsRequest: CMessage { static func initialize(_ m: UnsafeMutablePointer<Self>) { khaosan__v1__metrics_request__init(m) } }
extension Khaosan__V1__MetricsResponse: CMessage { static func initialize(_ m: UnsafeMutablePointer<Self>) { khaosan__v1__metrics_response__init(m) } }

extension MetricsRequest {
    init(c: borrowing Khaosan__V1__MetricsRequest) throws(WireError) { self.init() }
    func fill(_ m: UnsafeMutablePointer<Khaosan__V1__MetricsRequest>, _ arena: Arena) throws(WireError) {}
}

extension MetricsResponse {
    init(c: borrowing Khaosan__V1__MetricsResponse) throws(WireError) {
        self.init(text: try swiftString(c.text, field: "text"))
    }
    func fill(_ m: UnsafeMutablePointer<Khaosan__V1__MetricsResponse>, _ arena: Arena) throws(WireError) {
        m.pointee.text = try arena.cString(text, field: "text")
    }
}

// MARK: WireMessage conformances

extension MetricsRequest: WireMessage {
    package static var protoName: String { "khaosan.v1.MetricsRequest" }
    package init(wireBytes: UnsafeRawBufferPointer, limits: WireLimits) throws(WireError) {
        self = try wireDecode(Khaosan__V1__MetricsRequest.self, protoName: Self.protoName, bytes: wireBytes, limits: limits) { (c) throws(WireError) in try Self(c: c) }
    }
    package func wireBytes() throws(WireError) -> [UInt8] {
        try wireEncode(Khaosan__V1__MetricsRequest.self, { (m, arena) throws(WireError) in try fill(m, arena) })
    }
}

extension MetricsResponse: WireMessage {
    package static var protoName: String { "khaosan.v1.MetricsResponse" }
    package init(wireBytes: UnsafeRawBufferPointer, limits: WireLimits) throws(WireError) {
        self = try wireDecode(Khaosan__V1__MetricsResponse.self, protoName: Self.protoName, bytes: wireBytes, limits: limits) { (c) throws(WireError) in try Self(c: c) }
    }
    package func wireBytes() throws(WireError) -> [UInt8] {
        try wireEncode(Khaosan__V1__MetricsResponse.self, sizeHint: text.utf8.count, { (m, arena) throws(WireError) in try fill(m, arena) })
    }
}
