package import KhaosanRPC

/// A PostgreSQL archive failure, said in words that name the store (by its URL, which never
/// holds a password) and what to do. `retryable` failures (the server unreachable, restarting,
/// a serialisation conflict) are UNAVAILABLE, which the ingester retries with its journal kept;
/// the rest FAILED_PRECONDITION (someone must act) or INTERNAL.
package struct PostgresStoreError: Error, Sendable, CustomStringConvertible, RPCErrorConvertible {
    package enum Kind: Sendable { case retryable, precondition, internalError }
    package var message: String
    package var kind: Kind

    package init(_ message: String, kind: Kind) {
        self.message = message
        self.kind = kind
    }

    package var description: String { message }

    package var rpcError: RPCError {
        switch kind {
        case .retryable: RPCError(code: .unavailable, message: message, cause: self)
        case .precondition: RPCError(code: .failedPrecondition, message: message, cause: self)
        case .internalError: RPCError(code: .internal, message: message, cause: self)
        }
    }
}
