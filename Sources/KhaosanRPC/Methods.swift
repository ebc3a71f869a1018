/// Every method of Khaosan's services (Protos/khaosan/v1), with whether a retry is safe.
package enum KhaosanMethods {
    package static let ingestService = "khaosan.v1.IngestService"
    package static let queryService = "khaosan.v1.QueryService"
    package static let healthService = "khaosan.v1.Health"

    // Ingest: Ingest and IngestStream are not retried blindly (the client decides per item);
    // the ingester deduplicates by content hash, so a resent release is reported as duplicate.
    package static let ingest = MethodDescriptor(service: ingestService, method: "Ingest", idempotent: false)
    package static let ingestStream = MethodDescriptor(service: ingestService, method: "IngestStream", idempotent: false)
    package static let sync = MethodDescriptor(service: ingestService, method: "Sync", idempotent: true)
    package static let ingestStatus = MethodDescriptor(service: ingestService, method: "Status", idempotent: true)

    package static let search = MethodDescriptor(service: queryService, method: "Search", idempotent: true)
    package static let get = MethodDescriptor(service: queryService, method: "Get", idempotent: true)
    package static let latest = MethodDescriptor(service: queryService, method: "Latest", idempotent: true)
    package static let stats = MethodDescriptor(service: queryService, method: "Stats", idempotent: true)
    // Idempotent by design: the query service skips positions it has already applied.
    package static let applyBatch = MethodDescriptor(service: queryService, method: "ApplyBatch", idempotent: true)
    package static let applyStream = MethodDescriptor(service: queryService, method: "ApplyStream", idempotent: true)
    package static let appliedPosition = MethodDescriptor(service: queryService, method: "AppliedPosition", idempotent: true)
    package static let checkIntegrity = MethodDescriptor(service: queryService, method: "CheckIntegrity", idempotent: true)
    package static let backup = MethodDescriptor(service: queryService, method: "Backup", idempotent: false)
    // Issue 16: reads only (NO_SIDE_EFFECTS in query.proto).
    package static let timeline = MethodDescriptor(service: queryService, method: "Timeline", idempotent: true)

    package static let healthCheck = MethodDescriptor(service: healthService, method: "Check", idempotent: true)
    package static let healthWatch = MethodDescriptor(service: healthService, method: "Watch", idempotent: true)
}
