import KhaosanRPC
import Logging
import KhaosanWire

/// ApplyBatch / ApplyStream / AppliedPosition when a shared archive is the archive of record
/// (issue 19): a writer stores the batch there (acknowledged after its commit), then answers once
/// its own follower has applied it, so "acknowledged" still means "searchable on the writer".
extension QueryHandlers {
    func registerStore(into router: inout RPCRouter) {
        router.unary(KhaosanMethods.storeStatus) { (_: StoreStatusRequest, _) in try await storeStatus() }
    }

    /// Answers even while the archive cannot be read (the reason is in `error`): status is how
    /// an operator finds out.
    func storeStatus() async throws -> StoreStatusResponse {
        guard let archive, let follower else {
            let position = try await db("store_status") { [store] in try store.currentPosition() }
            return StoreStatusResponse(kind: store.kind, replica: false, location: store.location, latestChange: position,
                                       appliedChange: position, lagChanges: 0, lagSeconds: 0, error: nil)
        }
        let applied = follower.appliedChange
        var latest = applied, lag = 0.0
        var failure = follower.failure
        do {
            let feed = try await archive.store.feedStatus(applied: applied)
            latest = max(feed.latestChange, applied)
            lag = feed.lagSeconds
        } catch {
            failure = "\(error)"
        }
        return StoreStatusResponse(kind: archive.store.kind, replica: archive.replica, location: archive.store.location,
                                   latestChange: latest, appliedChange: applied, lagChanges: latest - applied,
                                   lagSeconds: lag, error: failure)
    }

    func applyToArchive(_ archive: SharedArchive, _ request: ApplyBatchRequest, _ context: ServerContext) async throws -> ApplyBatchResponse {
        let (response, position) = try await storeInArchive(archive, request, context)
        try await waitSearchable(archive, through: position)
        return response
    }

    /// ApplyStream on a writer: batch k+1 is written to the archive while this node's follower
    /// applies batch k (the Thai analysis and the SQLite commit), as the embedded path prepares
    /// the next batch during a commit; answers still go out in order, each once searchable here.
    func applyStreamToArchive(_ archive: SharedArchive, _ requests: RequestStream<ApplyBatchRequest>,
                              _ responses: ResponseSink<ApplyBatchResponse>, _ context: ServerContext) async throws {
        var waiting: Task<ApplyBatchResponse, any Error>?
        defer { waiting?.cancel() }
        for try await request in requests {
            let (response, position) = try await storeInArchive(archive, request, context)
            if let previous = waiting {
                waiting = nil
                try await responses.send(try await previous.value)
            }
            waiting = Task { try await waitSearchable(archive, through: position); return response }
        }
        if let last = waiting {
            waiting = nil
            try await responses.send(try await last.value)
        }
    }

    /// Commits the batch to the archive (a replica refuses); returns the answer and the change
    /// sequence this node's copy must reach before giving it.
    private func storeInArchive(_ archive: SharedArchive, _ request: ApplyBatchRequest, _ context: ServerContext) async throws
        -> (ApplyBatchResponse, UInt64) {
        if archive.replica {
            throw RPCError(code: .failedPrecondition, message: "this khaosan-queryd is a replica of \(archive.store.kind) archive "
                + "\(archive.store.location): it applies no batches; forward to the writer (the node started without --replica)")
        }
        guard !request.source.isEmpty else { throw RPCError(code: .invalidArgument, message: "source: empty") }
        let items = request.items.map { (sequence: $0.sequence, release: $0.release) }
        let applied: ArchiveApplyOutcome
        do { applied = try await archive.store.applyBatch(source: request.source, items: items) } catch {
            throw RPCError(wrapping: error)
        }
        follower?.wake()
        let outcome = applied.outcome
        context.logger.debug("applied batch to the archive", metadata: [
            "batch.items": "\(items.count)", "batch.inserted": "\(outcome.inserted)",
            "batch.updated": "\(outcome.updated)", "batch.duplicates": "\(outcome.duplicates)",
            "batch.applied_sequence": "\(outcome.appliedSequence)", "archive.change": "\(applied.feedPosition)",
        ])
        let response = ApplyBatchResponse(
            appliedSequence: outcome.appliedSequence, inserted: UInt32(outcome.inserted),
            updated: UInt32(outcome.updated), duplicates: UInt32(outcome.duplicates)
        )
        return (response, applied.feedPosition)
    }

    private func waitSearchable(_ archive: SharedArchive, through position: UInt64) async throws {
        try await follower?.waitApplied(through: position, timeout: archive.applyTimeout)
    }

    /// The position the ingester resumes from: the archive's when there is a shared one.
    func appliedInArchive(source: String? = nil) async throws -> UInt64 {
        guard let archive else {
            return try await db("applied_position") { [store] in
                try source.map { try store.appliedSequence(source: $0) } ?? store.highestAppliedSequence()
            }
        }
        do {
            if let source { return try await archive.store.appliedSequence(source: source) }
            return try await archive.store.highestAppliedSequence()
        } catch {
            throw RPCError(wrapping: error)
        }
    }
}
