/// The outcome of a failed call, as the client sees it and as a handler reports it.
/// Modelled on grpc-swift-2's RPCError: a code, a message, trailing metadata and an optional cause.
package struct RPCError: Error, Sendable, CustomStringConvertible {
    /// gRPC status codes. A struct rather than an enum so codes can be added later without breaking
    /// exhaustive switches.
    package struct Code: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
        package var rawValue: UInt16
        package init(rawValue: UInt16) { self.rawValue = rawValue }

        package static let ok = Code(rawValue: 0)
        package static let cancelled = Code(rawValue: 1)
        package static let unknown = Code(rawValue: 2)
        package static let invalidArgument = Code(rawValue: 3)
        package static let deadlineExceeded = Code(rawValue: 4)
        package static let notFound = Code(rawValue: 5)
        package static let alreadyExists = Code(rawValue: 6)
        package static let permissionDenied = Code(rawValue: 7)
        package static let resourceExhausted = Code(rawValue: 8)
        package static let failedPrecondition = Code(rawValue: 9)
        package static let aborted = Code(rawValue: 10)
        package static let outOfRange = Code(rawValue: 11)
        package static let unimplemented = Code(rawValue: 12)
        package static let `internal` = Code(rawValue: 13)
        package static let unavailable = Code(rawValue: 14)
        package static let dataLoss = Code(rawValue: 15)
        package static let unauthenticated = Code(rawValue: 16)

        package var description: String {
            switch self {
            case .ok: "OK"
            case .cancelled: "CANCELLED"
            case .unknown: "UNKNOWN"
            case .invalidArgument: "INVALID_ARGUMENT"
            case .deadlineExceeded: "DEADLINE_EXCEEDED"
            case .notFound: "NOT_FOUND"
            case .alreadyExists: "ALREADY_EXISTS"
            case .permissionDenied: "PERMISSION_DENIED"
            case .resourceExhausted: "RESOURCE_EXHAUSTED"
            case .failedPrecondition: "FAILED_PRECONDITION"
            case .aborted: "ABORTED"
            case .outOfRange: "OUT_OF_RANGE"
            case .unimplemented: "UNIMPLEMENTED"
            case .internal: "INTERNAL"
            case .unavailable: "UNAVAILABLE"
            case .dataLoss: "DATA_LOSS"
            case .unauthenticated: "UNAUTHENTICATED"
            default: "CODE_\(rawValue)"
            }
        }
    }

    package var code: Code
    package var message: String
    package var metadata: Metadata
    package var cause: (any Error)?

    package init(code: Code, message: String, metadata: Metadata = [:], cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.metadata = metadata
        self.cause = cause
    }

    /// `CODE: message`. The message already says the cause in words (every maker of an RPCError
    /// puts it there once); `cause` is for code that inspects it, so it is not appended again.
    package var description: String { "\(code): \(message)" }
}

/// Converts whatever a handler threw into the status the peer will see: RPCErrors pass through,
/// cancellation becomes CANCELLED, anything else INTERNAL (the message says what it was, so an
/// operator can find it; handlers should throw RPCError for anything a user can act on).
package protocol RPCErrorConvertible {
    var rpcError: RPCError { get }
}

extension RPCError {
    package init(wrapping error: any Error) {
        switch error {
        case let e as RPCError: self = e
        case let e as any RPCErrorConvertible: self = e.rpcError
        case is CancellationError: self = RPCError(code: .cancelled, message: "the call was cancelled")
        default: self = RPCError(code: .internal, message: "\(error)", cause: error)
        }
    }
}
