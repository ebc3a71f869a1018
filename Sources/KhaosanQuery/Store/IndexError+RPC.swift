#if canImport(Glibc)
import Glibc
#endif
package import KhaosanIndex
package import KhaosanRPC

/// KhaosanIndex does not import KhaosanRPC, so its errors are mapped here. A damaged or
/// unreadable index file is not the caller's fault and not passing by itself: INTERNAL (logged
/// by the server; a restart rebuilds a damaged index from SQLite).
extension IndexError: RPCErrorConvertible {
    package var rpcError: RPCError {
        switch self {
        case .cancelled: RPCError(code: .deadlineExceeded, message: description, cause: self)
        case .io(_, _, let e) where e == ENOSPC || e == EDQUOT:
            RPCError(code: .resourceExhausted, message: description, metadata: [Metadata.refusalKey: "disk-full"], cause: self)
        case .io, .corrupt: RPCError(code: .internal, message: description, cause: self)
        }
    }
}
