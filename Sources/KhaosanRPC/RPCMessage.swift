/// What the core needs of a message type: bytes in, bytes out. The core knows no codec; the
/// messages' own module conforms them (KhaosanWire's `WireMessage`s, through protobuf-c), as
/// grpc-swift-2's GRPCCore leaves serialization to `MessageSerializer`s.
package protocol RPCMessage: Sendable {
    /// Decodes one message; the bytes are only valid during the call. A thrown error that is
    /// `RPCErrorConvertible` says its own status; any other is INVALID_ARGUMENT.
    init(serializedBytes: UnsafeRawBufferPointer) throws
    func serializedBytes() throws -> [UInt8]
}

extension RPCMessage {
    static func decode(_ buffer: MessageBuffer) throws(RPCError) -> Self {
        do {
            return try buffer.withUnsafeBytes { raw in try Self(serializedBytes: raw) }
        } catch let e as RPCError {
            throw e
        } catch let e as any RPCErrorConvertible {
            throw e.rpcError
        } catch {
            throw RPCError(code: .invalidArgument, message: "\(error)")
        }
    }

    func encoded() throws(RPCError) -> MessageBuffer {
        do {
            return MessageBuffer(try serializedBytes())
        } catch {
            throw RPCError(code: .internal, message: "cannot encode the response: \(error)")
        }
    }
}
