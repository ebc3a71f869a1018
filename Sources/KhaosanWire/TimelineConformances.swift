// WireMessage conformances of timeline.proto's messages (issue 16), in the shape of
// Conformances.swift, which is to be generated: this file then goes.
internal import CKhaosanProto

extension TimelineRequest: WireMessage {
    package static var protoName: String { "khaosan.v1.TimelineRequest" }
    package init(wireBytes: UnsafeRawBufferPointer, limits: WireLimits) throws(WireError) {
        self = try wireDecode(Khaosan__V1__TimelineRequest.self, protoName: Self.protoName, bytes: wireBytes, limits: limits) { (c) throws(WireError) in try Self(c: c) }
    }
    package func wireBytes() throws(WireError) -> [UInt8] {
        try wireEncode(Khaosan__V1__TimelineRequest.self, { (m, arena) throws(WireError) in try fill(m, arena) })
    }
}

extension TimelineSeries: WireMessage {
    package static var protoName: String { "khaosan.v1.TimelineSeries" }
    package init(wireBytes: UnsafeRawBufferPointer, limits: WireLimits) throws(WireError) {
        self = try wireDecode(Khaosan__V1__TimelineSeries.self, protoName: Self.protoName, bytes: wireBytes, limits: limits) { (c) throws(WireError) in try Self(c: c) }
    }
    package func wireBytes() throws(WireError) -> [UInt8] {
        try wireEncode(Khaosan__V1__TimelineSeries.self, { (m, arena) throws(WireError) in try fill(m, arena) })
    }
}

extension TimelineResponse: WireMessage {
    package static var protoName: String { "khaosan.v1.TimelineResponse" }
    package init(wireBytes: UnsafeRawBufferPointer, limits: WireLimits) throws(WireError) {
        self = try wireDecode(Khaosan__V1__TimelineResponse.self, protoName: Self.protoName, bytes: wireBytes, limits: limits) { (c) throws(WireError) in try Self(c: c) }
    }
    package func wireBytes() throws(WireError) -> [UInt8] {
        try wireEncode(Khaosan__V1__TimelineResponse.self, { (m, arena) throws(WireError) in try fill(m, arena) })
    }
}
