package import GRDB
package import KhaosanRPC

/// SQLite's result codes, as a peer should read them. Only a busy or locked database is worth
/// trying again at once; an invariant broken inside the store (a row without its text, bad JSON
/// in a column: `DatabaseError(message:)`, SQLITE_ERROR) is INTERNAL, never retried.
extension DatabaseError: RPCErrorConvertible {
    package var rpcCode: RPCError.Code {
        switch resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: .unavailable
        case .SQLITE_FULL: .resourceExhausted
        // The database cannot be written until someone acts (NOT_SERVING meanwhile).
        case .SQLITE_READONLY, .SQLITE_IOERR, .SQLITE_CANTOPEN, .SQLITE_PERM: .failedPrecondition
        default: .internal
        }
    }

    package var rpcError: RPCError {
        // The refusal key tells the forwarder this is about our disk, not the batch's content:
        // it retries instead of setting the records aside as dead letters.
        let metadata: Metadata = rpcCode == .resourceExhausted ? [Metadata.refusalKey: "disk-full"] : [:]
        return RPCError(code: rpcCode, message: "database error: \(message ?? "\(resultCode)")", metadata: metadata, cause: self)
    }
}
