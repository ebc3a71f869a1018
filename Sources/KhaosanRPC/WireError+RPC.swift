package import KhaosanWire

/// A message that does not decode is the caller's fault (the field path says where); one over
/// the decoding allocation budget is RESOURCE_EXHAUSTED.
extension WireError: RPCErrorConvertible {
    package var rpcError: RPCError { RPCError(wire: self) }
}
