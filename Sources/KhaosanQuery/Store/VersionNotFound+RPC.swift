package import KhaosanRPC

extension VersionNotFound: RPCErrorConvertible {
    package var rpcError: RPCError { RPCError(code: .notFound, message: message, cause: self) }
}
