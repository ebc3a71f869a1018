package import Foundation
#if canImport(Glibc)
import Glibc
#endif

package struct JournalRecord: Sendable, Equatable {
    package var sequence: UInt64
    package var payload: [UInt8]
    package init(sequence: UInt64, payload: [UInt8]) {
        self.sequence = sequence
        self.payload = payload
    }
}

package struct JournalError: Error, Sendable, CustomStringConvertible, Equatable {
    package struct Code: Sendable, Hashable, CustomStringConvertible {
        package let name: String
        private init(_ name: String) { self.name = name }
        /// Unforwarded data would exceed the quota (the service answers RESOURCE_EXHAUSTED).
        package static let quotaExceeded = Code("quotaExceeded")
        /// A system call failed. After a failed write or fdatasync the journal refuses further appends
        /// (the kernel may have dropped the dirty pages); restart to recover from what is on disk.
        package static let io = Code("io")
        /// The files on disk are damaged in a way recovery must not paper over.
        package static let corrupt = Code("corrupt")
        package static let closed = Code("closed")
        /// The file system is full (ENOSPC, EDQUOT). Nothing of the failed commit is left on disk
        /// and appends are tried again: once space is freed they succeed, without a restart.
        package static let noSpace = Code("noSpace")
        /// A payload larger than `maxRecordBytes`.
        package static let tooLarge = Code("tooLarge")
        /// A caller error, e.g. a checkpoint beyond the last durable record.
        package static let invalidArgument = Code("invalidArgument")
        package var description: String { name }
    }

    package var code: Code
    package var message: String
    package var path: String?
    /// The errno of the failed system call, when there was one.
    package var systemError: Int32?

    package init(_ code: Code, _ message: String, path: String? = nil, systemError: Int32? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.systemError = systemError
    }

    /// Out of space or quota: a condition that passes, unlike an I/O error.
    var isOutOfSpace: Bool { systemError == ENOSPC || systemError == EDQUOT }

    package var description: String {
        if let path { return "journal \(code): \(path): \(message)" }
        return "journal \(code): \(message)"
    }
}

package struct JournalConfiguration: Sendable {
    /// Directory holding `*.seg`, `checkpoint` and `LOCK`; created if missing.
    package var directory: String
    /// A segment is closed and a new one started once it would grow past this.
    package var segmentBytes: Int
    /// Bytes of records not yet confirmed applied (after the checkpoint), including queued appends,
    /// beyond which appends fail with `.quotaExceeded`.
    package var quotaBytes: Int
    /// Largest payload accepted; also the largest length field recovery believes.
    package var maxRecordBytes: Int
    /// How long the writer waits for more appends to join a commit. Zero: a commit starts as soon as
    /// the previous fdatasync returns, and everything queued meanwhile shares the next one.
    package var groupCommitMaxDelay: Duration

    package init(
        directory: String,
        segmentBytes: Int = 64 << 20,
        quotaBytes: Int = 4 << 30,
        maxRecordBytes: Int = 8 << 20,
        groupCommitMaxDelay: Duration = .zero
    ) {
        self.directory = directory
        self.segmentBytes = segmentBytes
        self.quotaBytes = quotaBytes
        self.maxRecordBytes = maxRecordBytes
        self.groupCommitMaxDelay = groupCommitMaxDelay
    }

    package init(
        directory: URL,
        segmentBytes: Int = 64 << 20,
        quotaBytes: Int = 4 << 30,
        maxRecordBytes: Int = 8 << 20,
        groupCommitMaxDelay: Duration = .zero
    ) {
        self.init(
            directory: directory.path,
            segmentBytes: segmentBytes,
            quotaBytes: quotaBytes,
            maxRecordBytes: maxRecordBytes,
            groupCommitMaxDelay: groupCommitMaxDelay
        )
    }
}

package struct JournalStats: Sendable, Equatable {
    package var segmentCount: Int
    /// Sum of the segment files' sizes (durable records only).
    package var bytesOnDisk: Int
    /// Bytes of durable records after the checkpoint, plus appends queued for the next commit.
    package var unforwardedBytes: Int
    package var lastSequence: UInt64
    package var checkpoint: UInt64
    /// Number of fdatasync calls on segments since open (commits); appends/commits is the batching factor.
    package var commits: UInt64
    /// Number of append calls that completed since open.
    package var appends: UInt64
}

/// What recovery found at open.
package struct JournalRecovery: Sendable, Equatable {
    /// Bytes cut from the end of the last segment (a torn or corrupt tail); 0 after a clean shutdown.
    package var truncatedBytes: Int
    /// The segment that was truncated, if any.
    package var truncatedSegment: String?
    /// Where the cut bytes were saved before truncation, so nothing is lost without a trace.
    package var savedTail: String?
    /// Why the tail was judged invalid, e.g. "checksum mismatch at offset 4096".
    package var reason: String?
    /// Segments deleted at open because the checkpoint already covered them (a crash between the
    /// checkpoint rename and the deletions).
    package var deletedSegments: Int
    package var recordCount: Int
}
