package import KhaosanRPC
package import NIOPosix

/// The database threads are gone only while the service stops: a new connection reaches the next one.
extension NIOThreadPoolError.ThreadPoolInactive: RPCErrorConvertible {
    package var rpcError: RPCError { RPCError(code: .unavailable, message: "khaosan-queryd is shutting down", cause: self) }
}
