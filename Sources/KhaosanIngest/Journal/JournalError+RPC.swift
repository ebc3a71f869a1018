package import KhaosanRPC

/// The status a peer sees for a journal error that ends a call. UNAVAILABLE only where trying
/// again can succeed without anyone fixing anything (the journal closing at shutdown).
extension JournalError: RPCErrorConvertible {
    package var rpcCode: RPCError.Code {
        switch code {
        // Both pass: the forwarder drains the journal, or someone frees space.
        case .quotaExceeded, .noSpace: .resourceExhausted
        case .tooLarge: .invalidArgument
        // The journal refuses appends until restarted (or repaired): an operator must act.
        case .io, .corrupt: .failedPrecondition
        case .closed: .unavailable
        // `.invalidArgument` is our own call that was wrong (a checkpoint beyond the end).
        default: .internal
        }
    }

    package var rpcError: RPCError { RPCError(code: rpcCode, message: description, cause: self) }
}
