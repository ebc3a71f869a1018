#if canImport(Glibc)
import Glibc
#endif
import GRDB
import KhaosanIndex
@testable import KhaosanQuery
import KhaosanRPC
import NIOPosix
import Testing

/// Issue 15, item 2: the query side's error types and the status each becomes. A broken store
/// invariant (DatabaseError(message:), SQLITE_ERROR) is INTERNAL: before, it was UNAVAILABLE and
/// retried five times.
@Suite struct QueryErrorMappingTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var error: any Error & Sendable
        var code: RPCError.Code
        var testDescription: String { "\(error) → \(code)" }
    }

    static let cases: [Case] = [
        Case(error: QuerySyntaxError(message: "unbalanced parenthesis", position: 3), code: .invalidArgument),
        Case(error: SearchCancelled(after: .seconds(10)), code: .deadlineExceeded),
        Case(error: IndexError.cancelled, code: .deadlineExceeded),
        Case(error: IndexError.corrupt("/db/index/seg-1", "checksum"), code: .internal),
        Case(error: IndexError.io("/db/index/seg-1", "pread", EIO), code: .internal),
        Case(error: IndexError.io("/db/index/seg-1", "write", ENOSPC), code: .resourceExhausted),
        Case(error: DatabaseError(message: "release 5 has a row but no text"), code: .internal),
        Case(error: DatabaseError(resultCode: .SQLITE_CONSTRAINT, message: "UNIQUE constraint failed"), code: .internal),
        Case(error: DatabaseError(resultCode: .SQLITE_CORRUPT, message: "database disk image is malformed"), code: .internal),
        Case(error: DatabaseError(resultCode: .SQLITE_BUSY, message: "database is locked"), code: .unavailable),
        Case(error: DatabaseError(resultCode: .SQLITE_FULL, message: "database or disk is full"), code: .resourceExhausted),
        Case(error: DatabaseError(resultCode: .SQLITE_READONLY, message: "attempt to write a readonly database"), code: .failedPrecondition),
        Case(error: DatabaseError(resultCode: .SQLITE_IOERR, message: "disk I/O error"), code: .failedPrecondition),
        Case(error: NIOThreadPoolError.ThreadPoolInactive(), code: .unavailable),
    ]

    @Test(arguments: cases)
    func mapsTo(_ c: Case) {
        #expect(RPCError(wrapping: c.error).code == c.code)
    }

    /// A full disk under the store is about the query service, not the batch: the refusal key
    /// makes the forwarder retry rather than set the records aside as dead letters.
    @Test func fullDiskCarriesTheRefusalKey() {
        let e = RPCError(wrapping: DatabaseError(resultCode: .SQLITE_FULL, message: "full"))
        #expect(e.metadata[Metadata.refusalKey] != nil)
    }
}
