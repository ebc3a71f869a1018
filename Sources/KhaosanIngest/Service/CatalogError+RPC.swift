import KhaosanRPC

/// A catalog that cannot be written stops acknowledgements until an operator fixes the disk and
/// restarts the ingester (NOT_SERVING meanwhile); a full disk is the one cause that passes.
extension CatalogError: RPCErrorConvertible {
    package var rpcError: RPCError {
        RPCError(code: isNoSpace ? .resourceExhausted : .failedPrecondition, message: description, cause: self)
    }
}
