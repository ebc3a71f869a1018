import KhaosanWire

/// A message that is its own bytes: the fuzzer's methods need no schema of their own.
struct Blob: WireMessage {
    static let protoName = "fuzz.Blob"
    var bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    init(wireBytes: UnsafeRawBufferPointer, limits: WireLimits) throws(WireError) { bytes = Array(wireBytes) }
    func wireBytes() throws(WireError) -> [UInt8] { bytes }
}
