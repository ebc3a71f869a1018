package import KhaosanRPC

extension UnknownCategoryError: RPCErrorConvertible {
    package var rpcError: RPCError { RPCError(code: .invalidArgument, message: description, cause: self) }
}
