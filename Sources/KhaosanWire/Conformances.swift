// WireMessage conformances: each decodes through `decode` and encodes through `encode` (CBridge.swift)
// with the type's `init(c:)` / `fill` from the *Codec.swift files. Kept uniform on purpose.
internal import CProtobufC
internal import CKhaosanProto

extension SearchRequest: WireMessage {
    package static var protoName: String { "khaosan.v1.SearchRequest" }
    package init(wireBytes: UnsafeRawBufferPointer, limits: WireLimits) throws(WireError) {
        self = try wireDecode(Khaosan__V1__SearchRequest.self, protoName: Self.protoName, bytes: wireBytes, limits: limits) { (c) throws(WireError) in try Self(c: c) }
    }
    package func wireBytes() throws(WireError) -> [UInt8] {
        try wireEncode(Khaosan__V1__SearchRequest.self, { (m, arena) throws(WireError) in try fill(m, arena) })
    }
}

extension Highlight: WireMessage {
    package static var protoName: String { "khaosan.v1.Highlight" }
    package init(wireBytes: UnsafeRawBufferPointer, limits: WireLimits) throws(WireError) {
        self = try wireDecode(Khaosan__V1__Highlight.self, protoName: Self.protoName, bytes: wireBytes, limits: limits) { (c) throws(WireError) in try Self(c: c) }
    }
    package func wireBytes() throws(WireError) -> [UInt8] {
        try wireEncode(Khaosan__V1__Highlight.self, { (m, arena) throws(WireError) in try fill(m, arena) })
    }
}

extension SearchHit: WireMessage {
    package static var protoName: String { "khaosan.v1.SearchHit" }
    package init(wireBytes: UnsafeRawBufferPointer, limits: WireLimits) throws(WireError) {
        self = try wireDecode(Khaosan__V1__SearchHit.self, protoName: Self.protoName, bytes: wireBytes, limits: limits) { (c) throws(WireError) in try Self(c: c) }
    }
    package func wireBytes() throws(WireError) -> [UInt8] {
        try wireEncode(Khaosan__V1__SearchHit.self, { (m, arena) throws(WireError) in try fill(m, arena) })
    }
}

extension FacetCount: WireMessage {
    package static var protoName: String { "khaosan.v1.FacetCount" }
    package init(wireBytes: UnsafeRawBufferPointer, limits: WireLimits) throws(WireError) {
        self = try wireDecode(Khaosan__V1__FacetCount.self, protoName: Self.protoName, bytes: wireBytes, limits: limits) { (c) throws(WireError) in try Self(c: c) }
    }
    package func wireBytes() throws(WireError) -> [UInt8] {
        try wireEncode(Khaosan__V1__FacetCount.self, { (m, arena) throws(WireError) in try fill(m, arena) })
    }
}

extension SearchResponse: WireMessage {
    package static var protoName: String { "khaosan.v1.SearchResponse" }
    package init(wireBytes: UnsafeRawBufferPointer, limits: WireLimits) throws(WireError) {
        self = try wireDecode(Khaosan__V1__SearchResponse.self, protoName: Self.protoName, bytes: wireBytes, limits: limits) { (c) throws(WireError) in try Self(c: c) }
    }
    package func wireBytes() throws(WireError) -> [UInt8] {
        try wireEncode(Khaosan__V1__SearchResponse.self, { (m, arena) throws(WireError) in try fill(m, arena) })
    }
}

extension GetRequest: WireMessage {
    package static var protoName: String { "khaosan.v1.GetRequest" }
    package init(wireBytes: UnsafeRawBufferPointer, limits: WireLimits) throws(WireError) {
        self = try wireDecode(Khaosan__V1__GetRequest.self, protoName: Self.protoName, bytes: wireBytes, limits: limits) { (c) throws(WireError) in try Self(c: c) }
    }
    package func wireBytes() throws(WireError) -> [UInt8] {
        try wireEncode(Khaosan__V1__GetRequest.self, { (m, arena) throws(WireError) in try fill(m, arena) })
    }
}

extension ReleaseVersion: WireMessage {
    package static var protoName: String { "khaosan.v1.ReleaseVersion" }
    package init(wireBytes: UnsafeRawBufferPointer, limits: WireLimits) throws(WireError) {
        self = try wireDecode(Khaosan__V1__ReleaseVersion.self, protoName: Self.protoName, bytes: wireBytes, limits: limits) { (c) throws(WireError) in try Self(c: c) }
    }
    package func wireBytes() throws(WireError) -> [UInt8] {
        try wireEncode(Khaosan__V1__ReleaseVersion.self, sizeHint: approximateSize(release), { (m, arena) throws(WireError) in try fill(m, arena) })
    }
}

extension GetResponse: WireMessage {
    package static var protoName: String { "khaosan.v1.GetResponse" }
    package init(wireBytes: UnsafeRawBufferPointer, limits: WireLimits) throws(WireError) {
        self = try wireDecode(Khaosan__V1__GetResponse.self, protoName: Self.protoName, bytes: wireBytes, limits: limits) { (c) throws(WireError) in try Self(c: c) }
    }
    package func wireBytes() throws(WireError) -> [UInt8] {
        try wireEncode(Khaosan__V1__GetResponse.self, sizeHint: sizeHint, { (m, arena) throws(WireError) in try fill(m, arena) })
    }
}

extension LatestRequest: WireMessage {
    package static var protoName: String { "khaosan.v1.LatestRequest" }
    package init(wireBytes: UnsafeRawBufferPointer, limits: WireLimits) throws(WireError) {
        self = try wireDecode(Khaosan__V1__LatestRequest.self, protoName: Self.protoName, bytes: wireBytes, limits: limits) { (c) throws(WireError) in try Self(c: c) }
    }
    package func wireBytes() throws(WireError) -> [UInt8] {
        try wireEncode(Khaosan__V1__LatestRequest.self, { (m, arena) throws(WireError) in try fill(m, arena) })
    }
}

extension LatestResponse: WireMessage {
    package static var protoName: String { "khaosan.v1.LatestResponse" }
    package init(wireBytes: UnsafeRawBufferPointer, limits: WireLimits) throws(WireError) {
        self = try wireDecode(Khaosan__V1__LatestResponse.self, protoName: Self.protoName, bytes: wireBytes, limits: limits) { (c) throws(WireError) in try Self(c: c) }
    }
    package func wireBytes() throws(WireError) -> [UInt8] {
        try wireEncode(Khaosan__V1__LatestResponse.self, { (m, arena) throws(WireError) in try fill(m, arena) })
    }
}

extension StatsRequest: WireMessage {
    package static var protoName: String { "khaosan.v1.StatsRequest" }
    package init(wireBytes: UnsafeRawBufferPointer, limits: WireLimits) throws(WireError) {
        self = try wireDecode(Khaosan__V1__StatsRequest.self, protoName: Self.protoName, bytes: wireBytes, limits: limits) { (c) throws(WireError) in try Self(c: c) }
    }
    package func wireBytes() throws(WireError) -> [UInt8] {
        try wireEncode(Khaosan__V1__StatsRequest.self, { (m, arena) throws(WireError) in try fill(m, arena) })
    }
}

extension StatsResponse: WireMessage {
    package static var protoName: String { "khaosan.v1.StatsResponse" }
    package init(wireBytes: UnsafeRawBufferPointer, limits: WireLimits) throws(WireError) {
        self = try wireDecode(Khaosan__V1__StatsResponse.self, protoName: Self.protoName, bytes: wireBytes, limits: limits) { (c) throws(WireError) in try Self(c: c) }
    }
    package func wireBytes() throws(WireError) -> [UInt8] {
        try wireEncode(Khaosan__V1__StatsResponse.self, { (m, arena) throws(WireError) in try fill(m, arena) })
    }
}

extension BatchItem: WireMessage {
    package static var protoName: String { "khaosan.v1.BatchItem" }
    package init(wireBytes: UnsafeRawBufferPointer, limits: WireLimits) throws(WireError) {
        self = try wireDecode(Khaosan__V1__BatchItem.self, protoName: Self.protoName, bytes: wireBytes, limits: limits) { (c) throws(WireError) in try Self(c: c) }
    }
    package func wireBytes() throws(WireError) -> [UInt8] {
        try wireEncode(Khaosan__V1__BatchItem.self, sizeHint: approximateSize(release), { (m, arena) throws(WireError) in try fill(m, arena) })
    }
}

extension ApplyBatchRequest: WireMessage {
    package static var protoName: String { "khaosan.v1.ApplyBatchRequest" }
    package init(wireBytes: UnsafeRawBufferPointer, limits: WireLimits) throws(WireError) {
        self = try wireDecode(Khaosan__V1__ApplyBatchRequest.self, protoName: Self.protoName, bytes: wireBytes, limits: limits) { (c) throws(WireError) in try Self(c: c) }
    }
    package func wireBytes() throws(WireError) -> [UInt8] {
        try wireEncode(Khaosan__V1__ApplyBatchRequest.self, sizeHint: sizeHint, { (m, arena) throws(WireError) in try fill(m, arena) })
    }
}

extension ApplyBatchResponse: WireMessage {
    package static var protoName: String { "khaosan.v1.ApplyBatchResponse" }
    package init(wireBytes: UnsafeRawBufferPointer, limits: WireLimits) throws(WireError) {
        self = try wireDecode(Khaosan__V1__ApplyBatchResponse.self, protoName: Self.protoName, bytes: wireBytes, limits: limits) { (c) throws(WireError) in try Self(c: c) }
    }
    package func wireBytes() throws(WireError) -> [UInt8] {
        try wireEncode(Khaosan__V1__ApplyBatchResponse.self, { (m, arena) throws(WireError) in try fill(m, arena) })
    }
}

extension AppliedPositionRequest: WireMessage {
    package static var protoName: String { "khaosan.v1.AppliedPositionRequest" }
    package init(wireBytes: UnsafeRawBufferPointer, limits: WireLimits) throws(WireError) {
        self = try wireDecode(Khaosan__V1__AppliedPositionRequest.self, protoName: Self.protoName, bytes: wireBytes, limits: limits) { (c) throws(WireError) in try Self(c: c) }
    }
    package func wireBytes() throws(WireError) -> [UInt8] {
        try wireEncode(Khaosan__V1__AppliedPositionRequest.self, { (m, arena) throws(WireError) in try fill(m, arena) })
    }
}

extension AppliedPositionResponse: WireMessage {
    package static var protoName: String { "khaosan.v1.AppliedPositionResponse" }
    package init(wireBytes: UnsafeRawBufferPointer, limits: WireLimits) throws(WireError) {
        self = try wireDecode(Khaosan__V1__AppliedPositionResponse.self, protoName: Self.protoName, bytes: wireBytes, limits: limits) { (c) throws(WireError) in try Self(c: c) }
    }
    package func wireBytes() throws(WireError) -> [UInt8] {
        try wireEncode(Khaosan__V1__AppliedPositionResponse.self, { (m, arena) throws(WireError) in try fill(m, arena) })
    }
}

extension IntegrityCheckRequest: WireMessage {
    package static var protoName: String { "khaosan.v1.IntegrityCheckRequest" }
    package init(wireBytes: UnsafeRawBufferPointer, limits: WireLimits) throws(WireError) {
        self = try wireDecode(Khaosan__V1__IntegrityCheckRequest.self, protoName: Self.protoName, bytes: wireBytes, limits: limits) { (c) throws(WireError) in try Self(c: c) }
    }
    package func wireBytes() throws(WireError) -> [UInt8] {
        try wireEncode(Khaosan__V1__IntegrityCheckRequest.self, { (m, arena) throws(WireError) in try fill(m, arena) })
    }
}

extension IntegrityCheckResponse: WireMessage {
    package static var protoName: String { "khaosan.v1.IntegrityCheckResponse" }
    package init(wireBytes: UnsafeRawBufferPointer, limits: WireLimits) throws(WireError) {
        self = try wireDecode(Khaosan__V1__IntegrityCheckResponse.self, protoName: Self.protoName, bytes: wireBytes, limits: limits) { (c) throws(WireError) in try Self(c: c) }
    }
    package func wireBytes() throws(WireError) -> [UInt8] {
        try wireEncode(Khaosan__V1__IntegrityCheckResponse.self, { (m, arena) throws(WireError) in try fill(m, arena) })
    }
}

extension BackupRequest: WireMessage {
    package static var protoName: String { "khaosan.v1.BackupRequest" }
    package init(wireBytes: UnsafeRawBufferPointer, limits: WireLimits) throws(WireError) {
        self = try wireDecode(Khaosan__V1__BackupRequest.self, protoName: Self.protoName, bytes: wireBytes, limits: limits) { (c) throws(WireError) in try Self(c: c) }
    }
    package func wireBytes() throws(WireError) -> [UInt8] {
        try wireEncode(Khaosan__V1__BackupRequest.self, { (m, arena) throws(WireError) in try fill(m, arena) })
    }
}

extension BackupResponse: WireMessage {
    package static var protoName: String { "khaosan.v1.BackupResponse" }
    package init(wireBytes: UnsafeRawBufferPointer, limits: WireLimits) throws(WireError) {
        self = try wireDecode(Khaosan__V1__BackupResponse.self, protoName: Self.protoName, bytes: wireBytes, limits: limits) { (c) throws(WireError) in try Self(c: c) }
    }
    package func wireBytes() throws(WireError) -> [UInt8] {
        try wireEncode(Khaosan__V1__BackupResponse.self, { (m, arena) throws(WireError) in try fill(m, arena) })
    }
}

extension IngestRequest: WireMessage {
    package static var protoName: String { "khaosan.v1.IngestRequest" }
    package init(wireBytes: UnsafeRawBufferPointer, limits: WireLimits) throws(WireError) {
        self = try wireDecode(Khaosan__V1__IngestRequest.self, protoName: Self.protoName, bytes: wireBytes, limits: limits) { (c) throws(WireError) in try Self(c: c) }
    }
    package func wireBytes() throws(WireError) -> [UInt8] {
        try wireEncode(Khaosan__V1__IngestRequest.self, sizeHint: sizeHint, { (m, arena) throws(WireError) in try fill(m, arena) })
    }
}

extension IngestResult: WireMessage {
    package static var protoName: String { "khaosan.v1.IngestResult" }
    package init(wireBytes: UnsafeRawBufferPointer, limits: WireLimits) throws(WireError) {
        self = try wireDecode(Khaosan__V1__IngestResult.self, protoName: Self.protoName, bytes: wireBytes, limits: limits) { (c) throws(WireError) in try Self(c: c) }
    }
    package func wireBytes() throws(WireError) -> [UInt8] {
        try wireEncode(Khaosan__V1__IngestResult.self, { (m, arena) throws(WireError) in try fill(m, arena) })
    }
}

extension SyncRequest: WireMessage {
    package static var protoName: String { "khaosan.v1.SyncRequest" }
    package init(wireBytes: UnsafeRawBufferPointer, limits: WireLimits) throws(WireError) {
        self = try wireDecode(Khaosan__V1__SyncRequest.self, protoName: Self.protoName, bytes: wireBytes, limits: limits) { (c) throws(WireError) in try Self(c: c) }
    }
    package func wireBytes() throws(WireError) -> [UInt8] {
        try wireEncode(Khaosan__V1__SyncRequest.self, { (m, arena) throws(WireError) in try fill(m, arena) })
    }
}

extension SyncResponse: WireMessage {
    package static var protoName: String { "khaosan.v1.SyncResponse" }
    package init(wireBytes: UnsafeRawBufferPointer, limits: WireLimits) throws(WireError) {
        self = try wireDecode(Khaosan__V1__SyncResponse.self, protoName: Self.protoName, bytes: wireBytes, limits: limits) { (c) throws(WireError) in try Self(c: c) }
    }
    package func wireBytes() throws(WireError) -> [UInt8] {
        try wireEncode(Khaosan__V1__SyncResponse.self, { (m, arena) throws(WireError) in try fill(m, arena) })
    }
}

extension IngestStatusRequest: WireMessage {
    package static var protoName: String { "khaosan.v1.IngestStatusRequest" }
    package init(wireBytes: UnsafeRawBufferPointer, limits: WireLimits) throws(WireError) {
        self = try wireDecode(Khaosan__V1__IngestStatusRequest.self, protoName: Self.protoName, bytes: wireBytes, limits: limits) { (c) throws(WireError) in try Self(c: c) }
    }
    package func wireBytes() throws(WireError) -> [UInt8] {
        try wireEncode(Khaosan__V1__IngestStatusRequest.self, { (m, arena) throws(WireError) in try fill(m, arena) })
    }
}

extension IngestStatusResponse: WireMessage {
    package static var protoName: String { "khaosan.v1.IngestStatusResponse" }
    package init(wireBytes: UnsafeRawBufferPointer, limits: WireLimits) throws(WireError) {
        self = try wireDecode(Khaosan__V1__IngestStatusResponse.self, protoName: Self.protoName, bytes: wireBytes, limits: limits) { (c) throws(WireError) in try Self(c: c) }
    }
    package func wireBytes() throws(WireError) -> [UInt8] {
        try wireEncode(Khaosan__V1__IngestStatusResponse.self, { (m, arena) throws(WireError) in try fill(m, arena) })
    }
}

extension HealthCheckRequest: WireMessage {
    package static var protoName: String { "khaosan.v1.HealthCheckRequest" }
    package init(wireBytes: UnsafeRawBufferPointer, limits: WireLimits) throws(WireError) {
        self = try wireDecode(Khaosan__V1__HealthCheckRequest.self, protoName: Self.protoName, bytes: wireBytes, limits: limits) { (c) throws(WireError) in try Self(c: c) }
    }
    package func wireBytes() throws(WireError) -> [UInt8] {
        try wireEncode(Khaosan__V1__HealthCheckRequest.self, { (m, arena) throws(WireError) in try fill(m, arena) })
    }
}

extension HealthCheckResponse: WireMessage {
    package static var protoName: String { "khaosan.v1.HealthCheckResponse" }
    package init(wireBytes: UnsafeRawBufferPointer, limits: WireLimits) throws(WireError) {
        self = try wireDecode(Khaosan__V1__HealthCheckResponse.self, protoName: Self.protoName, bytes: wireBytes, limits: limits) { (c) throws(WireError) in try Self(c: c) }
    }
    package func wireBytes() throws(WireError) -> [UInt8] {
        try wireEncode(Khaosan__V1__HealthCheckResponse.self, { (m, arena) throws(WireError) in try fill(m, arena) })
    }
}
