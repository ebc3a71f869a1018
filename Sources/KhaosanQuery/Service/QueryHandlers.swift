import Foundation
import KhaosanDaemon
import KhaosanIndex
import KhaosanModel
import KhaosanRPC
import KhaosanUnixTransport
import KhaosanWire
import Logging
import Metrics
import NIOPosix
import ServiceLifecycle

/// The QueryService methods: conversion between wire messages and the store's types.
struct QueryHandlers: Sendable {
    let store: ReleaseStore
    let pool: NIOThreadPool
    let ingestUIDs: Set<UInt32>
    let logger: Logger
    /// Text bytes per Export response message (tests make it small to cross many windows).
    var exportMessageBytes = QueryHandlers.defaultExportMessageBytes
    /// Exports running at once at most (`ExportSlots`).
    var exportSlots = ExportSlots(limit: QueryHandlers.maxConcurrentExports)
    /// Issue 19: the shared archive batches go to, and the follower that feeds this node's copy
    /// (both nil when the SQLite file is the archive).
    var archive: SharedArchive? = nil
    var follower: ArchiveFollower? = nil

    /// SQLite calls block; they run on the thread pool. Each is timed as
    /// `khaosan_store_operation_duration_seconds{operation}`: the store's share of a call (the
    /// whole call, queueing and encoding included, is `khaosan_rpc_call_duration_seconds`).
    func db<T: Sendable>(_ operation: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        let timer = Metrics.Timer(label: "khaosan_store_operation_duration_seconds", dimensions: [("operation", operation)])
        let start = ContinuousClock.now
        defer { timer.recordNanoseconds((ContinuousClock.now - start).nanoseconds) }
        do {
            return try await pool.runIfActive(body)
        } catch {
            // One mapping for every error type (`RPCErrorConvertible`, e.g. DatabaseError+RPC):
            // what is not known is INTERNAL, which no client retries.
            throw RPCError(wrapping: error)
        }
    }

    func register(into router: inout RPCRouter) {
        registerTimeline(into: &router)
        registerExport(into: &router)
        registerNames(into: &router)
        registerChanges(into: &router)
        registerAlerts(into: &router)
        registerStore(into: &router)
        router.unary(KhaosanMethods.search) { (request: SearchRequest, context) in
            let query = SearchQuery(
                text: request.query, from: request.from, to: request.to, categories: request.categories,
                language: request.language, sort: Self.sort(request.sort),
                limit: request.limit == 0 ? 10 : Int(request.limit), offset: Int(request.offset), facets: request.facets,
                deadline: context.deadline, wholeWords: request.wholeWords, collapse: request.collapse
            )
            let results = try await db("search") { try store.search(query) }
            return SearchResponse(
                hits: results.hits.map(Self.hit),
                total: UInt64(results.total),
                categoryFacets: results.categoryFacets.map(Self.facet),
                monthFacets: results.monthFacets.map(Self.facet),
                tookMicros: UInt64(max(0, results.tookMicros)),
                suggestions: results.suggestions.map(Self.facet)
            )
        }
        router.unary(KhaosanMethods.get) { (request: GetRequest, _) in
            guard let stored = try await db("get", { try store.get(id: request.id, includeVersions: request.includeVersions) }) else {
                throw RPCError(code: .notFound, message: "no release with id \(request.id)")
            }
            return GetResponse(
                release: stored.release, version: UInt32(stored.version),
                versions: stored.versions.map { ReleaseVersion(version: UInt32($0.version), contentHash: $0.contentHash, storedAtUnixMs: $0.storedAt, release: $0.release) }
            )
        }
        router.unary(KhaosanMethods.latest) { (request: LatestRequest, _) in
            let limit = request.limit == 0 ? 10 : min(Int(request.limit), 1000)
            return LatestResponse(hits: try await db("latest") { try store.latest(limit: limit) }.map(Self.hit))
        }
        router.unary(KhaosanMethods.stats) { (_: StatsRequest, _) in
            let s = try await db("stats") { try store.stats() }
            let applied = try await appliedInArchive()
            return StatsResponse(
                version: KhaosanVersion.current, releases: UInt64(s.releases), versions: UInt64(s.versions),
                databaseBytes: s.databaseBytes, textBytes: s.textBytes, first: s.firstPublished, last: s.lastPublished,
                categories: s.categories.map(Self.facet), languages: s.languages.map(Self.facet),
                appliedSequence: applied, protobufCVersion: WireLibrary.protobufCVersion
            )
        }
        @Sendable func prepare(_ request: ApplyBatchRequest) throws -> ReleaseStore.PreparedBatch {
            guard !request.source.isEmpty else { throw RPCError(code: .invalidArgument, message: "source: empty") }
            return store.prepare(request.items.map { (sequence: $0.sequence, release: $0.release) })
        }
        @Sendable func apply(_ source: String, _ batch: ReleaseStore.PreparedBatch, _ context: ServerContext) async throws -> ApplyBatchResponse {
            let outcome = try await db("apply_batch") { try store.apply(source: source, prepared: batch) }
            context.logger.debug("applied batch", metadata: [
                "batch.items": "\(batch.count)", "batch.inserted": "\(outcome.inserted)",
                "batch.updated": "\(outcome.updated)", "batch.duplicates": "\(outcome.duplicates)",
                "batch.applied_sequence": "\(outcome.appliedSequence)",
            ])
            return ApplyBatchResponse(
                appliedSequence: outcome.appliedSequence, inserted: UInt32(outcome.inserted),
                updated: UInt32(outcome.updated), duplicates: UInt32(outcome.duplicates)
            )
        }
        router.unary(KhaosanMethods.applyBatch) { (request: ApplyBatchRequest, context) in
            try requireIngester(context)
            if let archive { return try await applyToArchive(archive, request, context) }
            let batch = try prepare(request)
            return try await apply(request.source, batch, context)
        }
        // One batch at a time in arrival order: a later batch must never commit before an earlier
        // one, or the earlier one's positions would be skipped as already applied. What can run
        // ahead is preparing the next batch (the Thai analysis for its index tokens), here on
        // this task's thread while the writer commits the previous one.
        router.bidirectional(KhaosanMethods.applyStream) { (requests: RequestStream<ApplyBatchRequest>, responses: ResponseSink<ApplyBatchResponse>, context) in
            try requireIngester(context)
            if let archive { return try await applyStreamToArchive(archive, requests, responses, context) }
            var committing: Task<ApplyBatchResponse, any Error>?
            defer { committing?.cancel() }
            for try await request in requests {
                let batch = try prepare(request)
                if let previous = committing {
                    committing = nil
                    try await responses.send(try await previous.value)
                }
                let source = request.source
                committing = Task { try await apply(source, batch, context) }
            }
            if let last = committing {
                committing = nil
                try await responses.send(try await last.value)
            }
        }
        router.unary(KhaosanMethods.appliedPosition) { (request: AppliedPositionRequest, _) in
            AppliedPositionResponse(appliedSequence: try await appliedInArchive(source: request.source))
        }
        router.unary(KhaosanMethods.checkIntegrity) { (_: IntegrityCheckRequest, context) in
            // It holds the write lock for seconds: not for every reader to call at will.
            try requireIngester(context)
            let (ok, detail) = try await db("check_integrity") { try store.integrityCheck() }
            return IntegrityCheckResponse(ok: ok, detail: detail)
        }
        router.unary(KhaosanMethods.backup) { (request: BackupRequest, context) in
            try requireIngester(context)
            let path = try BackupTarget.resolve(request.path)
            let bytes = try await db("backup") { try store.backup(to: path) }
            let releases = try await db("stats") { try store.stats().releases }
            context.logger.info("backup written", metadata: ["backup.path": "\(path)", "backup.bytes": "\(bytes)"])
            return BackupResponse(bytes: bytes, releases: UInt64(releases))
        }
    }

    /// Writing calls need a uid from the ingest list (root and our own uid always pass).
    private func requireIngester(_ context: ServerContext) throws {
        let uid = context.peer.uid
        if uid == 0 || uid == PeerCredentials.currentUID || ingestUIDs.contains(uid) { return }
        throw RPCError(code: .permissionDenied, message: "uid \(uid) may search but not write")
    }

    static func sort(_ s: SearchRequest.Sort) -> SearchQuery.Sort {
        switch s {
        case .relevance: .relevance
        case .newest: .newest
        case .oldest: .oldest
        }
    }

    static func hit(_ h: SearchResultHit) -> SearchHit {
        SearchHit(
            id: h.id, title: h.title, published: h.published, category: h.category, language: h.language,
            score: h.score, snippet: h.snippet,
            highlights: h.highlights.map { Highlight(start: UInt32($0.lowerBound), end: UInt32($0.upperBound)) },
            sourceURL: h.sourceURL, alsoPublishedAs: h.alsoPublishedAs
        )
    }

    static func facet(_ f: StoreFacet) -> KhaosanWire.FacetCount {
        KhaosanWire.FacetCount(key: f.key, label: f.label, count: UInt64(f.count))
    }
}
