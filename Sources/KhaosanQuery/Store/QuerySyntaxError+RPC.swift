package import KhaosanRPC

extension QuerySyntaxError: RPCErrorConvertible {
    package var rpcError: RPCError { RPCError(code: .invalidArgument, message: description, cause: self) }
}
