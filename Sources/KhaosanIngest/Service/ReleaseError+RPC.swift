import KhaosanModel
package import KhaosanRPC

/// A release that does not parse is the sender's to fix. (Inside a stream it is an item's
/// REJECTED result, not a call error; this is for anything that throws it through a handler.)
extension ReleaseError: RPCErrorConvertible {
    package var rpcError: RPCError { RPCError(code: .invalidArgument, message: description, cause: self) }
}
