package import KhaosanRPC

// Every WireMessage is an RPC message: KhaosanRPC's codec protocol, met by protobuf-c through the
// bridge, as grpc-swift-2's generated code meets GRPCCore's through SwiftProtobuf. Decoding takes
// the default budget (`WireLimits.default`): no server or client has ever set another.

extension WireMessage {
    package init(serializedBytes: UnsafeRawBufferPointer) throws {
        try self.init(wireBytes: serializedBytes, limits: .default)
    }

    package func serializedBytes() throws -> [UInt8] { try wireBytes() }
}

extension WireError: RPCErrorConvertible {
    /// A message that does not decode is the caller's fault; the field path says where.
    package var rpcError: RPCError {
        let code: RPCError.Code = self.code == .allocationLimit ? .resourceExhausted : .invalidArgument
        return RPCError(code: code, message: field.isEmpty ? message : "\(field): \(message)", cause: self)
    }
}
