package import KhaosanRPC

extension SearchCancelled: RPCErrorConvertible {
    package var rpcError: RPCError { RPCError(code: .deadlineExceeded, message: description, cause: self) }
}
