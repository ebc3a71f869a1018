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
        if let follower {
            follower.wake()
            try await follower.waitApplied(through: applied.feedPosition, timeout: archive.applyTimeout)
        }
        let outcome = applied.outcome
        context.logger.debug("applied batch to the archive", metadata: [
            "batch.items": "\(items.count)", "batch.inserted": "\(outcome.inserted)",
            "batch.updated": "\(outcome.updated)", "batch.duplicates": "\(outcome.duplicates)",
            "batch.applied_sequence": "\(outcome.appliedSequence)", "archive.change": "\(applied.feedPosition)",
        ])
        return ApplyBatchResponse(
            appliedSequence: outcome.appliedSequence, inserted: UInt32(outcome.inserted),
            updated: UInt32(outcome.updated), duplicates: UInt32(outcome.duplicates)
        )
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
