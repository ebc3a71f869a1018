package import KhaosanRPC

/// A message of the Khaosan wire format (Protos/khaosan/v1), encoded by libprotobuf-c.
/// Conforming types are plain Swift values; no C type or pointer appears in this API.
package protocol WireMessage: RPCMessage {
    /// The protobuf full name, e.g. `khaosan.v1.SearchRequest`.
    static var protoName: String { get }
    /// Decodes one message. The bytes are only read during the call.
    init(wireBytes: UnsafeRawBufferPointer, limits: WireLimits) throws(WireError)
    /// Encodes the message. An all-default message encodes to zero bytes.
    func wireBytes() throws(WireError) -> [UInt8]
}

extension WireMessage {
    @inlinable
    package init(wireBytes: [UInt8], limits: WireLimits = .default) throws(WireError) {
        // withUnsafeBytes is `rethrows`, which does not carry a typed error: smuggle it out.
        var result: Result<Self, WireError>!
        wireBytes.withUnsafeBytes { raw in
            result = Result { () throws(WireError) -> Self in try Self(wireBytes: raw, limits: limits) }
        }
        self = try result.get()
    }
}

/// How much memory decoding may take. protobuf-c allocates per field (a hostile 4 MiB message of
/// tiny unknown fields made it allocate ~187 MB), so unpacking runs on a budgeted allocator.
package struct WireLimits: Sendable, Hashable {
    /// Hard ceiling on the bytes one decode may allocate, whatever the input size.
    package var maxAllocationBytes: Int
    /// Allowance per input byte. A legitimate message costs about 1-10x its size in C structs
    /// (a 4-byte Highlight becomes a 32-byte struct plus an 8-byte pointer).
    package var allocationBytesPerInputByte: Int
    /// Allowance for any message, so small messages never trip the limit.
    package var baseAllocationBytes: Int

    package init(maxAllocationBytes: Int = 64 << 20, allocationBytesPerInputByte: Int = 16, baseAllocationBytes: Int = 1 << 20) {
        self.maxAllocationBytes = maxAllocationBytes
        self.allocationBytesPerInputByte = allocationBytesPerInputByte
        self.baseAllocationBytes = baseAllocationBytes
    }

    /// min(64 MiB, 16 x input + 1 MiB).
    package static let `default` = WireLimits()

    /// A fixed budget regardless of input size.
    package static func fixed(_ bytes: Int) -> WireLimits {
        WireLimits(maxAllocationBytes: bytes, allocationBytesPerInputByte: 0, baseAllocationBytes: bytes)
    }

    func budget(forInputBytes n: Int) -> Int {
        let (scaled, o1) = n.multipliedReportingOverflow(by: allocationBytesPerInputByte)
        let (total, o2) = scaled.addingReportingOverflow(baseAllocationBytes)
        return (o1 || o2) ? maxAllocationBytes : min(maxAllocationBytes, total)
    }
}
