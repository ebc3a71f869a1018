// libFuzzer entry point for the wire decoders: the first byte picks the message type, the rest is
// decoded with a small allocation budget. Any decode may throw; none may crash, leak or overrun
// (AddressSanitizer). A successful decode is re-encoded and decoded again, which must give the same bytes.
// Built and run by Fuzz/run-wire-fuzz.sh.
import KhaosanModel
import KhaosanWire

private func check<M: WireMessage & Equatable>(_: M.Type, _ bytes: UnsafeRawBufferPointer) {
    guard let message = try? M(wireBytes: bytes, limits: .fixed(8 << 20)) else { return }
    // A decoded message holds no NUL and only valid UTF-8, so it must encode and come back equal.
    guard let again = try? message.wireBytes() else { fatalError("\(M.protoName): decoded but does not re-encode") }
    // Bytes, not ==: a score of NaN is never equal to itself.
    guard let back = try? M(wireBytes: again), (try? back.wireBytes()) == again else {
        fatalError("\(M.protoName): re-encoding does not round-trip")
    }
}

private let decoders: [@Sendable (UnsafeRawBufferPointer) -> Void] = [
    { check(Release.self, $0) }, { check(SearchRequest.self, $0) }, { check(SearchResponse.self, $0) },
    { check(GetRequest.self, $0) }, { check(GetResponse.self, $0) }, { check(LatestRequest.self, $0) },
    { check(LatestResponse.self, $0) }, { check(StatsRequest.self, $0) }, { check(StatsResponse.self, $0) },
    { check(ApplyBatchRequest.self, $0) }, { check(ApplyBatchResponse.self, $0) }, { check(AppliedPositionRequest.self, $0) },
    { check(AppliedPositionResponse.self, $0) }, { check(IntegrityCheckRequest.self, $0) }, { check(IntegrityCheckResponse.self, $0) },
    { check(BackupRequest.self, $0) }, { check(BackupResponse.self, $0) }, { check(IngestRequest.self, $0) },
    { check(IngestResult.self, $0) }, { check(SyncRequest.self, $0) }, { check(SyncResponse.self, $0) },
    { check(IngestStatusRequest.self, $0) }, { check(IngestStatusResponse.self, $0) }, { check(HealthCheckRequest.self, $0) },
    { check(HealthCheckResponse.self, $0) }, { check(SearchHit.self, $0) }, { check(BatchItem.self, $0) },
    { check(ReleaseVersion.self, $0) }, { check(FacetCount.self, $0) }, { check(Highlight.self, $0) },
    { check(TimelineRequest.self, $0) }, { check(TimelineSeries.self, $0) }, { check(TimelineResponse.self, $0) },
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    // The bridge's UTF-8 check must say what the standard library says, on any bytes.
    let raw = UnsafeRawBufferPointer(start: data, count: size)
    if UTF8Validation.isValid(raw) != (String(validating: UnsafeBufferPointer(start: data, count: size), as: UTF8.self) != nil) {
        fatalError("UTF8Validation.isValid disagrees with the standard library on \(Array(raw))")
    }
    let decoder = decoders[Int(data[0]) % decoders.count]
    decoder(UnsafeRawBufferPointer(start: data + 1, count: size - 1))
    return 0
}
