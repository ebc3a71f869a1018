// Swift mirrors of ingest.proto and health.proto. Their conversions are generated (Generated/), following
// the conventions in scripts/gen-wire.py; IngestRequest's is in Mappings/.
package import KhaosanModel

/// proto: `oneof item { RawRelease raw; Release release; }`. A message with neither set does not
/// decode (`.invalidValue` at `item`).
package enum IngestRequest: Sendable, Hashable {
    /// `categoryOverride` is used when the file name carries no category ("" on the wire is nil).
    case raw(RawRelease, categoryOverride: String?)
    case release(Release)
}

package struct IngestResult: Sendable, Hashable {
    package enum Status: Sendable, Hashable {
        case unspecified
        /// New release, journaled.
        case accepted
        /// Same id and content as before: nothing written.
        case duplicate
        /// Same id, new content: journaled as a new version.
        case updated
        /// Invalid; see `error`.
        case rejected
    }
    package var status: Status
    package var id: Int64
    package var fileName: String
    package var error: ReleaseError?
    /// Journal position of the accepted record (0 when nothing was written).
    package var sequence: UInt64
    /// proto: `repeated ReleaseErrorInfo notes`. What the sender should know about an accepted
    /// release (`title-only`, `category-kept`).
    package var notes: [IngestNote]

    package init(status: Status = .unspecified, id: Int64 = 0, fileName: String = "", error: ReleaseError? = nil, sequence: UInt64 = 0, notes: [IngestNote] = []) {
        self.status = status
        self.id = id
        self.fileName = fileName
        self.error = error
        self.sequence = sequence
        self.notes = notes
    }
}

/// A remark on an accepted release; on the wire a `ReleaseErrorInfo` (code, field, message).
package struct IngestNote: Sendable, Hashable, CustomStringConvertible {
    package var code: String
    package var field: String?
    package var message: String

    package init(code: String, field: String? = nil, message: String) {
        self.code = code
        self.field = field
        self.message = message
    }

    /// The release has no body; its title is its text.
    package static let titleOnly = "title-only"
    /// The new version had no category; the one known from the previous version was kept.
    package static let categoryKept = "category-kept"

    package var description: String { "\(code): \(message)" }
}

package struct SyncRequest: Sendable, Hashable {
    package init() {}
}

package struct SyncResponse: Sendable, Hashable {
    /// Everything up to this journal position is searchable.
    package var appliedSequence: UInt64
    package init(appliedSequence: UInt64 = 0) { self.appliedSequence = appliedSequence }
}

package struct IngestStatusRequest: Sendable, Hashable {
    package init() {}
}

package struct IngestStatusResponse: Sendable, Hashable {
    package var version: String
    package var protobufCVersion: String
    package var journalBytes: UInt64
    package var journalSegments: UInt32
    package var lastSequence: UInt64
    package var forwardedSequence: UInt64
    package var lag: UInt64
    package var queryReachable: Bool
    package var acceptedTotal: UInt64
    package var duplicateTotal: UInt64
    package var updatedTotal: UInt64
    package var rejectedTotal: UInt64
    /// nil when the last forward succeeded ("" on the wire).
    package var lastForwardError: String?
    /// Records the query service refused for good, set aside in the state directory.
    package var deadLetterTotal: UInt64
    /// The most recent of them and why; nil when none ("" on the wire).
    package var lastDeadLetter: String?

    package init(
        version: String = "", protobufCVersion: String = "", journalBytes: UInt64 = 0, journalSegments: UInt32 = 0,
        lastSequence: UInt64 = 0, forwardedSequence: UInt64 = 0, lag: UInt64 = 0, queryReachable: Bool = false,
        acceptedTotal: UInt64 = 0, duplicateTotal: UInt64 = 0, updatedTotal: UInt64 = 0, rejectedTotal: UInt64 = 0,
        lastForwardError: String? = nil, deadLetterTotal: UInt64 = 0, lastDeadLetter: String? = nil
    ) {
        self.deadLetterTotal = deadLetterTotal
        self.lastDeadLetter = lastDeadLetter
        self.version = version
        self.protobufCVersion = protobufCVersion
        self.journalBytes = journalBytes
        self.journalSegments = journalSegments
        self.lastSequence = lastSequence
        self.forwardedSequence = forwardedSequence
        self.lag = lag
        self.queryReachable = queryReachable
        self.acceptedTotal = acceptedTotal
        self.duplicateTotal = duplicateTotal
        self.updatedTotal = updatedTotal
        self.rejectedTotal = rejectedTotal
        self.lastForwardError = lastForwardError
    }
}

/// grpc.health.v1 semantics: service "" is the whole server.
package struct HealthCheckRequest: Sendable, Hashable {
    package var service: String
    package init(service: String = "") { self.service = service }
}

package struct HealthCheckResponse: Sendable, Hashable {
    package enum ServingStatus: Sendable, Hashable {
        case unknown, serving, notServing
        /// Watch only.
        case serviceUnknown
    }
    package var status: ServingStatus
    package init(status: ServingStatus = .unknown) { self.status = status }
}
